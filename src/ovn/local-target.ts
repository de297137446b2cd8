// OvnTarget for OVN running on this machine: the local lab's daemons, or a system OVN.
// NB, SB and each node's Open_vSwitch database are read over OVSDB (our client, one connection
// per database, kept until close()); each node's vswitchd is reached through its run directory
// (ovs-vswitchd.ctl, <bridge>.mgmt). Tools run through execa with argument arrays; every name
// reaching a command line is validated first.
import { execa } from 'execa';
import { join } from 'node:path';
import type { DbRow, DbValue } from './ctl-json';
import { OvsdbClient, Operations, type ColumnValue } from './ovsdb/index';
import { assertBridge, assertOvnName } from './names';
import { dumpFlowsNegotiating } from './dump-flows-args';
import { fetchFlowStats, fetchTableCounters, type FlowStats, type TableCounters } from './openflow/flow-stats';
import { FlowTableWatch, type FlowTableChanges } from './openflow/flow-table-watch';
import { OvnTargetError, type FlowDumpOptions, type OvnDb, type OvnTarget } from './ovn-target';

export interface LocalNode {
  name: string;
  /** the node's OVS_RUNDIR: db.sock, ovs-vswitchd.ctl and the bridges' .mgmt sockets live here */
  runDir: string;
}

export interface LocalTargetOptions {
  nbRemote: string;
  sbRemote: string;
  nodes: LocalNode[];
  /** label for messages, e.g. "local lab at ~/.local/state/ovnlab/lab" */
  label?: string;
  timeoutMs?: number;
}

const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** An OVSDB row as the trace/detrace code reads it (the shape ctl --format=json decodes to). */
function toDbRow(row: Record<string, ColumnValue>): DbRow {
  const out: Record<string, DbValue> = {};
  for (const [k, v] of Object.entries(row)) if (v !== undefined) out[k] = v;
  return out as DbRow;
}

export class LocalOvnTarget implements OvnTarget {
  private readonly clients = new Map<string, Promise<OvsdbClient>>();
  /** one flow monitor per node/bridge a live view reads, open until close() */
  private readonly watches = new Map<string, FlowTableWatch>();
  /** the size of the last statistics read per node/bridge/table, to size the next one at once */
  private readonly lastSizes = new Map<string, { bytes: number; count: number }>();

  constructor(private readonly o: LocalTargetOptions) {}

  /** Every row of a table, with a `select` over a kept connection; a failed connection is dropped so the next call retries. */
  private async select(remote: string, database: string, table: string, hint: string): Promise<DbRow[]> {
    const key = `${remote}|${database}`;
    let client = this.clients.get(key);
    if (!client) {
      client = OvsdbClient.connect({ remote, database, reconnect: false, requestTimeoutMs: this.o.timeoutMs ?? 30_000, probeIntervalMs: 0 });
      this.clients.set(key, client);
    }
    try {
      const c = await client;
      const r = await c.transact([new Operations().select(table, [])]);
      return (r.results[0]?.rows ?? []).map(toDbRow);
    } catch (e) {
      this.clients.delete(key);
      void client.then((c) => c.close(), () => undefined);
      throw new OvnTargetError(`${hint} (${(e as Error).message})`);
    }
  }

  describe(): string {
    return this.o.label ?? `local OVN (NB ${this.o.nbRemote})`;
  }

  async nodes(): Promise<string[]> {
    return this.o.nodes.map((n) => n.name);
  }

  async listRows(db: OvnDb, table: string): Promise<DbRow[]> {
    if (!TABLE.test(table)) throw new OvnTargetError(`invalid table name "${table}"`);
    const [database, remote, what] = db === 'nb'
      ? ['OVN_Northbound', this.o.nbRemote, 'Northbound']
      : ['OVN_Southbound', this.o.sbRemote, 'Southbound'];
    return this.select(remote, database, table,
      `cannot read the OVN ${what} database at ${remote}: is it running? Start the lab (\`ovnlab lab up\`) or pass --${db === 'nb' ? 'db' : 'sb'}`);
  }

  async listOvsRows(node: string, table: string): Promise<DbRow[]> {
    if (!TABLE.test(table)) throw new OvnTargetError(`invalid table name "${table}"`);
    const n = this.node(node);
    const sock = `unix:${join(n.runDir, 'db.sock')}`;
    return this.select(sock, 'Open_vSwitch', table, `cannot read Open vSwitch on node ${node} (${sock}): is its ovsdb-server running?`);
  }

  async dumpFlows(node: string, bridge: string, opts: FlowDumpOptions = {}): Promise<string> {
    const n = this.node(node);
    assertBridge(bridge);
    const hint = () => `cannot dump flows of ${bridge} on node ${node}: is ovs-vswitchd running there and does the bridge exist?`;
    return dumpFlowsNegotiating((args) => this.run('ovs-ofctl', args, { OVS_RUNDIR: n.runDir }, hint), bridge, opts);
  }

  async flowStats(node: string, bridge: string, table?: number): Promise<FlowStats> {
    const n = this.node(node);
    assertBridge(bridge);
    if (table !== undefined && !(Number.isInteger(table) && table >= 0 && table < 255)) throw new OvnTargetError(`flow table ${table} is not a table number (0-254)`);
    try {
      const key = `${node}\0${bridge}\0${table ?? 'all'}`;
      const st = await fetchFlowStats(join(n.runDir, `${bridge}.mgmt`), this.o.timeoutMs ?? 30_000, table, this.lastSizes.get(key));
      this.lastSizes.set(key, { bytes: st.body.length, count: st.count });
      return st;
    } catch (e) {
      throw new OvnTargetError(`cannot read flow statistics of ${bridge} on node ${node}: ${(e as Error).message}`);
    }
  }

  async tableCounters(node: string, bridge: string): Promise<TableCounters> {
    const n = this.node(node);
    assertBridge(bridge);
    try {
      return await fetchTableCounters(join(n.runDir, `${bridge}.mgmt`), this.o.timeoutMs ?? 30_000);
    } catch (e) {
      throw new OvnTargetError(`cannot read table statistics of ${bridge} on node ${node}: ${(e as Error).message}`);
    }
  }

  flowTableChanges(node: string, bridge: string): FlowTableChanges {
    const n = this.node(node);
    assertBridge(bridge);
    const key = `${node}\0${bridge}`;
    let w = this.watches.get(key);
    if (!w) {
      w = new FlowTableWatch(join(n.runDir, `${bridge}.mgmt`));
      this.watches.set(key, w);
    }
    return w.take();
  }

  async ovnTrace(datapath: string, microflow: string): Promise<string> {
    assertOvnName('logical datapath', datapath);
    return this.run('ovn-trace', [`--db=${this.o.sbRemote}`, '--detailed', '--ct=new', datapath, microflow], {}, () =>
      `ovn-trace failed for ${datapath}: check that the Southbound database at ${this.o.sbRemote} is up`);
  }

  async ofprotoTrace(node: string, bridge: string, flow: string): Promise<string> {
    const n = this.node(node);
    assertBridge(bridge);
    return this.run('ovs-appctl', [`--target=${join(n.runDir, 'ovs-vswitchd.ctl')}`, 'ofproto/trace', bridge, flow], {}, () =>
      `ofproto/trace failed on node ${node}: is ovs-vswitchd running there?`);
  }

  async close(): Promise<void> {
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
    const all = [...this.clients.values()];
    this.clients.clear();
    for (const c of all) await c.then((x) => x.close(), () => undefined);
  }

  private node(name: string): LocalNode {
    assertOvnName('node', name);
    const n = this.o.nodes.find((x) => x.name === name);
    if (!n) {
      throw new OvnTargetError(`no node "${name}" in ${this.describe()}: known nodes are ${this.o.nodes.map((x) => x.name).join(', ') || 'none'}`);
    }
    return n;
  }

  private async run(tool: string, args: string[], env: Record<string, string>, hint: () => string): Promise<string> {
    const r = await execa(tool, args, {
      env, reject: false, timeout: this.o.timeoutMs ?? 30_000, maxBuffer: 2 * 1024 * 1024 * 1024,
    });
    if (r.failed || r.exitCode !== 0) {
      if ((r as { code?: string }).code === 'ENOENT') {
        throw new OvnTargetError(`${tool} is not installed: apt-get install ovn-central ovn-host openvswitch-switch`);
      }
      const stderr = String(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
      throw new OvnTargetError(`${hint()} (${tool}: ${stderr || r.shortMessage})`);
    }
    return String(r.stdout);
  }
}

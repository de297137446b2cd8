// OvnTarget for OVN running on this machine: the local lab's daemons, or a system OVN.
// NB/SB are read over their unix sockets; each node's Open vSwitch is reached through its run
// directory (db.sock, ovs-vswitchd.ctl, <bridge>.mgmt). Tools run through execa with argument
// arrays; every name reaching a command line is validated first.
import { execa } from 'execa';
import { join } from 'node:path';
import { parseCtlJson, type DbRow } from './ctl-json';
import { assertBridge, assertOvnName } from './names';
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

export class LocalOvnTarget implements OvnTarget {
  constructor(private readonly o: LocalTargetOptions) {}

  describe(): string {
    return this.o.label ?? `local OVN (NB ${this.o.nbRemote})`;
  }

  async nodes(): Promise<string[]> {
    return this.o.nodes.map((n) => n.name);
  }

  async listRows(db: OvnDb, table: string): Promise<DbRow[]> {
    if (!TABLE.test(table)) throw new OvnTargetError(`invalid table name "${table}"`);
    const [tool, remote, what] = db === 'nb'
      ? ['ovn-nbctl', this.o.nbRemote, 'Northbound']
      : ['ovn-sbctl', this.o.sbRemote, 'Southbound'];
    const out = await this.run(tool, [`--db=${remote}`, '--format=json', '--timeout=10', 'list', table], {}, () =>
      `cannot read the OVN ${what} database at ${remote}: is it running? Start the lab (\`ovnlab lab up\`) or pass --${db === 'nb' ? 'db' : 'sb'}`);
    return parseCtlJson(out);
  }

  async listOvsRows(node: string, table: string): Promise<DbRow[]> {
    if (!TABLE.test(table)) throw new OvnTargetError(`invalid table name "${table}"`);
    const n = this.node(node);
    const sock = `unix:${join(n.runDir, 'db.sock')}`;
    const out = await this.run('ovs-vsctl', [`--db=${sock}`, '--format=json', '--timeout=10', 'list', table], {}, () =>
      `cannot read Open vSwitch on node ${node} (${sock}): is its ovsdb-server running?`);
    return parseCtlJson(out);
  }

  async dumpFlows(node: string, bridge: string, opts: FlowDumpOptions = {}): Promise<string> {
    const n = this.node(node);
    assertBridge(bridge);
    const args = ['dump-flows', ...(opts.names ? ['--names'] : []), ...(opts.noStats ? ['--no-stats'] : []), bridge];
    return this.run('ovs-ofctl', args, { OVS_RUNDIR: n.runDir }, () =>
      `cannot dump flows of ${bridge} on node ${node}: is ovs-vswitchd running there and does the bridge exist?`);
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

  async close(): Promise<void> {}

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

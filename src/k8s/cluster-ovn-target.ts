// The OvnTarget for a real cluster: every inspection runs in the pod `kubectl ko` would use —
// ovn-nbctl in the NB leader's ovn-central container, ovn-sbctl and ovn-trace in the SB
// leader's, ovs-vsctl/ovs-ofctl/ovs-appctl in the node's openvswitch container — through the
// API server's exec endpoint. Names reaching a command line are validated first; argv goes
// to the container as an array, never through a shell.
import { parseCtlJson, type DbRow } from '../ovn/ctl-json';
import { assertBridge, assertOvnName } from '../ovn/names';
import { dumpFlowsNegotiating } from '../ovn/dump-flows-args';
import { OvnTargetError, type FlowDumpOptions, type OvnDb, type OvnTarget } from '../ovn/ovn-target';
import type { KubeClient } from './kube-client';
import { type ExecResult, type PodExecTarget, execInPod, findOvnCentralLeader, findOvsPod, ovsPodsByNode } from './ovn-pods';

const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export type PodExec = (target: PodExecTarget, argv: readonly string[]) => Promise<ExecResult>;

export interface ClusterTargetOptions {
  /** the namespace Kube-OVN runs in (default kube-system) */
  namespace?: string;
  timeoutMs?: number;
  /** how commands run in a pod (default: the API server's exec); tests give their own */
  exec?: PodExec;
}

export class ClusterOvnTarget implements OvnTarget {
  private readonly exec: PodExec;

  constructor(
    private readonly client: KubeClient,
    private readonly opts: ClusterTargetOptions = {},
  ) {
    this.exec = opts.exec ?? ((target, argv) => execInPod(client, target, argv, { timeoutMs: opts.timeoutMs ?? 60_000 }));
  }

  describe(): string {
    return `cluster context ${this.client.context} (${this.client.server})`;
  }

  async nodes(): Promise<string[]> {
    return [...(await ovsPodsByNode(this.client, { namespace: this.opts.namespace })).keys()];
  }

  async listRows(db: OvnDb, table: string): Promise<DbRow[]> {
    if (!TABLE.test(table)) throw new OvnTargetError(`invalid table name "${table}"`);
    const pod = await findOvnCentralLeader(this.client, db, { namespace: this.opts.namespace });
    const tool = db === 'nb' ? 'ovn-nbctl' : 'ovn-sbctl';
    return parseCtlJson(await this.run(pod, [tool, '--format=json', '--timeout=10', 'list', table]));
  }

  async listOvsRows(node: string, table: string): Promise<DbRow[]> {
    if (!TABLE.test(table)) throw new OvnTargetError(`invalid table name "${table}"`);
    const pod = await this.ovsPod(node);
    return parseCtlJson(await this.run(pod, ['ovs-vsctl', '--format=json', '--timeout=10', 'list', table]));
  }

  async dumpFlows(node: string, bridge: string, opts: FlowDumpOptions = {}): Promise<string> {
    assertBridge(bridge);
    const pod = await this.ovsPod(node);
    return dumpFlowsNegotiating((args) => this.run(pod, ['ovs-ofctl', ...args]), bridge, opts);
  }

  async ovnTrace(datapath: string, microflow: string): Promise<string> {
    assertOvnName('logical datapath', datapath);
    const pod = await findOvnCentralLeader(this.client, 'sb', { namespace: this.opts.namespace });
    return this.run(pod, ['ovn-trace', '--detailed', '--ct=new', datapath, microflow]);
  }

  async ofprotoTrace(node: string, bridge: string, flow: string): Promise<string> {
    assertBridge(bridge);
    const pod = await this.ovsPod(node);
    return this.run(pod, ['ovs-appctl', 'ofproto/trace', bridge, flow]);
  }

  async close(): Promise<void> {}

  private async ovsPod(node: string): Promise<PodExecTarget> {
    assertOvnName('node', node);
    return findOvsPod(this.client, node, { namespace: this.opts.namespace });
  }

  private async run(pod: PodExecTarget, argv: string[]): Promise<string> {
    let r: ExecResult;
    try {
      r = await this.exec(pod, argv);
    } catch (e) {
      throw new OvnTargetError(`${argv[0]} in ${pod.namespace}/${pod.pod}: ${(e as Error).message}`);
    }
    if (r.exitCode !== 0) {
      const stderr = r.stderr.trim().split('\n').slice(-3).join(' | ');
      throw new OvnTargetError(`${argv[0]} failed in ${pod.namespace}/${pod.pod} (container ${pod.container}, exit ${r.exitCode}): ${stderr || 'no error output'}`);
    }
    return r.stdout;
  }
}

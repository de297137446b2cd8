// Finds the pods a cluster's OVN lives in, the way `kubectl ko` does, and runs commands in
// them through the API server's exec endpoint (no kubectl needed):
//   NB tools (ovn-nbctl)         → app=ovn-central,ovn-nb-leader=true, container ovn-central
//   SB tools (ovn-sbctl, trace)  → app=ovn-central,ovn-sb-leader=true, container ovn-central
//   OVS tools on node N          → app=ovs with spec.nodeName=N,       container openvswitch
import { Writable } from 'node:stream';
import { Exec } from '@kubernetes/client-node';
import type { KubeClient } from './kube-client';
import { getObject } from './kube-objects';
import { checkLabel, checkSubdomain } from './names';
import { RESOURCES, resourcePath } from './resource-catalogue';
import type { KubeList, Pod } from './resources';

export const KUBE_OVN_NAMESPACE = 'kube-system';
export const OVN_CENTRAL_CONTAINER = 'ovn-central';
export const OVS_CONTAINER = 'openvswitch';

export interface PodExecTarget {
  namespace: string;
  pod: string;
  container: string;
  node?: string;
}

export interface OvnPodsOptions {
  /** where Kube-OVN runs (default kube-system; some installs use kube-ovn) */
  namespace?: string;
  signal?: AbortSignal;
}

export class OvnPodNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OvnPodNotFoundError';
  }
}

async function listPods(client: KubeClient, namespace: string, labelSelector: string, fieldSelector?: string, signal?: AbortSignal): Promise<Pod[]> {
  const list = await client.request<KubeList<Pod>>('GET', resourcePath(RESOURCES.pods, namespace), { query: { labelSelector, fieldSelector }, signal });
  return list.items;
}

function hasContainer(pod: Pod, container: string): boolean {
  return (pod.spec?.containers ?? []).some((c) => c.name === container);
}

/** Running pods whose container is ready first (as `kubectl ko` wants 1/1 Running), then by name for a stable pick. */
function rank(pods: Pod[], container: string): Pod[] {
  const score = (p: Pod): number => {
    const running = p.status?.phase === 'Running' ? 2 : 0;
    const ready = p.status?.containerStatuses?.find((c) => c.name === container)?.ready ? 1 : 0;
    return running + ready;
  };
  return pods
    .filter((p) => !p.metadata.deletionTimestamp && hasContainer(p, container))
    .sort((a, b) => score(b) - score(a) || a.metadata.name.localeCompare(b.metadata.name));
}

/** The ovn-central pod holding the NB or SB raft leadership. */
export async function findOvnCentralLeader(client: KubeClient, db: 'nb' | 'sb', opts: OvnPodsOptions = {}): Promise<PodExecTarget> {
  const ns = checkLabel('Kube-OVN namespace', opts.namespace ?? KUBE_OVN_NAMESPACE);
  const selector = `app=ovn-central,ovn-${db}-leader=true`;
  const pods = rank(await listPods(client, ns, selector, undefined, opts.signal), OVN_CENTRAL_CONTAINER);
  if (pods.length === 0) {
    const any = await listPods(client, ns, 'app=ovn-central', undefined, opts.signal);
    const hint = any.length
      ? `${any.length} ovn-central pod(s) exist but none is labelled ovn-${db}-leader=true: the ${db.toUpperCase()} raft cluster may have no leader; check \`kubectl -n ${ns} logs -l app=ovn-central\``
      : `no ovn-central pods at all in ${ns}: is Kube-OVN installed there? (set the Kube-OVN namespace if it is not ${KUBE_OVN_NAMESPACE})`;
    throw new OvnPodNotFoundError(`no ${db.toUpperCase()} leader pod (${selector}) with container ${OVN_CENTRAL_CONTAINER} in ${ns}: ${hint}`);
  }
  const p = pods[0];
  return { namespace: ns, pod: p.metadata.name, container: OVN_CENTRAL_CONTAINER, node: p.spec?.nodeName };
}

/** The ovs-ovn pod (app=ovs) on `node`. */
export async function findOvsPod(client: KubeClient, node: string, opts: OvnPodsOptions = {}): Promise<PodExecTarget> {
  const ns = checkLabel('Kube-OVN namespace', opts.namespace ?? KUBE_OVN_NAMESPACE);
  checkSubdomain('node name', node);
  const pods = rank(await listPods(client, ns, 'app=ovs', `spec.nodeName=${node}`, opts.signal), OVS_CONTAINER);
  if (pods.length === 0) {
    const n = await getObject(client, 'nodes', undefined, node, opts.signal);
    if (!n) {
      const known = (await ovsPodsByNode(client, opts)).keys();
      throw new OvnPodNotFoundError(`node "${node}" does not exist: nodes with Open vSwitch pods are ${[...known].join(', ') || 'none'}`);
    }
    throw new OvnPodNotFoundError(`no Open vSwitch pod (app=ovs, container ${OVS_CONTAINER}) on node ${node} in ${ns}: is the ovs-ovn DaemonSet scheduled there?`);
  }
  return { namespace: ns, pod: pods[0].metadata.name, container: OVS_CONTAINER, node };
}

/** node name → its Open vSwitch pod, for every node that has one. */
export async function ovsPodsByNode(client: KubeClient, opts: OvnPodsOptions = {}): Promise<Map<string, PodExecTarget>> {
  const ns = checkLabel('Kube-OVN namespace', opts.namespace ?? KUBE_OVN_NAMESPACE);
  const out = new Map<string, PodExecTarget>();
  for (const p of rank(await listPods(client, ns, 'app=ovs', undefined, opts.signal), OVS_CONTAINER)) {
    const node = p.spec?.nodeName;
    if (node && !out.has(node)) out.set(node, { namespace: ns, pod: p.metadata.name, container: OVS_CONTAINER, node });
  }
  return new Map([...out].sort((a, b) => a[0].localeCompare(b[0])));
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Exit code from the exec Status: Success → 0, NonZeroExitCode → its ExitCode cause. */
export function exitCodeOf(status: { status?: string; reason?: string; message?: string; details?: { causes?: { reason?: string; message?: string }[] } }): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const n = Number(cause?.message);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * Runs `argv` (no shell) in a container through the API server's exec endpoint, collecting
 * stdout/stderr. Needs a kubelet on the pod's node to answer, so it only works on a real cluster.
 */
export async function execInPod(client: KubeClient, target: PodExecTarget, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  checkLabel('namespace', target.namespace);
  checkSubdomain('pod name', target.pod);
  checkLabel('container name', target.container);
  if (argv.length === 0) throw new Error('execInPod: no command given');
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (into: Buffer[]): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        into.push(chunk);
        cb();
      },
    });
  const where = `${target.namespace}/${target.pod} (container ${target.container})`;
  return new Promise<ExecResult>((resolve, reject) => {
    let ws: { close(): void } | undefined;
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      ws?.close();
      finish(() => reject(new Error(`exec in ${where} was cancelled`)));
    };
    const timer = setTimeout(() => {
      ws?.close();
      finish(() => reject(new Error(`exec of ${argv[0]} in ${where} timed out after ${opts.timeoutMs ?? 60_000} ms`)));
    }, opts.timeoutMs ?? 60_000);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    new Exec(client.kubeConfig)
      .exec(target.namespace, target.pod, target.container, [...argv], sink(out), sink(err), null, false, (status) => {
        finish(() => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: exitCodeOf(status) }));
      })
      .then((socket) => {
        ws = socket;
        if (done) socket.close();
        // A socket that closes without a status (old servers) still ends the call.
        socket.on('close', () => finish(() => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: 0 })));
      })
      .catch((e: unknown) => finish(() => reject(new Error(`cannot exec in ${where}: ${(e as Error).message ?? String(e)}`))));
  });
}

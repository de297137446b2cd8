// The one interface both lab backends implement (`local`: real OVN daemons on emulated nodes,
// `kind`: a kind cluster with Kube-OVN + KubeVirt). The CLI and the editor talk only to this.
// Every backend keeps its state in a lab directory it owns (lab.json there), so `down` can
// remove exactly what `up` made, even after a crash or a cancelled `up`.
import { homedir } from 'node:os';
import { join } from 'node:path';

export type LabBackendKind = 'local' | 'kind';

/** Progress of long work: one line per step, with a fraction 0..1 when it is known. */
export type LabProgress = (step: string, fraction?: number) => void;

export interface LabUpOptions {
  /** number of emulated nodes (default 3: ovnlab-control-plane, ovnlab-worker, ovnlab-worker2) */
  nodes?: number;
  /** CIDR of the default subnet `ovn-default` (default 10.16.0.0/16, seed 003 uses 100.0.0.0/16) */
  defaultSubnetCidr?: string;
  /** also run a real kube-apiserver + etcd with the CRDs (kubeconfig in the lab directory) */
  kube?: boolean;
}

export interface LabNodeStatus {
  name: string;
  role: 'control-plane' | 'worker';
  /** geneve tunnel endpoint */
  encapIp?: string;
  /** ovn-controller registered its chassis in the SB database */
  chassisUp: boolean;
  /** this node carries the external gateway (ovn-external-gw-config) */
  gateway: boolean;
}

export interface LabVmStatus {
  name: string;
  namespace: string;
  /** KubeVirt printableStatus: Running, Stopped, Migrating, ErrorUnschedulable… */
  phase: string;
  node?: string;
  ip?: string;
  mac?: string;
  /** the IP came from `ovn.kubernetes.io/ip_address` */
  pinned: boolean;
  /** OVN logical switch port (`<vm>.<ns>`) */
  port?: string;
  /** why the VM is not running as asked, when it is not */
  message?: string;
}

export interface LabStatus {
  backend: LabBackendKind;
  dir: string;
  /** up: everything runs; down: nothing recorded; broken: recorded but some part is gone */
  state: 'up' | 'down' | 'broken';
  nodes: LabNodeStatus[];
  vms: LabVmStatus[];
  /** things the user should know once (no root → no pings…) */
  notes: string[];
  kubeconfig?: string;
  /** NB database remote (unix:…) for `ovnlab nb …` and the panels */
  nbRemote?: string;
  sbRemote?: string;
}

export interface LabExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface LabApplyResult {
  /** one line per object, kubectl style: "virtualmachine default/testvm configured" */
  applied: string[];
  /** objects that were accepted but could not be realised, with the reason (also on their status) */
  problems: string[];
}

export interface LabBackend {
  readonly kind: LabBackendKind;
  readonly dir: string;
  /** Brings the lab up. A failure or an abort removes what was made before rejecting. */
  up(opts: LabUpOptions, progress: LabProgress, signal?: AbortSignal): Promise<LabStatus>;
  /** Removes everything the lab made (processes, namespaces, links, its state); idempotent. */
  down(progress?: LabProgress): Promise<void>;
  status(): Promise<LabStatus>;
  /** Runs a command inside a VM (`<vm>` or `<vm>.<ns>`; also `outside` for the external network). */
  exec(vm: string, cmd: string[], opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<LabExecResult>;
  /** Applies Kubernetes YAML (one or many documents) to the lab. */
  apply(yamlText: string, source?: string): Promise<LabApplyResult>;
}

/** `$XDG_STATE_HOME/ovnlab/lab`, or `~/.local/state/ovnlab/lab`. */
export function defaultLabDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'ovnlab', 'lab');
}

/** The state file every backend keeps in its lab directory. */
export const LAB_STATE_FILE = 'lab.json';

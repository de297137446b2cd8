// The local lab's state file (<lab dir>/lab.json). Everything `up` makes outside the lab
// directory (network namespaces) is recorded here BEFORE it is made, so `down` can remove
// exactly that after a crash, a failure or a cancelled `up`. Daemons live in directories
// under the lab directory and are stopped by their pidfiles.
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LAB_STATE_FILE } from '../lab-backend';
import type { DatapathType } from './ovn-daemons';

export interface LocalLabNode {
  name: string;
  role: 'control-plane' | 'worker';
  /** daemon directory (run/, db/, log/) */
  dir: string;
  /** network namespace the node's daemons run in (root only) */
  netns?: string;
  encapIp: string;
  /** MAC of br-phy, for tnl/neigh pre-fill on the peers */
  phyMac: string;
  /** join-network address of the node's ovn0 port */
  joinIp?: string;
  joinMac?: string;
}

/** A VM's NIC as it is plugged right now (the data plane side). */
export interface LocalLabVmPlug {
  port: string;
  node: string;
  netns: string;
  /** veth end on the node, a br-int port */
  hostIf: string;
  mac: string;
  ip: string;
  prefix: number;
  gateway: string;
}

export interface LocalLabOutside {
  netns: string;
  node: string;
  /** e.g. 192.168.100.1/24 */
  cidr: string;
  hostIf: string;
}

export interface LocalLabState {
  version: 1;
  backend: 'local';
  /** short random id in every namespace name, so two labs (or a user's own namespaces) never clash */
  id: string;
  phase: 'starting' | 'up' | 'stopping';
  datapath: DatapathType;
  createdAt: string;
  defaultSubnetCidr: string;
  centralDir: string;
  /** every namespace ever created by this lab, recorded before creation */
  namespaces: string[];
  underlayNetns?: string;
  nodes: LocalLabNode[];
  vms: Record<string, LocalLabVmPlug>;
  outside?: LocalLabOutside;
  /** the lab's kube-apiserver (lab up --kube): its directory and the admin kubeconfig */
  kube?: { dir: string; kubeconfig: string };
  /** the node whose br-external carries the external network, when the ConfigMap asks for one */
  gatewayNode?: string;
}

export function statePath(dir: string): string {
  return join(dir, LAB_STATE_FILE);
}

export async function readLabState(dir: string): Promise<LocalLabState | undefined> {
  let text: string;
  try {
    text = await readFile(statePath(dir), 'utf8');
  } catch {
    return undefined;
  }
  const s = JSON.parse(text) as LocalLabState;
  if (s.backend !== 'local' || s.version !== 1) throw new Error(`${statePath(dir)} is not a local lab state file (backend ${String(s.backend)}): use the backend that made it`);
  return s;
}

/** Atomic: a crash mid-write leaves the previous state, never half a file. */
export async function writeLabState(dir: string, s: LocalLabState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = `${statePath(dir)}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(s, null, 2) + '\n');
  await rename(tmp, statePath(dir));
}

// Which OVN the CLI inspects: --db/--sb (or OVN_NB_DB/OVN_SB_DB) for the central databases and
// --node NAME=RUNDIR (or OVS_RUNDIR) for each node's Open vSwitch; without those, the local lab
// (--lab DIR, or the default lab directory when a lab is up there); else the system's OVN.
// localLabDir is the one place the CLI turns --dir/--lab and OVNLAB_LAB_DIR into a lab directory.
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { LocalOvnTarget, type LocalNode } from '../ovn/local-target';
import { localLabTarget } from '../lab/local/lab-target';
import { defaultLabDir } from '../lab/lab-backend';
import type { OptionSpec } from './command';
import { UsageError } from './command';

export const targetOptions: OptionSpec = {
  db: { type: 'string' },
  sb: { type: 'string' },
  node: { type: 'string', multiple: true },
  lab: { type: 'string' },
};

export const TARGET_USAGE = '[--lab DIR | --db NB --sb SB --node NAME=OVS_RUNDIR…]';

/** The local lab's directory: the DIR given (--dir, or --lab), else OVNLAB_LAB_DIR, else the default; absolute. */
export function localLabDir(dir: unknown, env: NodeJS.ProcessEnv): string {
  if (typeof dir === 'string') return resolve(dir);
  return env.OVNLAB_LAB_DIR ? resolve(env.OVNLAB_LAB_DIR) : defaultLabDir(env);
}

export async function targetFrom(values: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<LocalOvnTarget> {
  const explicit = values.db !== undefined || values.sb !== undefined || values.node !== undefined || env.OVN_NB_DB !== undefined;
  if (typeof values.lab === 'string' || !explicit) {
    const dir = localLabDir(values.lab, env);
    const lab = await localLabTarget(dir);
    if (lab) return lab;
    if (typeof values.lab === 'string') throw new UsageError(`no local lab is up in ${dir}: start one with \`ovnlab lab up --dir ${dir}\``);
  }
  return localTargetFrom(values, env);
}

export function localTargetFrom(values: Record<string, unknown>, env: NodeJS.ProcessEnv): LocalOvnTarget {
  const nbRemote = (values.db as string | undefined) ?? env.OVN_NB_DB ?? `unix:${env.OVN_RUNDIR ?? '/var/run/ovn'}/ovnnb_db.sock`;
  const sbRemote = (values.sb as string | undefined) ?? env.OVN_SB_DB ?? `unix:${env.OVN_RUNDIR ?? '/var/run/ovn'}/ovnsb_db.sock`;
  const nodes: LocalNode[] = [];
  for (const spec of (values.node as string[] | undefined) ?? []) {
    const i = spec.indexOf('=');
    if (i <= 0 || i === spec.length - 1) throw new UsageError(`--node takes NAME=OVS_RUNDIR (e.g. --node node1=/tmp/lab/node1/run), got "${spec}"`);
    nodes.push({ name: spec.slice(0, i), runDir: spec.slice(i + 1) });
  }
  if (nodes.length === 0) nodes.push({ name: hostname(), runDir: env.OVS_RUNDIR ?? '/var/run/openvswitch' });
  return new LocalOvnTarget({ nbRemote, sbRemote, nodes });
}

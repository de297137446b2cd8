// `ovnlab lab up|down|status|exec|apply --backend kind`: the kind lab from the terminal. The lab
// verbs live in lab.ts (the local lab's file); each takes `--backend` and hands the kind case
// to runKindLab here, so the kind options and output stay in one place.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo, OptionSpec } from '../command';
import { UsageError } from '../command';
import type { LabStatus } from '../../lab/lab-backend';
import { KindLab, defaultKindLabDir, type KindToolWord } from '../../lab/kind/kind-lab';
import { DEFAULT_KIND_PLAN_OPTIONS, type KindPlanOptions } from '../../lab/kind/plan';

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** `--backend local|kind` plus the kind lab's own `lab up` options. */
export const backendOption: OptionSpec = {
  backend: { type: 'string' },
  gateway: { type: 'string' },
  'external-subnet': { type: 'string' },
  emulation: { type: 'boolean' },
};

/** The backend asked for: --backend, else $OVNLAB_LAB_BACKEND, else local. */
export function requestedBackend(v: Values, env: NodeJS.ProcessEnv): 'local' | 'kind' {
  const b = typeof v.backend === 'string' ? v.backend : env.OVNLAB_LAB_BACKEND || 'local';
  if (b !== 'local' && b !== 'kind') throw new UsageError(`--backend takes local or kind, got "${b}"`);
  return b;
}

const TOOL_ENV: Record<KindToolWord, string> = {
  kind: 'OVNLAB_KIND',
  kubectl: 'OVNLAB_KUBECTL',
  helm: 'OVNLAB_HELM',
  virtctl: 'OVNLAB_VIRTCTL',
  docker: 'OVNLAB_DOCKER',
  'ssh-keygen': 'OVNLAB_SSH_KEYGEN',
};

function kindLab(v: Values, io: CliIo, plan: Partial<Omit<KindPlanOptions, 'labDir'>> = {}): KindLab {
  const dir = typeof v.dir === 'string' ? resolve(v.dir) : io.env.OVNLAB_KIND_LAB_DIR ? resolve(io.env.OVNLAB_KIND_LAB_DIR) : defaultKindLabDir(io.env);
  const tools: Partial<Record<KindToolWord, string>> = {};
  for (const [tool, name] of Object.entries(TOOL_ENV) as [KindToolWord, string][]) if (io.env[name]) tools[tool] = io.env[name];
  return new KindLab(dir, { tools, env: io.env, plan, kvm: v.emulation === true ? false : undefined });
}

function upPlanOptions(v: Values): Partial<Omit<KindPlanOptions, 'labDir'>> {
  const plan: Partial<Omit<KindPlanOptions, 'labDir'>> = {};
  if (v.gateway !== undefined) {
    if (v.gateway !== 'centralized' && v.gateway !== 'distributed') throw new UsageError(`--gateway takes centralized or distributed, got "${String(v.gateway)}"`);
    plan.gatewayType = v.gateway;
  }
  if (typeof v['external-subnet'] === 'string') {
    const cidr = v['external-subnet'];
    const m = /^(\d+)\.(\d+)\.(\d+)\.0\/24$/.exec(cidr);
    if (!m || m.slice(1).some((o) => Number(o) > 255)) throw new UsageError(`--external-subnet takes a /24 such as 192.168.100.0/24, got "${cidr}"`);
    const net = `${m[1]}.${m[2]}.${m[3]}`;
    plan.externalNetwork = { ...DEFAULT_KIND_PLAN_OPTIONS.externalNetwork, subnet: cidr, gateway: `${net}.1`, dockerRange: `${net}.0/25`, nicIp: `${net}.254/24` };
    plan.sampleEip = `${net}.200`;
  }
  return plan;
}

export function formatKindStatus(s: LabStatus): string {
  if (s.state === 'down') return `no kind lab (run \`ovnlab lab up --backend kind\`)${s.notes.length ? `\nnote: ${s.notes.join('\nnote: ')}` : ''}`;
  const lines = [`kind lab in ${s.dir}: ${s.state}`, '', 'NODE                      ROLE           INTERNAL IP     READY    GATEWAY'];
  for (const n of s.nodes) lines.push(`${n.name.padEnd(25)} ${n.role.padEnd(14)} ${(n.encapIp ?? '').padEnd(15)} ${(n.chassisUp ? 'yes' : 'NO').padEnd(8)} ${n.gateway ? 'yes' : ''}`);
  if (s.vms.length > 0) {
    lines.push('', 'VM                        PHASE        NODE                      IP               MAC');
    for (const vm of s.vms) lines.push(`${`${vm.namespace}/${vm.name}`.padEnd(25)} ${vm.phase.padEnd(12)} ${(vm.node ?? '').padEnd(25)} ${(vm.ip ?? '').padEnd(16)} ${vm.mac ?? ''}`);
  }
  for (const n of s.notes) lines.push('', `note: ${n}`);
  return lines.join('\n');
}

/** Runs a lab verb against the kind lab; returns the exit code. */
export async function runKindLab(verb: 'up' | 'down' | 'status' | 'exec' | 'apply', v: Values, positionals: string[], io: CliIo): Promise<number> {
  switch (verb) {
    case 'up': {
      const nodes = v.nodes === undefined ? 3 : Number(v.nodes);
      if (!Number.isInteger(nodes) || nodes < 2 || nodes > 9) throw new UsageError(`--nodes takes a whole number from 2 to 9 for the kind lab (1 control plane + workers), got "${String(v.nodes)}"`);
      const lab = kindLab(v, io, upPlanOptions(v));
      try {
        const st = await lab.up({ nodes, defaultSubnetCidr: v['default-cidr'] as string | undefined }, (line) => io.err(line), io.signal);
        io.out(v.json ? JSON.stringify(st, null, 2) : formatKindStatus(st));
        return st.state === 'up' ? 0 : 1;
      } catch (e) {
        throw new UsageError((e as Error).message, 1);
      }
    }
    case 'down':
      await kindLab(v, io).down((line) => io.err(line));
      return 0;
    case 'status': {
      const st = await kindLab(v, io).status();
      io.out(v.json ? JSON.stringify(st, null, 2) : formatKindStatus(st));
      return st.state === 'up' ? 0 : st.state === 'down' ? 3 : 1;
    }
    case 'exec': {
      const [vm, ...cmd] = positionals;
      if (!vm || cmd.length === 0) throw new UsageError('usage: ovnlab lab exec --backend kind VM -- CMD [ARGS…] (e.g. ovnlab lab exec --backend kind vm1 -- ping -c1 10.16.0.1)');
      const r = await kindLab(v, io).exec(vm, cmd, { signal: io.signal });
      if (r.stdout) io.out(r.stdout);
      if (r.stderr) io.err(r.stderr);
      return r.exitCode;
    }
    case 'apply': {
      const files = (v.filename as string[] | undefined) ?? [];
      if (files.length === 0) throw new UsageError('lab apply needs -f FILE (or -f - for stdin)');
      const lab = kindLab(v, io);
      let failed = false;
      for (const f of files) {
        const text = f === '-' ? await io.readStdin() : await readFile(f, 'utf8').catch((e: Error) => Promise.reject(new UsageError(`cannot read ${f}: ${e.message}`)));
        const r = await lab.apply(text, f);
        for (const l of r.applied) io.out(l);
        for (const p of r.problems) io.err(`error: ${p}`);
        failed ||= r.problems.length > 0;
      }
      return failed ? 1 : 0;
    }
  }
}

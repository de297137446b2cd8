// `ovnlab lab up` to three nodes plus two VMs on two workers answering a cross-node ping, against
// the same daemons, topology and VMs started by a bare shell script (bench/lab-bare.sh) in the
// same run. Median of three runs each, alternating; everything is torn down after each run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { LocalLab } from '../src/lab/local/local-lab';
import { readLabState } from '../src/lab/local/lab-state';
import { canUseNetns } from '../src/lab/local/netns';
import { result, type BenchResult } from './result';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.env.OVNLAB_BENCH_LAB_RUNS ?? 3);

const VMS = ['vm1', 'vm2'].map((n) => `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: ${n}, namespace: default}
spec:
  runStrategy: Always
  template: {metadata: {annotations: {}}, spec: {}}
`).join('---\n');

async function firstPing(netns: string, ip: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await execa('ip', ['netns', 'exec', netns, 'ping', '-c1', '-W0.2', ip], { reject: false });
    if (r.exitCode === 0) return;
  }
  throw new Error(`no answer from ${ip} in ${netns}`);
}

async function ours(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'ovnlab-bench-lab-'));
  const lab = new LocalLab(dir);
  try {
    const t0 = performance.now();
    await lab.up({ nodes: 3 }, () => undefined);
    const r = await lab.apply(VMS, 'bench');
    if (r.problems.length > 0) throw new Error(r.problems.join('; '));
    const st = (await readLabState(dir))!;
    const vm1 = st.vms['vm1.default'];
    const vm2 = st.vms['vm2.default'];
    if (vm1.node === vm2.node) throw new Error('the two VMs landed on one node');
    await firstPing(vm1.netns, vm2.ip);
    return (performance.now() - t0) / 1000;
  } finally {
    await lab.down();
    await rm(dir, { recursive: true, force: true });
  }
}

async function bare(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'ovnlab-bench-bare-'));
  const id = randomBytes(2).toString('hex');
  const script = join(here, 'lab-bare.sh');
  try {
    const t0 = performance.now();
    await execa(script, ['up', dir, id]);
    return (performance.now() - t0) / 1000;
  } finally {
    await execa(script, ['down', dir, id], { reject: false });
    await rm(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export default async function labBench(): Promise<BenchResult[]> {
  if (!canUseNetns()) throw new Error('the lab bench needs root (network namespaces): run it as root, as CI does');
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    b.push(await bare());
    a.push(await ours());
  }
  const value = median(a);
  const baseline = median(b);
  return [
    result('lab up: 3 nodes + 2 VMs pinging across nodes (ratio to bare shell start)', value, baseline, 's', 1.5),
    // the absolute budget, against the same run's bare start as baseline
    result('lab up: 3 nodes + 2 VMs pinging across nodes (budget 3 s)', value, baseline, 's', 3, 'value'),
  ];
}

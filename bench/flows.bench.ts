// Flow parsing speed against the tool itself: 100k OVN-shaped flows are loaded into a real
// ovs-vswitchd bridge (`ovs-ofctl add-flows`); the baseline is the time `ovs-ofctl dump-flows`
// takes to print them, the value is the time we take to parse such a dump and diff it against
// the previous one (what each refresh of a watch does), and, as further figures, to parse both.
// The flows are the real flows ovn-controller installs for the sandbox topology
// (test/fixtures/ovn-output/dump-flows-br-int-no-stats.txt), copied for many datapaths
// (a distinct `metadata` per copy, as OVN gives each logical datapath) until there are 100k.
// Everything runs in a throw-away network namespace and directory, removed afterwards.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startChassis, type OvsChassis } from '../src/lab/local/ovn-daemons';
import { addNetns, delNetns, canUseNetns } from '../src/lab/local/netns';
import { parseFlowDump, parseFlowColumns, type Flow } from '../src/ovn/flow-dump';
import { diffFlows, diffFlowColumns } from '../src/ovn/flow-diff';
import { result, type BenchResult } from './result';

const FLOWS = Number(process.env.OVNLAB_BENCH_FLOWS ?? 100_000);
const RUNS = 5;
const here = dirname(fileURLToPath(import.meta.url));

/** add-flows lines: the sandbox's real flows, one copy per fake datapath, until `n` lines. */
export function ovnLikeFlows(template: Flow[], n: number): string[] {
  const lines: string[] = [];
  for (let copy = 0; lines.length < n; copy++) {
    for (const f of template) {
      if (lines.length >= n) break;
      // each copy gets its own metadata range, keeping the original datapath's low bits
      const fields = f.matchFields.map((m) => {
        if (m.field !== 'metadata' || m.value === undefined) return m.value === undefined ? m.field : `${m.field}=${m.value}`;
        return `metadata=0x${((copy << 8) | Number(m.value)).toString(16)}`;
      });
      if (!f.matchFields.some((m) => m.field === 'metadata')) fields.push(`metadata=0x${(copy << 8).toString(16)}`);
      const cookie = `0x${((Number.parseInt(f.cookie, 16) ^ copy) >>> 0).toString(16)}`;
      lines.push(`cookie=${cookie},table=${f.table},priority=${f.priority},${fields.join(',')} actions=${f.actions}`);
    }
  }
  return lines;
}

/** CPU seconds (user + system) of a process, or of the children this process reaped, from /proc. */
async function procCpu(pid: number | 'self-children'): Promise<number> {
  const stat = await readFile(`/proc/${pid === 'self-children' ? 'self' : pid}/stat`, 'utf8');
  // fields after the command name (which may hold spaces) start at state, field 3
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = pid === 'self-children' ? Number(f[13]) + Number(f[14]) : Number(f[11]) + Number(f[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

/**
 * Waits until a process is idle (under 5% of a core over half a second, 30 s at most): after
 * `add-flows` of 100k flows ovs-vswitchd keeps working for a while, and a dump timed then
 * measures that work too.
 */
export async function waitForIdle(pid: number): Promise<void> {
  const end = performance.now() + 30_000;
  while (performance.now() < end) {
    const c0 = await procCpu(pid);
    await new Promise((r) => setTimeout(r, 500));
    if ((await procCpu(pid)) - c0 < 0.025) return;
  }
}

/** The best of several runs, for both sides: on a shared machine the other runs measure the neighbours. */
function best(xs: number[]): number {
  return Math.min(...xs);
}

export default async function flowsBench(): Promise<BenchResult[]> {
  if (!canUseNetns()) throw new Error('the flows bench needs root (a network namespace for its ovs-vswitchd): run it as root, as CI does');
  const id = randomBytes(3).toString('hex');
  const netns = `ovb${id}`;
  const dir = await mkdtemp(join(tmpdir(), 'ovnlab-bench-flows-'));
  let chassis: OvsChassis | undefined;
  await addNetns(netns);
  try {
    // ovn-controller has no SB to talk to here: only ovs-vswitchd and the separate bridge matter
    chassis = await startChassis({ dir: join(dir, 'ovs'), name: `bench${id}`, sbRemote: `unix:${join(dir, 'no-sb.sock')}`, datapathType: 'dummy', netns });
    const ch = chassis;
    await ch.vsctl(['add-br', 'brbench', '--', 'set', 'bridge', 'brbench', 'datapath_type=dummy', 'fail-mode=secure',
      '--', 'add-port', 'brbench', 'p1', '--', 'set', 'interface', 'p1', 'type=dummy', 'ofport_request=1']);
    const template = parseFlowDump(await readFile(join(here, '..', 'test', 'fixtures', 'ovn-output', 'dump-flows-br-int-no-stats.txt'), 'utf8'));
    if (template.errors.length > 0) throw new Error(`template flows do not parse: line ${template.errors[0].line}: ${template.errors[0].reason}`);
    const file = join(dir, 'flows.txt');
    const tLoad = performance.now();
    await writeFile(file, ovnLikeFlows(template.flows, FLOWS).join('\n') + '\n');
    await ch.shell.run('ovs-ofctl', ['add-flows', 'brbench', file], { timeoutMs: 600_000 });
    console.error(`loaded ${FLOWS} flows in ${((performance.now() - tLoad) / 1000).toFixed(1)} s`);

    // wall time of the dump, and its CPU time: ovs-ofctl's (a child we reap) plus ovs-vswitchd's
    // serving it. On a busy shared machine wall times measure the neighbours too; CPU does not.
    const vswitchd = Number((await readFile(join(dir, 'ovs', 'run', 'ovs-vswitchd.pid'), 'utf8')).trim());
    await waitForIdle(vswitchd);
    const dumpTimes: number[] = [];
    const dumpCpu: number[] = [];
    let first = '';
    for (let i = 0; i < RUNS; i++) {
      const c0 = (await procCpu('self-children')) + (await procCpu(vswitchd));
      const t0 = performance.now();
      first = await ch.ofctl(['dump-flows', 'brbench']);
      dumpTimes.push(performance.now() - t0);
      dumpCpu.push(((await procCpu('self-children')) + (await procCpu(vswitchd)) - c0) * 1000);
    }
    // move some counters between the two dumps, as a ping would
    const pkt = 'in_port(1),eth(src=0a:58:0a:10:00:0f,dst=0a:58:0a:10:00:10),eth_type(0x0800),ipv4(src=10.16.0.15,dst=10.16.0.16,proto=1,tos=0,ttl=64,frag=no),icmp(type=8,code=0)';
    for (let i = 0; i < 5; i++) await ch.appctl(['netdev-dummy/receive', 'p1', pkt]);
    await new Promise((r) => setTimeout(r, 1500));
    const second = await ch.ofctl(['dump-flows', 'brbench']);

    // one untimed pass first: the editor and `flows --watch` parse with a warm JIT
    diffFlowColumns(parseFlowColumns(first).columns, parseFlowColumns(second).columns);
    // what `flows --watch` does: both dumps read into columns, diffed in place; and the same
    // through the Flow-object API (parseFlowDump + diffFlows), and with every match and action
    // list split as well (what a full table view needs). The three alternate in each round so
    // that none always runs right after the dumps (when the garbage collector has most to do).
    const ourTimes: number[] = [];
    const ourCpu: number[] = [];
    const twoTimes: number[] = [];
    const objectTimes: number[] = [];
    const fullTimes: number[] = [];
    let moved = 0;
    let count = 0;
    for (let i = 0; i < RUNS; i++) {
      // one refresh's work: the previous dump is already parsed (the last refresh did it); the
      // new one is parsed and diffed against it
      const a = parseFlowColumns(first);
      const u0 = process.cpuUsage();
      let t0 = performance.now();
      const b = parseFlowColumns(second);
      const d = diffFlowColumns(a.columns, b.columns);
      ourTimes.push(performance.now() - t0);
      const u = process.cpuUsage(u0);
      ourCpu.push((u.user + u.system) / 1000);
      if (a.errors.length + b.errors.length > 0) throw new Error(`a real dump did not parse: ${JSON.stringify((a.errors[0] ?? b.errors[0]))}`);
      moved = d.changed.length;
      count = b.columns.count;
      // both dumps parsed from text, then diffed
      t0 = performance.now();
      const ta = parseFlowColumns(first);
      const tb = parseFlowColumns(second);
      const td = diffFlowColumns(ta.columns, tb.columns);
      twoTimes.push(performance.now() - t0);
      if (td.changed.length !== moved) throw new Error(`parsing both dumps found ${td.changed.length} moved flows, one ${moved}`);
      t0 = performance.now();
      const oa = parseFlowDump(first);
      const ob = parseFlowDump(second);
      const od = diffFlows(oa.flows, ob.flows);
      objectTimes.push(performance.now() - t0);
      if (od.changed.length !== moved) throw new Error(`the object diff found ${od.changed.length} moved flows, the column diff ${moved}`);
      t0 = performance.now();
      const fa = parseFlowDump(first);
      const fb = parseFlowDump(second);
      for (const f of fa.flows) void (f.matchFields.length + f.actionList.length);
      for (const f of fb.flows) void (f.matchFields.length + f.actionList.length);
      diffFlows(fa.flows, fb.flows);
      fullTimes.push(performance.now() - t0);
    }
    if (count !== FLOWS) throw new Error(`expected ${FLOWS} flows in the dump, parsed ${count}`);
    if (moved === 0) throw new Error('no counter moved between the two dumps: the injected packets were not counted');

    const baseline = best(dumpTimes);
    return [
      result(`parse a ${FLOWS / 1000}k-flow dump + diff it against the previous (parsed) dump, one refresh's work, vs ovs-ofctl dump-flows printing it`, best(ourTimes), baseline, 'ms', 0.3),
      result(`same in CPU time (ours; ovs-ofctl + ovs-vswitchd for the dump)`, best(ourCpu), best(dumpCpu), 'ms CPU', 0.3),
      result(`parse both ${FLOWS / 1000}k-flow dumps + diff vs ovs-ofctl dump-flows printing one (two parses: target twice the one-dump ratio)`, best(twoTimes), baseline, 'ms', 0.6),
      result(`same through Flow objects (parseFlowDump ×2 + diffFlows) vs ovs-ofctl dump-flows`, best(objectTimes), baseline, 'ms', 0.8),
      result(`same, with every match and action list split, vs ovs-ofctl dump-flows`, best(fullTimes), baseline, 'ms', 1.5),
    ];
  } finally {
    await chassis?.stop();
    await delNetns(netns);
    await rm(dir, { recursive: true, force: true });
  }
}

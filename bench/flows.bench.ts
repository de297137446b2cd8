// Flow parsing speed against the tool itself: 100k OVN-shaped flows are loaded into a real
// ovs-vswitchd bridge (`ovs-ofctl add-flows`); the baseline is the time `ovs-ofctl dump-flows`
// takes to print them, the value is the time we take to parse such a dump and diff it against
// the previous one (what each refresh of a watch does), and, as further figures, to parse both.
// The flows are the real flows ovn-controller installs for the sandbox topology
// (test/fixtures/ovn-output/dump-flows-br-int-no-stats.txt), copied for many datapaths
// (a distinct `metadata` per copy, as OVN gives each logical datapath) until there are 100k.
// Everything runs in a throw-away network namespace and directory, removed afterwards.
import { performance } from 'node:perf_hooks';
import { parseFlowDump, parseFlowColumns } from '../src/ovn/flow-dump';
import { diffFlows, diffFlowColumns } from '../src/ovn/flow-diff';
import { procCpu, startFlowBridge } from './flow-bridge';
import { result, type BenchResult } from './result';

const FLOWS = Number(process.env.OVNLAB_BENCH_FLOWS ?? 100_000);
const RUNS = 5;

/** The best of several runs, for both sides: on a shared machine the other runs measure the neighbours. */
function best(xs: number[]): number {
  return Math.min(...xs);
}

export default async function flowsBench(): Promise<BenchResult[]> {
  const bridge = await startFlowBridge('flows', FLOWS);
  try {
    const ch = bridge.chassis;
    console.error(`loaded ${FLOWS} flows in ${bridge.loadSeconds.toFixed(1)} s`);

    // wall time of the dump, and its CPU time: ovs-ofctl's (a child we reap) plus ovs-vswitchd's
    // serving it. On a busy shared machine wall times measure the neighbours too; CPU does not.
    const vswitchd = bridge.vswitchd;
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
    await bridge.close();
  }
}

// Difference of two `dump-flows` snapshots: which flows did the traffic in between hit (counter
// deltas), which flows appeared, which went away. A flow is the same flow when table, priority
// and match are equal, which is OpenFlow's own identity; a new cookie or new actions on the same
// identity mean ovn-controller rewrote it in place and are reported as `rewritten`.
import type { Flow } from './flow-dump';

export interface FlowDelta {
  before: Flow;
  after: Flow;
  dPackets: number;
  dBytes: number;
  /**
   * The counters went backwards or the flow is younger than the time between the dumps: the
   * flow was re-installed (or has reset_counts) and the delta is counted from zero.
   */
  reset: boolean;
}

export interface FlowDiff {
  /** flows whose packet or byte counters moved, in the order of the second dump */
  changed: FlowDelta[];
  /** in the second dump only */
  added: Flow[];
  /** in the first dump only */
  removed: Flow[];
  /** same identity, different cookie or actions (also listed in `changed` when counters moved) */
  rewritten: { before: Flow; after: Flow }[];
  /** flows present in both dumps whose counters did not move */
  unchanged: number;
}

export interface FlowDiffOptions {
  /**
   * Seconds between the two dumps when known: a flow whose age grew by less than that was
   * re-installed in between, so its counters count from zero. Without it, only a flow that got
   * younger or whose counters went backwards counts as reset.
   */
  elapsedSeconds?: number;
  /** also tell flows apart by cookie (two flows with the same match from different logical flows) */
  byCookie?: boolean;
}

export function diffFlows(before: readonly Flow[], after: readonly Flow[], opts: FlowDiffOptions = {}): FlowDiff {
  const diff: FlowDiff = { changed: [], added: [], removed: [], rewritten: [], unchanged: 0 };
  const pair = (b: Flow, a: Flow) => {
    if (b.cookie !== a.cookie || b.actions !== a.actions) diff.rewritten.push({ before: b, after: a });
    const pa = a.nPackets ?? 0;
    const ba = a.nBytes ?? 0;
    const pb = b.nPackets ?? 0;
    const bb = b.nBytes ?? 0;
    let reset = pa < pb || ba < bb;
    if (!reset && a.duration !== undefined && b.duration !== undefined) {
      // a flow that lived through the gap is older by the gap; a younger one was re-installed
      // (tolerance: durations are printed in milliseconds and each dump takes time)
      reset = opts.elapsedSeconds === undefined
        ? a.duration < b.duration
        : a.duration + 0.25 < b.duration + opts.elapsedSeconds;
    }
    const dPackets = reset ? pa : pa - pb;
    const dBytes = reset ? ba : ba - bb;
    if (dPackets !== 0 || dBytes !== 0) diff.changed.push({ before: b, after: a, dPackets, dBytes, reset });
    else diff.unchanged++;
  };
  // Fast path: two dumps of the same bridge list an unchanged flow table in the same order, so
  // the flows pair up by position and no match needs hashing (most of the cost of a 100k diff).
  const same = opts.byCookie
    ? (x: Flow, y: Flow) => x.table === y.table && x.priority === y.priority && x.cookie === y.cookie && x.match === y.match
    : (x: Flow, y: Flow) => x.table === y.table && x.priority === y.priority && x.match === y.match;
  const n = Math.min(before.length, after.length);
  let i = 0;
  while (i < n && same(before[i], after[i])) {
    pair(before[i], after[i]);
    i++;
  }
  if (i === before.length && i === after.length) return diff;
  // The rest by identity: table and priority index a map of matches.
  const inner = opts.byCookie ? (f: Flow) => `${f.cookie} ${f.match}` : (f: Flow) => f.match;
  const outer = (f: Flow) => f.table * 65536 + f.priority;
  // Several flows with one identity cannot exist in one OpenFlow table, but a concatenation of
  // dumps can hold them: keep them in order and pair them up one by one.
  const old = new Map<number, Map<string, Flow | Flow[]>>();
  for (let j = i; j < before.length; j++) {
    const f = before[j];
    const o = outer(f);
    let m = old.get(o);
    if (m === undefined) old.set(o, (m = new Map()));
    const k = inner(f);
    const seen = m.get(k);
    if (seen === undefined) m.set(k, f);
    else if (Array.isArray(seen)) seen.push(f);
    else m.set(k, [seen, f]);
  }
  for (let j = i; j < after.length; j++) {
    const a = after[j];
    const m = old.get(outer(a));
    const k = inner(a);
    const seen = m?.get(k);
    let b: Flow | undefined;
    if (seen === undefined) b = undefined;
    else if (Array.isArray(seen)) {
      b = seen.shift();
      if (seen.length === 0) m?.delete(k);
    } else {
      b = seen;
      m?.delete(k);
    }
    if (b) pair(b, a);
    else diff.added.push(a);
  }
  for (const m of old.values()) {
    for (const v of m.values()) {
      if (Array.isArray(v)) diff.removed.push(...v);
      else diff.removed.push(v);
    }
  }
  diff.removed.sort((x, y) => x.line - y.line);
  return diff;
}

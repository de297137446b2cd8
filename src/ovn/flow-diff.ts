// Difference of two `dump-flows` snapshots: which flows did the traffic in between hit (counter
// deltas), which flows appeared, which went away. A flow is the same flow when table, priority
// and match are equal, which is OpenFlow's own identity; a new cookie or new actions on the same
// identity mean ovn-controller rewrote it in place and are reported as `rewritten`.
import { type Flow, flowKey } from './flow-dump';

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
  const key = opts.byCookie ? (f: Flow) => `${f.cookie}/${flowKey(f)}` : flowKey;
  // Several flows with one identity cannot exist in one OpenFlow table, but a concatenation of
  // dumps can hold them: keep them in order and pair them up one by one.
  const old = new Map<string, Flow | Flow[]>();
  for (const f of before) {
    const k = key(f);
    const seen = old.get(k);
    if (seen === undefined) old.set(k, f);
    else if (Array.isArray(seen)) seen.push(f);
    else old.set(k, [seen, f]);
  }
  const diff: FlowDiff = { changed: [], added: [], removed: [], rewritten: [], unchanged: 0 };
  for (const a of after) {
    const k = key(a);
    const seen = old.get(k);
    let b: Flow | undefined;
    if (seen === undefined) b = undefined;
    else if (Array.isArray(seen)) {
      b = seen.shift();
      if (seen.length === 0) old.delete(k);
    } else {
      b = seen;
      old.delete(k);
    }
    if (!b) {
      diff.added.push(a);
      continue;
    }
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
  }
  for (const v of old.values()) {
    if (Array.isArray(v)) diff.removed.push(...v);
    else diff.removed.push(v);
  }
  diff.removed.sort((x, y) => x.line - y.line);
  return diff;
}

// Difference of two `dump-flows` snapshots: which flows did the traffic in between hit (counter
// deltas), which flows appeared, which went away. A flow is the same flow when table, priority
// and match are equal, which is OpenFlow's own identity; a new cookie or new actions on the same
// identity mean ovn-controller rewrote it in place and are reported as `rewritten`.
import type { Flow, FlowColumns } from './flow-dump';

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
  const diff = emptyDiff();
  const same = opts.byCookie
    ? (x: Flow, y: Flow) => x.table === y.table && x.priority === y.priority && x.cookie === y.cookie && x.match === y.match
    : (x: Flow, y: Flow) => x.table === y.table && x.priority === y.priority && x.match === y.match;
  // Fast path: two dumps of the same bridge list an unchanged flow table in the same order, so
  // the flows pair up by position and no match needs hashing (most of the cost of a 100k diff).
  const n = Math.min(before.length, after.length);
  let i = 0;
  for (; i < n && same(before[i], after[i]); i++) {
    const b = before[i];
    const a = after[i];
    const rewritten = b.cookie !== a.cookie || b.actions !== a.actions;
    pair(diff, a.nPackets ?? 0, a.nBytes ?? 0, b.nPackets ?? 0, b.nBytes ?? 0, a.duration, b.duration, rewritten, opts, () => b, () => a);
  }
  if (i < before.length || i < after.length) diffByIdentity(diff, before.slice(i), after.slice(i), opts);
  return diff;
}

/**
 * The same diff read straight from two parsed dumps' columns: the positional fast path compares
 * rows in place and makes Flow objects only for the flows it reports.
 */
export function diffFlowColumns(before: FlowColumns, after: FlowColumns, opts: FlowDiffOptions = {}): FlowDiff {
  const diff = emptyDiff();
  const n = Math.min(before.count, after.count);
  let i = 0;
  if (before.sharesRowsWith(after)) {
    // the same parsed rows with newer counters: only the counters can differ
    for (; i < n; i++) {
      const row = i;
      pair(diff, zeroNaN(after.nPackets[i]), zeroNaN(after.nBytes[i]), zeroNaN(before.nPackets[i]), zeroNaN(before.nBytes[i]),
        nanUndefined(after.duration[i]), nanUndefined(before.duration[i]), false, opts, () => before.flow(row), () => after.flow(row));
    }
    return diff;
  }
  for (; i < n; i++) {
    if (before.table[i] !== after.table[i] || before.priority[i] !== after.priority[i]) break;
    const sameCookie = before.sameCookie(i, after, i);
    if (opts.byCookie && !sameCookie) break;
    // one compare settles the common case (same match, same actions); else look closer
    let rewritten = !sameCookie;
    if (!before.sameMatchAndActions(i, after, i)) {
      if (!before.sameMatch(i, after, i)) break;
      rewritten = true;
    }
    const row = i;
    pair(diff, zeroNaN(after.nPackets[i]), zeroNaN(after.nBytes[i]), zeroNaN(before.nPackets[i]), zeroNaN(before.nBytes[i]),
      nanUndefined(after.duration[i]), nanUndefined(before.duration[i]), rewritten, opts, () => before.flow(row), () => after.flow(row));
  }
  if (i < before.count || i < after.count) {
    const rest = (c: FlowColumns) => {
      const out: Flow[] = [];
      for (let j = i; j < c.count; j++) out.push(c.flow(j));
      return out;
    };
    diffByIdentity(diff, rest(before), rest(after), opts);
  }
  return diff;
}

const zeroNaN = (v: number) => (Number.isNaN(v) ? 0 : v);
const nanUndefined = (v: number) => (Number.isNaN(v) ? undefined : v);

function emptyDiff(): FlowDiff {
  return { changed: [], added: [], removed: [], rewritten: [], unchanged: 0 };
}

/** Records one pair of flows with the same identity; the Flow objects are made only when reported. */
function pair(
  diff: FlowDiff,
  pa: number, ba: number, pb: number, bb: number, da: number | undefined, db: number | undefined,
  rewritten: boolean, opts: FlowDiffOptions, before: () => Flow, after: () => Flow,
): void {
  let reset = pa < pb || ba < bb;
  if (!reset && da !== undefined && db !== undefined) {
    // a flow that lived through the gap is older by the gap; a younger one was re-installed
    // (tolerance: durations are printed in milliseconds and each dump takes time)
    reset = opts.elapsedSeconds === undefined ? da < db : da + 0.25 < db + opts.elapsedSeconds;
  }
  const dPackets = reset ? pa : pa - pb;
  const dBytes = reset ? ba : ba - bb;
  const moved = dPackets !== 0 || dBytes !== 0;
  if (!moved && !rewritten) {
    diff.unchanged++;
    return;
  }
  const b = before();
  const a = after();
  if (rewritten) diff.rewritten.push({ before: b, after: a });
  if (moved) diff.changed.push({ before: b, after: a, dPackets, dBytes, reset });
  else diff.unchanged++;
}

/** The part of two dumps that is not in the same order: pair flows by table, priority and match. */
function diffByIdentity(diff: FlowDiff, before: readonly Flow[], after: readonly Flow[], opts: FlowDiffOptions): void {
  // table and priority index a map of matches
  const inner = opts.byCookie ? (f: Flow) => `${f.cookie} ${f.match}` : (f: Flow) => f.match;
  const outer = (f: Flow) => f.table * 65536 + f.priority;
  // Several flows with one identity cannot exist in one OpenFlow table, but a concatenation of
  // dumps can hold them: keep them in order and pair them up one by one.
  const old = new Map<number, Map<string, Flow | Flow[]>>();
  for (const f of before) {
    const o = outer(f);
    let m = old.get(o);
    if (m === undefined) old.set(o, (m = new Map()));
    const k = inner(f);
    const seen = m.get(k);
    if (seen === undefined) m.set(k, f);
    else if (Array.isArray(seen)) seen.push(f);
    else m.set(k, [seen, f]);
  }
  for (const a of after) {
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
    if (!b) {
      diff.added.push(a);
      continue;
    }
    const bf = b;
    const rewritten = bf.cookie !== a.cookie || bf.actions !== a.actions;
    pair(diff, a.nPackets ?? 0, a.nBytes ?? 0, bf.nPackets ?? 0, bf.nBytes ?? 0, a.duration, bf.duration, rewritten, opts, () => bf, () => a);
  }
  for (const m of old.values()) {
    for (const v of m.values()) {
      if (Array.isArray(v)) diff.removed.push(...v);
      else diff.removed.push(v);
    }
  }
  diff.removed.sort((x, y) => x.line - y.line);
}

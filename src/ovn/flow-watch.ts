// Live flow table: dump → parse → diff against the previous dump, every interval, until
// aborted. Used by `ovnlab flows --watch` and the Flows panel. A dump that fails or does not
// parse cleanly is reported and the last good snapshot is kept, so deltas never jump.
//
// Two ways to read a refresh. The text dump (`ovs-ofctl dump-flows`, parsed) is what every
// target offers. Where the target also reaches the bridge's OpenFlow socket (flowStats), the
// text is read once together with the binary statistics, the two are checked to list the same
// flows row by row, and later refreshes read only the binary statistics: when the flow table is
// byte for byte the one the text was read from, the new counters go onto the parsed rows and
// nothing is parsed again; when it changed, the text is read again. Printing 100k flows is most
// of what ovs-ofctl spends its time on, so this is what keeps a refresh cheap at that size.
//
// Cheaper still where the target also keeps a flow monitor open (flowTableChanges) and reads
// per-table counters (tableCounters): when the switch reports no flow change since the last
// refresh, only the tables whose lookup counters moved are read (ovs-vswitchd encodes each flow's
// statistics on every read, which is most of a full read's cost at 100k flows). A table read
// this way is read again at the next refresh too, so counters credited a moment after its table's
// lookups are not missed.
import type { Flow, FlowParseError } from './flow-dump';
import { FlowColumns, parseFlowColumns } from './flow-dump';
import { diffFlowColumns, type FlowDiff } from './flow-diff';
import { FlowStats, type TableCounters } from './openflow/flow-stats';
import type { OvnTarget } from './ovn-target';

export interface FlowSnapshot {
  node: string;
  bridge: string;
  at: number;
  flows: Flow[];
  errors: FlowParseError[];
  /** against the previous good snapshot; undefined for the first */
  diff?: FlowDiff;
  /** milliseconds spent fetching and parsing+diffing */
  fetchMs: number;
  parseMs: number;
  /** `dump`: the text was read and parsed; `counters`: binary counters put onto the previous snapshot's rows */
  source: 'dump' | 'counters';
  /** the rows behind `flows` */
  columns: FlowColumns;
  /** binary statistics listing the same flows as `flows`, row by row (absent when the target has none or they did not line up) */
  stats?: FlowStats;
  /** per-table counters read before the flows of this snapshot */
  tableCounters?: TableCounters;
  /** tables whose counters were read this time because their lookups moved: read again next time */
  recheck?: number[];
  /** how many tables' statistics a counters refresh read (undefined: every table) */
  tablesRead?: number;
  /** how many tables' text a dump refresh read, when the flow monitor named them (undefined: the whole dump) */
  textTables?: number;
}

export interface FlowWatchOptions {
  node: string;
  bridge?: string;
  intervalMs: number;
  signal: AbortSignal;
  /** called with a fetch/parse failure; the watch goes on */
  onError?: (e: Error) => void;
}

export async function takeFlowSnapshot(target: OvnTarget, node: string, bridge: string, previous?: FlowSnapshot): Promise<FlowSnapshot> {
  const t0 = performance.now();
  /** statistics read just now that showed the flow table changed: the text below is lined up with them */
  let fresh: FlowStats | undefined;
  /** tables whose lookups moved this time: a full read below covers them, but read them again next time */
  let recheck: number[] | undefined;
  const same = previous?.node === node && previous.bridge === bridge ? previous : undefined;
  // only a live refresh (one with a previous snapshot) opens a flow monitor
  const changes = same && target.flowTableChanges && target.tableCounters ? safely(() => target.flowTableChanges!(node, bridge)) : undefined;
  // read before any flow: a packet counted in between shows as a moved table next time
  const tableCounters = changes ? await target.tableCounters!(node, bridge).catch(() => undefined) : undefined;
  if (same?.stats && target.flowStats && changes?.known && changes.tables.size === 0 && tableCounters && same.tableCounters) {
    const r = await readMovedTables(target, node, bridge, same, same.stats, tableCounters).catch(() => undefined);
    if (r && 'full' in r) recheck = r.moved;
    else if (r) return withNewCounters(same, same.columns, r.stats, t0, { source: 'counters', tableCounters, recheck: r.moved, tablesRead: r.read });
  }
  // the switch said which tables changed: the text must be read again, no need to compare first
  const tableChanged = changes?.known === true && changes.tables.size > 0;
  if (tableChanged && same?.stats && target.flowStats && tableCounters && same.tableCounters) {
    const r = await rereadChangedTables(target, node, bridge, same, same.stats, changes.tables, tableCounters).catch(() => undefined);
    if (r) return withNewCounters(same, r.columns, r.stats, t0, { source: 'dump', tableCounters, recheck: r.moved, tablesRead: r.read, textTables: changes.tables.size });
  }
  if (same?.stats && target.flowStats && !tableChanged) {
    // a failure here is answered by the text dump below, which says what is wrong
    const stats = await target.flowStats(node, bridge).catch(() => undefined);
    fresh = stats;
    if (stats && stats.sameFlows(same.stats)) return withNewCounters(same, same.columns, stats, t0, { source: 'counters', tableCounters, recheck });
  }
  const [text, stats] = await Promise.all([
    target.dumpFlows(node, bridge),
    fresh ?? (target.flowStats ? target.flowStats(node, bridge).catch(() => undefined) : undefined),
  ]);
  const t1 = performance.now();
  const { columns, errors } = parseFlowColumns(text);
  const at = Date.now();
  const diff = previous ? diffFlowColumns(previous.columns, columns, { elapsedSeconds: (at - previous.at) / 1000 }) : undefined;
  const aligned = stats && errors.length === 0 && linesUp(columns, stats) ? stats : undefined;
  return { node, bridge, at, flows: columns.flows(), errors, diff, fetchMs: t1 - t0, parseMs: performance.now() - t1, source: 'dump', columns, stats: aligned, tableCounters: aligned ? tableCounters : undefined };
}

/**
 * A snapshot of `rows` (the previous ones, or spliced) with the counters of `stats`, which lists
 * the same flows row by row, diffed against `prev`; fetching ended now, `t0` is when it began.
 */
function withNewCounters(prev: FlowSnapshot, rows: FlowColumns, stats: FlowStats, t0: number, rest: Pick<FlowSnapshot, 'source' | 'tableCounters' | 'recheck' | 'tablesRead' | 'textTables'>): FlowSnapshot {
  const t1 = performance.now();
  const columns = rows.withCounters(stats.duration, stats.packets, stats.bytes, stats.idleAge);
  const at = Date.now();
  const diff = diffFlowColumns(prev.columns, columns, { elapsedSeconds: (at - prev.at) / 1000 });
  return { node: prev.node, bridge: prev.bridge, at, flows: columns.flows(), errors: [], diff, fetchMs: t1 - t0, parseMs: performance.now() - t1, columns, stats, ...rest };
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/**
 * The previous statistics with fresh counters for the tables whose lookups moved since `prev`
 * (and those it read, see `recheck`); undefined when a table's flow count changed or a table's
 * rows do not line up with the previous ones: the caller then reads everything.
 */
async function readMovedTables(target: OvnTarget, node: string, bridge: string, prev: FlowSnapshot, stats: FlowStats, now: TableCounters, fresh = new Set<number>()):
  Promise<{ stats: FlowStats; moved: number[]; read: number } | { full: true; moved: number[] } | undefined> {
  const before = prev.tableCounters!;
  const moved: number[] = [];
  for (let t = 0; t < 256; t++) {
    if (fresh.has(t)) continue;
    if (now.active[t] !== before.active[t]) return undefined;
    if (now.lookup[t] !== before.lookup[t] || now.matched[t] !== before.matched[t]) moved.push(t);
  }
  const ranges = stats.tableRanges();
  const toRead = [...new Set([...moved, ...(prev.recheck ?? [])])].filter((t) => ranges.has(t) && !fresh.has(t));
  // one read of everything beats many small ones once most rows sit in tables that moved
  // (a ping through an OVN pipeline crosses most of its tables)
  let rows = 0;
  for (const t of toRead) rows += ranges.get(t)![1] - ranges.get(t)![0];
  if (rows > stats.count / 2) return { full: true, moved };
  const duration = stats.duration.slice();
  const packets = stats.packets.slice();
  const bytes = stats.bytes.slice();
  const idleAge = stats.idleAge.slice();
  for (const t of toRead) {
    const [start, end] = ranges.get(t)!;
    const one = await target.flowStats!(node, bridge, t);
    if (one.count !== end - start) return undefined;
    for (let j = 0; j < one.count; j++) {
      if (!one.sameFlow(j, stats, start + j)) return undefined;
      duration[start + j] = one.duration[j];
      packets[start + j] = one.packets[j];
      bytes[start + j] = one.bytes[j];
      idleAge[start + j] = one.idleAge[j];
    }
  }
  // durations and ages of the tables not read move on with the clock
  const elapsed = (Date.now() - prev.at) / 1000;
  const readSet = new Set([...toRead, ...fresh]);
  for (const [t, [start, end]] of ranges) {
    if (readSet.has(t)) continue;
    for (let i = start; i < end; i++) {
      duration[i] += elapsed;
      if (!Number.isNaN(idleAge[i])) idleAge[i] += elapsed;
    }
  }
  return { stats: stats.withCounters(duration, packets, bytes, idleAge), moved, read: toRead.length };
}

/** True when the parsed dump and the binary statistics list the same flows in the same order. */
function linesUp(columns: FlowColumns, stats: FlowStats): boolean {
  if (columns.count !== stats.count) return false;
  for (let i = 0; i < columns.count; i++) {
    if (columns.table[i] !== stats.table(i) || columns.priority[i] !== stats.priority(i)
      || columns.cookieHi[i] !== stats.cookieHi(i) || columns.cookieLo[i] !== stats.cookieLo(i)) return false;
  }
  return true;
}

export async function* watchFlows(target: OvnTarget, o: FlowWatchOptions): AsyncGenerator<FlowSnapshot> {
  const bridge = o.bridge ?? 'br-int';
  let last: FlowSnapshot | undefined;
  while (!o.signal.aborted) {
    try {
      const snap = await takeFlowSnapshot(target, o.node, bridge, last);
      if (snap.errors.length > 0 && last) {
        // a dump cut short or changed mid-read: keep the last good state
        o.onError?.(new Error(`dump of ${bridge} on ${o.node} had ${snap.errors.length} unreadable lines (first at line ${snap.errors[0].line}); keeping the previous snapshot`));
      } else {
        last = snap;
        yield snap;
      }
    } catch (e) {
      o.onError?.(e as Error);
    }
    await abortableSleep(o.intervalMs, o.signal);
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * The previous rows with the tables the flow monitor named read again (text and statistics, each
 * lined up), and fresh counters for the other tables whose lookups moved. Undefined when anything
 * does not line up: the caller then reads the whole dump.
 */
async function rereadChangedTables(target: OvnTarget, node: string, bridge: string, prev: FlowSnapshot, stats: FlowStats, changed: Set<number>, now: TableCounters):
  Promise<{ columns: FlowColumns; stats: FlowStats; moved: number[]; read: number } | undefined> {
  const tables = [...changed].sort((a, b) => a - b);
  const parts = new Map<number, { columns: FlowColumns; stats: FlowStats }>();
  for (const t of tables) {
    const [text, st] = await Promise.all([target.dumpFlows(node, bridge, { table: t }), target.flowStats!(node, bridge, t)]);
    const { columns, errors } = parseFlowColumns(text);
    if (errors.length > 0 || !linesUp(columns, st) || columns.table.subarray(0, columns.count).some((x) => x !== t)) return undefined;
    parts.set(t, { columns, stats: st });
  }
  const ranges = stats.tableRanges();
  const order = [...new Set([...ranges.keys(), ...tables])].sort((a, b) => a - b);
  const colSegs: { from: FlowColumns; start: number; end: number }[] = [];
  const statSegs: { from: FlowStats; start: number; end: number }[] = [];
  for (const t of order) {
    const p = parts.get(t);
    if (p) {
      colSegs.push({ from: p.columns, start: 0, end: p.columns.count });
      statSegs.push({ from: p.stats, start: 0, end: p.stats.count });
    } else {
      const [start, end] = ranges.get(t)!;
      colSegs.push({ from: prev.columns, start, end });
      statSegs.push({ from: stats, start, end });
    }
  }
  const columns = FlowColumns.concat(colSegs);
  const spliced = FlowStats.concat(statSegs);
  if (spliced.count !== columns.count) return undefined;
  // counters of the other tables: as a quiet refresh reads them (the re-read tables are fresh)
  const r = await readMovedTables(target, node, bridge, { ...prev, columns, stats: spliced }, spliced, now, changed);
  if (!r) return undefined;
  if ('full' in r) {
    const all = await target.flowStats!(node, bridge);
    if (!all.sameFlows(spliced)) return undefined;
    return { columns, stats: all, moved: r.moved, read: ranges.size };
  }
  return { columns, stats: r.stats, moved: r.moved, read: r.read + tables.length };
}

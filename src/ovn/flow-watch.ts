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
import type { Flow, FlowColumns, FlowParseError } from './flow-dump';
import { parseFlowColumns } from './flow-dump';
import { diffFlowColumns, type FlowDiff } from './flow-diff';
import type { FlowStats } from './openflow/flow-stats';
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
  if (previous?.stats && target.flowStats && previous.node === node && previous.bridge === bridge) {
    // a failure here is answered by the text dump below, which says what is wrong
    const stats = await target.flowStats(node, bridge).catch(() => undefined);
    fresh = stats;
    if (stats && stats.sameFlows(previous.stats)) {
      const t1 = performance.now();
      const columns = previous.columns.withCounters(stats.duration, stats.packets, stats.bytes, stats.idleAge);
      const at = Date.now();
      const diff = diffFlowColumns(previous.columns, columns, { elapsedSeconds: (at - previous.at) / 1000 });
      return { node, bridge, at, flows: columns.flows(), errors: [], diff, fetchMs: t1 - t0, parseMs: performance.now() - t1, source: 'counters', columns, stats };
    }
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
  return { node, bridge, at, flows: columns.flows(), errors, diff, fetchMs: t1 - t0, parseMs: performance.now() - t1, source: 'dump', columns, stats: aligned };
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

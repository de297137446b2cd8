// Live flow table: dump → parse → diff against the previous dump, every interval, until
// aborted. Used by `ovnlab flows --watch` and the Flows panel. A dump that fails or does not
// parse cleanly is reported and the last good snapshot is kept, so deltas never jump.
import type { Flow, FlowParseError } from './flow-dump';
import { parseFlowDump } from './flow-dump';
import { diffFlows, type FlowDiff } from './flow-diff';
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
  const text = await target.dumpFlows(node, bridge);
  const t1 = performance.now();
  const { flows, errors } = parseFlowDump(text);
  const at = Date.now();
  const diff = previous ? diffFlows(previous.flows, flows, { elapsedSeconds: (at - previous.at) / 1000 }) : undefined;
  return { node, bridge, at, flows, errors, diff, fetchMs: t1 - t0, parseMs: performance.now() - t1 };
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

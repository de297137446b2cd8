// `ovnlab flows [--on NODE] [--bridge br-int] [--watch SECONDS]`: the flow table of a node, or
// with --watch the flows whose counters moved since the last refresh (live deltas).
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { formatFlowDiff, formatFlows } from '../../ovn/flow-format';
import { takeFlowSnapshot, watchFlows } from '../../ovn/flow-watch';
import { compileFlowFilter, FilterSyntaxError } from '../../ovn/flow-filter';
import type { Flow } from '../../ovn/flow-dump';
import { targetFrom, targetOptions, TARGET_USAGE } from '../target-options';

export const flowsLiveCommands: CliCommand[] = [
  {
    path: ['flows'],
    summary: 'dump a node\'s OpenFlow table, or --watch the flows whose counters move',
    usage: `flows [--on NODE] [--bridge br-int] [--watch SECONDS] [--count N] [--filter EXPR] ${TARGET_USAGE}`,
    options: { ...targetOptions, on: { type: 'string' }, bridge: { type: 'string' }, watch: { type: 'string' }, count: { type: 'string' }, filter: { type: 'string' } },
    async run(v, _p, io) {
      const target = await targetFrom(v, io.env);
      try {
        return await showFlows(target);
      } finally {
        await target.close();
      }
      async function showFlows(target: Awaited<ReturnType<typeof targetFrom>>): Promise<number> {
      const nodes = await target.nodes();
      const node = (v.on as string | undefined) ?? nodes[0];
      if (!nodes.includes(node)) throw new UsageError(`no node "${node}" in ${target.describe()}: choose one of ${nodes.join(', ')}`);
      const bridge = (v.bridge as string | undefined) ?? 'br-int';
      let keep: (f: Flow) => boolean;
      try {
        keep = compileFlowFilter((v.filter as string | undefined) ?? '');
      } catch (e) {
        if (e instanceof FilterSyntaxError) throw new UsageError(`--filter: ${e.message} (e.g. "n_packets>0 && nw_dst=192.168.100.101 && table=12")`);
        throw e;
      }
      if (v.watch === undefined) {
        const snap = await takeFlowSnapshot(target, node, bridge);
        const flows = snap.flows.filter(keep);
        io.out(v.json ? JSON.stringify(flows) : formatFlows(flows));
        return snap.errors.length > 0 ? 1 : 0;
      }
      const seconds = Number(v.watch);
      if (!(seconds > 0)) throw new UsageError(`--watch takes a number of seconds > 0, got "${String(v.watch)}"`);
      const count = v.count === undefined ? Infinity : Number(v.count);
      if (!(count >= 1)) throw new UsageError(`--count takes a number ≥ 1, got "${String(v.count)}"`);
      let n = 0;
      const ac = new AbortController();
      io.signal.addEventListener('abort', () => ac.abort(), { once: true });
      for await (const snap of watchFlows(target, { node, bridge, intervalMs: seconds * 1000, signal: ac.signal, onError: (e) => io.err(e.message) })) {
        if (snap.diff) {
          const changed = snap.diff.changed.filter((c) => keep(c.after));
          const shown = { ...snap.diff, changed };
          if (v.json) {
            io.out(JSON.stringify({
              at: new Date(snap.at).toISOString(), node, bridge,
              // `counters`: read in binary over OpenFlow onto the previous rows; `dump`: the text re-read
              read: snap.source,
              // with the flow monitor, how many tables' statistics were read (absent: all of them)
              tablesRead: snap.tablesRead,
              // toJSON gives the flow's own fields (a parsed flow is a view over the whole dump's text)
              changed: changed.map((c) => ({ ...(JSON.parse(JSON.stringify(c.after)) as object), dPackets: c.dPackets, dBytes: c.dBytes, reset: c.reset })),
              added: snap.diff.added.length, removed: snap.diff.removed.length,
            }));
          } else {
            io.out(`--- ${new Date(snap.at).toISOString()} ${node} ${bridge}: ${changed.length} flows moved`);
            io.out(formatFlowDiff(shown));
          }
          if (++n >= count) ac.abort();
        } else if (v.json) {
          // one line for the first snapshot, so a reader knows when the counting starts
          io.out(JSON.stringify({ at: new Date(snap.at).toISOString(), node, bridge, watching: true, flows: snap.flows.length }));
        } else {
          io.out(`watching ${bridge} on ${node} (${snap.flows.length} flows), every ${seconds}s; Ctrl-C to stop`);
        }
      }
      return 0;
      }
    },
  },
];

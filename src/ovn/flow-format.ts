// Plain-text tables of parsed flows and of flow diffs, for the terminal (`ovnlab flows …`).
import type { Flow, FlowParseError } from './flow-dump';
import type { FlowDiff } from './flow-diff';

function cell(v: number | string | undefined): string {
  return v === undefined ? '-' : String(v);
}

function table(header: string[], rows: string[][]): string {
  // the last column (actions) is left unpadded: it is long and read on its own; a few very long
  // matches must not push every row's actions off screen, so padding stops at 60 columns
  const widths = header.map((h, i) => (i === header.length - 1 ? 0 : Math.min(60, rows.reduce((w, r) => Math.max(w, r[i].length), h.length))));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}

/** One line per flow: table, priority, cookie, counters, match, actions. */
export function formatFlows(flows: readonly Flow[]): string {
  return table(
    ['TABLE', 'PRIO', 'COOKIE', 'PACKETS', 'BYTES', 'MATCH', 'ACTIONS'],
    flows.map((f) => [String(f.table), String(f.priority), f.cookie, cell(f.nPackets), cell(f.nBytes), f.match || '*', f.actions]),
  );
}

/** The flows whose counters moved (with deltas), then the added and removed ones. */
export function formatFlowDiff(d: FlowDiff): string {
  const parts: string[] = [];
  if (d.changed.length > 0) {
    parts.push(table(
      ['TABLE', 'PRIO', 'COOKIE', '+PACKETS', '+BYTES', 'MATCH', 'ACTIONS'],
      d.changed.map((c) => [
        String(c.after.table), String(c.after.priority), c.after.cookie,
        `+${c.dPackets}${c.reset ? ' (reset)' : ''}`, `+${c.dBytes}`, c.after.match || '*', c.after.actions,
      ]),
    ));
  } else parts.push('no flow counters moved');
  if (d.added.length > 0) parts.push(`added (${d.added.length}):\n${formatFlows(d.added)}`);
  if (d.removed.length > 0) parts.push(`removed (${d.removed.length}):\n${formatFlows(d.removed)}`);
  return parts.join('\n\n');
}

/** `line 12: reason: text` lines for parse errors. */
export function formatParseErrors(errors: readonly FlowParseError[], source = ''): string {
  const where = source ? `${source}:` : 'line ';
  return errors.map((e) => `${where}${e.line}: ${e.reason}: ${e.text.length > 160 ? e.text.slice(0, 160) + '…' : e.text}`).join('\n');
}

// What the Flows panel shows, computed on the host: the snapshot stays here and the webview gets
// only the rows it can see (a window of the display list) plus counts and a heat strip, so a
// 100k-flow refresh costs the webview the same as a 100-flow one. Pure (no vscode import).
import { diffFlows, type FlowDiff } from '../ovn/flow-diff';
import type { Flow } from '../ovn/flow-dump';
import { compileFlowFilter, FilterSyntaxError, type FlowPredicate } from '../ovn/flow-filter';
import { groupFlows } from '../ovn/flow-groups';
import type { FlowSnapshot } from '../ovn/flow-watch';
import type { DeltaMode, FlowGroupingChoice, FlowRowView } from './panel-messages';

/** Bins of the heat strip beside the scrollbar: the hottest row of each slice of the display list. */
export const HEAT_BINS = 200;

interface GroupEntry {
  key: string;
  label: string;
  members: number[];
  packets: number;
  delta: number;
}

export class FlowsViewModel {
  private snap?: FlowSnapshot;
  private mark?: FlowSnapshot;
  /** Δ packets per flow index, for the active delta mode */
  private delta = new Float64Array(0);
  private maxDelta = 0;
  private predicate: FlowPredicate = () => true;
  private filterText = '';
  private grouping: FlowGroupingChoice = 'none';
  private readonly collapsed = new Set<string>();
  /** display list: ≥ 0 a flow index, < 0 the group -(g+1) */
  private display = new Int32Array(0);
  private groups: GroupEntry[] = [];
  private hits = 0;
  /** bumps on every rebuild, so the webview can drop windows of an older list */
  version = 0;

  constructor(private deltaMode: DeltaMode = 'refresh', private stageOf?: (cookie: string) => string | undefined) {}

  get snapshot(): FlowSnapshot | undefined {
    return this.snap;
  }
  get total(): number {
    return this.display.length;
  }
  get hitCount(): number {
    return this.hits;
  }
  get markedAt(): number | undefined {
    return this.mark?.at;
  }

  setStageOf(stageOf: ((cookie: string) => string | undefined) | undefined): void {
    this.stageOf = stageOf;
    if (this.grouping === 'stage' || /\bstage\b/.test(this.filterText)) this.rebuild();
  }

  /** A new good snapshot (diffed against the previous one by takeFlowSnapshot). */
  update(snap: FlowSnapshot): void {
    this.snap = snap;
    this.computeDelta();
    this.rebuild();
  }

  /**
   * A fresh snapshot, checked first: a dump with unreadable lines (cut short, or the table changed
   * while ovs-ofctl printed it) is refused and the last good snapshot stays; the first one is
   * taken anyway when it has flows, so the panel is not empty. Returns the message to show, if any.
   */
  accept(snap: FlowSnapshot): string | undefined {
    if (snap.errors.length === 0) {
      this.update(snap);
      return undefined;
    }
    const e = snap.errors[0];
    const kept = this.snap !== undefined;
    if (!kept && snap.flows.length > 0) this.update(snap);
    return `the dump of ${snap.bridge} on ${snap.node} had ${snap.errors.length} unreadable line(s) (line ${e.line}: ${e.reason})${kept ? '; keeping the previous snapshot' : ''}`;
  }

  /** Compiles and applies a filter; returns the syntax error (the previous filter stays) or undefined. */
  setFilter(text: string): FilterSyntaxError | undefined {
    let p: FlowPredicate;
    try {
      p = compileFlowFilter(text, {
        delta: (f) => this.deltaOfFlow(f),
        stage: (f) => this.stageOf?.(f.cookie),
      });
    } catch (e) {
      if (e instanceof FilterSyntaxError) return e;
      throw e;
    }
    this.predicate = p;
    this.filterText = text;
    this.rebuild();
    return undefined;
  }

  setGrouping(by: FlowGroupingChoice): void {
    this.grouping = by;
    this.collapsed.clear();
    this.rebuild();
  }

  toggleGroup(key: string): void {
    if (this.collapsed.has(key)) this.collapsed.delete(key);
    else this.collapsed.add(key);
    this.rebuild();
  }

  /** "Hit by my last ping": remember this snapshot; Δ in mark mode counts from here. */
  markNow(): void {
    this.mark = this.snap;
    if (this.deltaMode === 'mark' && this.snap) this.update(this.snap);
  }

  setDeltaMode(mode: DeltaMode): void {
    this.deltaMode = mode;
    if (this.snap) this.update(this.snap);
  }

  deltaOf(index: number): number {
    return this.delta[index] ?? 0;
  }

  private deltaOfFlow(f: Flow): number {
    // a Flow of the current snapshot is found by its line (unique in one dump)
    const i = this.lineIndex(f.line);
    return i === undefined ? 0 : this.deltaOf(i);
  }

  private lineIndex(line: number): number | undefined {
    const flows = this.snap?.flows;
    if (!flows) return undefined;
    // lines grow with the index (headers and errors only skip lines): binary search
    let lo = 0, hi = flows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const l = flows[mid].line;
      if (l === line) return mid;
      if (l < line) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  private computeDelta(): void {
    const snap = this.snap!;
    const n = snap.flows.length;
    this.delta = new Float64Array(n);
    this.maxDelta = 0;
    this.hits = 0;
    let diff: FlowDiff | undefined = snap.diff;
    if (this.deltaMode === 'mark') {
      diff = this.mark && this.mark !== snap ? diffFlows(this.mark.flows, snap.flows, { elapsedSeconds: (snap.at - this.mark.at) / 1000 }) : undefined;
    }
    if (!diff) return;
    for (const c of diff.changed) {
      const i = this.lineIndex(c.after.line);
      if (i === undefined || c.dPackets <= 0) continue;
      this.delta[i] = c.dPackets;
      this.hits++;
      if (c.dPackets > this.maxDelta) this.maxDelta = c.dPackets;
    }
  }

  private rebuild(): void {
    this.version++;
    const flows = this.snap?.flows ?? [];
    const keep: number[] = [];
    const all = this.filterText.trim() === '';
    for (let i = 0; i < flows.length; i++) if (all || this.predicate(flows[i])) keep.push(i);
    if (this.grouping === 'none') {
      this.groups = [];
      this.display = Int32Array.from(keep);
      return;
    }
    const index = new Map<Flow, number>();
    for (const i of keep) index.set(flows[i], i);
    const grouped = groupFlows(keep.map((i) => flows[i]), this.grouping, {
      stageOf: this.stageOf,
      deltaOf: (f) => this.delta[index.get(f)!],
    });
    this.groups = grouped.map((g) => ({ key: g.key, label: g.label, members: g.flows.map((f) => index.get(f)!), packets: g.nPackets, delta: g.delta }));
    const out: number[] = [];
    this.groups.forEach((g, gi) => {
      out.push(-(gi + 1));
      if (!this.collapsed.has(g.key)) for (const m of g.members) out.push(m);
    });
    this.display = Int32Array.from(out);
  }

  /** The rows start..start+count of the display list. */
  window(start: number, count: number): FlowRowView[] {
    const flows = this.snap?.flows ?? [];
    const rows: FlowRowView[] = [];
    const end = Math.min(this.display.length, start + count);
    for (let r = Math.max(0, start); r < end; r++) {
      const d = this.display[r];
      if (d < 0) {
        const g = this.groups[-d - 1];
        rows.push({ kind: 'group', key: g.key, label: g.label, count: g.members.length, packets: g.packets, delta: g.delta, collapsed: this.collapsed.has(g.key) });
        continue;
      }
      const f = flows[d];
      const delta = this.delta[d];
      rows.push({
        kind: 'flow', id: d, table: f.table, priority: f.priority, cookie: f.cookie, match: f.match, actions: f.actions,
        packets: f.nPackets ?? 0, delta, heat: this.heatOf(delta),
      });
    }
    return rows;
  }

  /** 0 (cold) … 1 (the hottest flow of this refresh), on a log scale so one busy flow does not hide the rest. */
  heatOf(delta: number): number {
    if (delta <= 0 || this.maxDelta <= 0) return 0;
    return Math.round((Math.log1p(delta) / Math.log1p(this.maxDelta)) * 100) / 100;
  }

  /** The heat strip: per slice of the display list, the heat of its hottest flow. */
  heatStrip(bins = HEAT_BINS): number[] {
    const n = this.display.length;
    const out = new Array<number>(Math.min(bins, n)).fill(0);
    if (n === 0 || this.hits === 0) return out;
    for (let r = 0; r < n; r++) {
      const d = this.display[r];
      if (d < 0) continue;
      const delta = this.delta[d];
      if (delta <= 0) continue;
      const b = Math.floor((r * out.length) / n);
      const h = this.heatOf(delta);
      if (h > out[b]) out[b] = h;
    }
    return out;
  }

  flow(id: number): Flow | undefined {
    return this.snap?.flows[id];
  }
}

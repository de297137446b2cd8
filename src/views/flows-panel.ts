// The Flows panel host: a live `ovs-ofctl dump-flows` of one node's bridge, refreshed every
// interval (takeFlowSnapshot: dump → parse → diff), shown through FlowsViewModel as windows of
// rows; a flow's detail is its cookie detraced to the logical flow, NB object and Kubernetes owner.
// A failed or unreadable dump is reported in the panel and the last good snapshot stays.
import * as vscode from 'vscode';
import type { Flow } from '../ovn/flow-dump';
import { Detracer } from '../ovn/detrace';
import { natOwnerFromAnnotations } from '../ovn/k8s-owner';
import type { OvnTarget } from '../ovn/ovn-target';
import type { FlowSnapshot } from '../ovn/flow-watch';
import { NB_TABLES, SB_TABLES } from '../ovn/trace-run';
import type { DbRow } from '../ovn/ctl-json';
import { refreshFlows } from './flows-refresh';
import { FlowsViewModel } from './flows-view-model';
import { ownerObjects, openPanelLink, panelTarget, type PanelContext } from './panel-context';
import { parseFlowsRequest, parseFlowsState, type FlowDetailView, type FlowsMessage, type FlowsPanelState, type FlowsRequest } from './panel-messages';
import { nbObjectsView } from './trace-view-model';
import { escapeHtml, panelHtml, webviewOptions } from './webview-html';

export const FLOWS_VIEW_TYPE = 'ovnlab.flows';
/** the detrace snapshot (NB/SB) is re-read at most this often, or when a cookie is unknown */
const DETRACE_MAX_AGE_MS = 15_000;

export class FlowsPanel implements vscode.Disposable {
  private readonly vm: FlowsViewModel;
  private target?: Promise<OvnTarget>;
  private timer?: ReturnType<typeof setTimeout>;
  private running = false;
  private disposed = false;
  private win = { start: 0, count: 120 };
  private detracer?: { d: Detracer; at: number };
  private lastError?: string;
  private readonly subs: vscode.Disposable[] = [];

  static open(ctx: PanelContext, node: string, bridge = 'br-int'): FlowsPanel {
    const panel = vscode.window.createWebviewPanel(FLOWS_VIEW_TYPE, `Flows: ${node}`, vscode.ViewColumn.Active, webviewOptions(ctx.extensionUri));
    return new FlowsPanel(ctx, panel, parseFlowsState({ node, bridge })!);
  }

  /** After a reload: the state the webview saved, or a message when it named no node. */
  static revive(ctx: PanelContext, panel: vscode.WebviewPanel, saved: unknown): FlowsPanel | undefined {
    const state = parseFlowsState(saved);
    if (!state) {
      panel.webview.html = `<!DOCTYPE html><html><body><p>${escapeHtml('This Flows panel kept no node: close it and run "Show Flows on This Node" again.')}</p></body></html>`;
      return undefined;
    }
    panel.webview.options = webviewOptions(ctx.extensionUri);
    return new FlowsPanel(ctx, panel, state);
  }

  private constructor(private readonly ctx: PanelContext, readonly panel: vscode.WebviewPanel, private state: FlowsPanelState) {
    this.vm = new FlowsViewModel(state.deltaMode);
    if (state.filter) this.vm.setFilter(state.filter);
    this.vm.setGrouping(state.group);
    panel.title = `Flows: ${state.node}`;
    panel.webview.html = panelHtml(panel.webview, ctx.extensionUri, { title: panel.title, script: 'flows.js', body: '<div id="app"></div>' });
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private post(m: FlowsMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(m);
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = parseFlowsRequest(raw);
    if (!parsed.ok) {
      this.ctx.log.warn(`flows panel: refused a message: ${parsed.error}`);
      return;
    }
    try {
      await this.handle(parsed.value);
    } catch (e) {
      this.status((e as Error).message);
    }
  }

  private async handle(m: FlowsRequest): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.post({ type: 'init', state: this.state, target: (await this.getTarget().catch(() => undefined))?.describe() ?? '' });
        if (this.vm.snapshot) this.postRows();
        if (!this.running) void this.tick();
        return;
      case 'window':
        this.win = { start: m.start, count: m.count };
        this.postRows();
        return;
      case 'filter': {
        if (/\bstage\b/.test(m.text)) await this.loadDetracer();
        const err = this.vm.setFilter(m.text);
        if (err) return this.post({ type: 'filterError', message: err.message, column: err.column });
        this.state = { ...this.state, filter: m.text };
        this.post({ type: 'filterError', message: '', column: -1 });
        this.postRows();
        return;
      }
      case 'group':
        this.state = { ...this.state, group: m.by };
        if (m.by === 'stage') await this.loadDetracer();
        this.vm.setGrouping(m.by);
        this.postRows();
        return;
      case 'toggleGroup':
        this.vm.toggleGroup(m.key);
        this.postRows();
        return;
      case 'pause':
        this.state = { ...this.state, paused: m.paused };
        if (!m.paused && !this.running) void this.tick();
        this.status();
        return;
      case 'interval':
        this.state = { ...this.state, intervalMs: m.ms };
        return;
      case 'mark':
        // marking means "show me what happens from now": switch to Δ since the mark
        this.state = { ...this.state, deltaMode: 'mark' };
        this.vm.setDeltaMode('mark');
        this.vm.markNow();
        this.postRows();
        this.status();
        return;
      case 'deltaMode':
        this.state = { ...this.state, deltaMode: m.mode };
        this.vm.setDeltaMode(m.mode);
        this.postRows();
        this.status();
        return;
      case 'select':
        return this.showDetail(m.id);
      case 'open':
        return openPanelLink(this.ctx, m.link, await this.getTarget());
    }
  }

  private getTarget(): Promise<OvnTarget> {
    this.target ??= panelTarget(this.ctx);
    // a failed lookup (no lab yet) is retried on the next refresh
    this.target.catch(() => (this.target = undefined));
    return this.target;
  }

  /** One refresh; schedules the next unless paused. */
  async tick(): Promise<void> {
    if (this.disposed || this.running) return;
    this.running = true;
    clearTimeout(this.timer);
    const { node, bridge } = this.state;
    try {
      const target = await this.getTarget();
      const r = await refreshFlows(this.vm, target, node, bridge);
      this.lastError = r.error;
      if (r.changed) this.postRows();
    } catch (e) {
      this.lastError = `cannot read the flows of ${bridge} on ${node}: ${(e as Error).message}`;
    } finally {
      this.running = false;
    }
    this.status();
    if (!this.disposed && !this.state.paused) this.timer = setTimeout(() => void this.tick(), this.state.intervalMs);
  }

  private status(error?: string): void {
    const snap = this.vm.snapshot;
    const when = snap ? new Date(snap.at).toLocaleTimeString() : 'never';
    const mark = this.vm.markedAt ? `, Δ since mark ${new Date(this.vm.markedAt).toLocaleTimeString()}` : '';
    this.post({
      type: 'status',
      text: `${this.state.node} ${this.state.bridge}: ${snap?.flows.length ?? 0} flows, refreshed ${when}${snap ? ` (${readWhat(snap)} ${snap.fetchMs.toFixed(0)} ms, ${snap.source === 'counters' ? 'diff' : 'parse+diff'} ${snap.parseMs.toFixed(0)} ms)` : ''}${mark}`,
      error: error ?? this.lastError, paused: this.state.paused, flowCount: snap?.flows.length ?? 0, hitCount: this.vm.hitCount, refreshedAt: snap?.at,
    });
  }

  private postRows(): void {
    this.post({ type: 'rows', version: this.vm.version, total: this.vm.total, start: this.win.start, rows: this.vm.window(this.win.start, this.win.count), heat: this.vm.heatStrip() });
  }

  private async loadDetracer(force = false): Promise<Detracer> {
    if (this.detracer && !force && Date.now() - this.detracer.at < DETRACE_MAX_AGE_MS) return this.detracer.d;
    const target = await this.getTarget();
    const read = async (db: 'nb' | 'sb', names: string[]) => {
      const m = new Map<string, DbRow[]>();
      for (const t of names) m.set(t, await target.listRows(db, t));
      return m;
    };
    const [nb, sb, objects] = await Promise.all([read('nb', NB_TABLES), read('sb', SB_TABLES), ownerObjects(this.ctx)]);
    const d = new Detracer({ nb, sb, natOwner: natOwnerFromAnnotations(objects) });
    this.detracer = { d, at: Date.now() };
    this.vm.setStageOf((c) => d.stageOfCookie(c));
    return d;
  }

  private async showDetail(id: number): Promise<void> {
    const f = this.vm.flow(id);
    if (!f) return;
    let d = await this.loadDetracer();
    let ex = d.explain(f.cookie);
    // a cookie from a logical flow newer than our NB/SB copy: read them again once
    if (ex.logicalFlows.length === 0 && ex.records.length === 0 && f.cookie !== '0x0') {
      d = await this.loadDetracer(true);
      ex = d.explain(f.cookie);
    }
    this.post({ type: 'detail', detail: detailView(id, f, this.vm.deltaOf(id), d, ex) });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    for (const s of this.subs) s.dispose();
    void this.target?.then((t) => t.close(), () => undefined);
    this.panel.dispose();
  }
}

function detailView(id: number, f: Flow, delta: number, d: Detracer, ex: ReturnType<Detracer['explain']>): FlowDetailView {
  return {
    id,
    flow: { table: f.table, priority: f.priority, cookie: f.cookie, match: f.match, actions: f.actions, packets: f.nPackets ?? 0, bytes: f.nBytes ?? 0, delta },
    stage: d.stageOfCookie(f.cookie),
    logicalFlows: ex.logicalFlows.map((lf) => ({
      uuid: lf.uuid, pipeline: lf.pipeline, table: lf.table, stage: lf.stage, priority: lf.priority, match: lf.match, actions: lf.actions, datapaths: lf.datapaths,
      nbObjects: nbObjectsView(lf),
    })),
    records: ex.records.map((r) => r.summary),
    note: f.cookie === '0x0' ? 'cookie 0: a flow ovn-controller installs for the physical pipeline, not from a logical flow' : ex.logicalFlows.length === 0 && ex.records.length === 0 ? `no logical flow or SB record has a uuid starting with ${f.cookie}` : undefined,
  };
}

/** What a refresh read, for the status line: how the switch was asked, and how much of it. */
function readWhat(snap: FlowSnapshot): string {
  const tables = (n: number) => `${n} table${n === 1 ? '' : 's'}`;
  if (snap.source === 'counters') return snap.tablesRead === undefined ? 'counters over OpenFlow' : `counters of ${tables(snap.tablesRead)} over OpenFlow`;
  return snap.textTables === undefined ? 'dump' : `dump of ${tables(snap.textTables)} that changed`;
}

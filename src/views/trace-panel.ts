// The Trace panel host: runs runTrace (ovn-trace + ofproto/trace + detrace, the way `kubectl ko
// trace` builds it) for up to two queries side by side (slot a and b, to compare e.g. the EIP
// path through the gateway node with the pod-IP path), plus the reply direction when the
// destination is a logical port. A failed trace is shown in its slot; the last good one stays.
import * as vscode from 'vscode';
import { natOwnerFromAnnotations } from '../ovn/k8s-owner';
import type { OvnTarget } from '../ovn/ovn-target';
import { runTrace } from '../ovn/trace-run';
import type { TraceProtocol } from '../ovn/trace-request';
import { ownerObjects, openPanelLink, panelTarget, type PanelContext } from './panel-context';
import { parseTraceRequest, parseTraceState, type TracePanelState, type TraceQuery, type TraceSlot } from './panel-messages';
import { buildTraceView, portOfIp, type TraceView } from './trace-view-model';
import { panelHtml, webviewOptions } from './webview-html';

export const TRACE_VIEW_TYPE = 'ovnlab.trace';

export type TraceMessage =
  | { type: 'init'; state: TracePanelState; ports: string[] }
  | { type: 'busy'; slot: TraceSlot; query: TraceQuery }
  | { type: 'trace'; slot: TraceSlot; view: TraceView; reply?: TraceView; replyNote?: string }
  | { type: 'error'; slot: TraceSlot; message: string };

function protocolOf(q: TraceQuery): TraceProtocol {
  return q.protocol === 'icmp' ? { kind: 'icmp' } : { kind: q.protocol, port: q.port ?? 80 };
}

export class TracePanel implements vscode.Disposable {
  private disposed = false;
  private readonly subs: vscode.Disposable[] = [];
  private readonly results: Partial<Record<TraceSlot, TraceMessage>> = {};

  static open(ctx: PanelContext, first?: TraceQuery): TracePanel {
    const panel = vscode.window.createWebviewPanel(TRACE_VIEW_TYPE, 'Trace', vscode.ViewColumn.Active, webviewOptions(ctx.extensionUri));
    const p = new TracePanel(ctx, panel, first ? { a: first } : {});
    return p;
  }

  static revive(ctx: PanelContext, panel: vscode.WebviewPanel, saved: unknown): TracePanel {
    panel.webview.options = webviewOptions(ctx.extensionUri);
    return new TracePanel(ctx, panel, parseTraceState(saved));
  }

  private constructor(private readonly ctx: PanelContext, readonly panel: vscode.WebviewPanel, private state: TracePanelState) {
    panel.webview.html = panelHtml(panel.webview, ctx.extensionUri, { title: 'Trace', script: 'trace.js', body: '<div id="app"></div>' });
    this.subs.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private post(m: TraceMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(m);
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = parseTraceRequest(raw);
    if (!parsed.ok) {
      this.ctx.log.warn(`trace panel: refused a message: ${parsed.error}`);
      return;
    }
    const m = parsed.value;
    switch (m.type) {
      case 'ready': {
        this.post({ type: 'init', state: this.state, ports: await this.ports() });
        for (const s of ['a', 'b'] as const) {
          const r = this.results[s];
          if (r) this.post(r);
          else if (this.state[s]) void this.run(s, this.state[s]!);
        }
        return;
      }
      case 'run':
        return this.run(m.slot, m.query);
      case 'clear':
        delete this.state[m.slot];
        delete this.results[m.slot];
        return;
      case 'open': {
        let target: OvnTarget | undefined;
        try {
          if (m.link.kind === 'nb') target = await panelTarget(this.ctx);
          await openPanelLink(this.ctx, m.link, target);
        } catch (e) {
          void vscode.window.showErrorMessage(`ovnlab: ${(e as Error).message}`);
        } finally {
          await target?.close();
        }
      }
    }
  }

  private async ports(): Promise<string[]> {
    try {
      const target = await panelTarget(this.ctx);
      try {
        const lsps = await target.listRows('nb', 'Logical_Switch_Port');
        return lsps.filter((p) => String(p.type ?? '') === '' && String(p.name).includes('.')).map((p) => String(p.name)).sort();
      } finally {
        await target.close();
      }
    } catch {
      return [];
    }
  }

  /** Runs one slot's trace (and its reply when the destination is a port); public for the command. */
  async run(slot: TraceSlot, q: TraceQuery): Promise<void> {
    this.state = { ...this.state, [slot]: q };
    this.post({ type: 'busy', slot, query: q });
    let target: OvnTarget | undefined;
    try {
      target = await panelTarget(this.ctx);
      const natOwner = natOwnerFromAnnotations(await ownerObjects(this.ctx));
      const r = await runTrace(target, q.from, q.dst, protocolOf(q), { natOwner });
      const view = buildTraceView(q, r);
      let reply: TraceView | undefined;
      let replyNote: string | undefined;
      const dstPort = portOfIp(await target.listRows('nb', 'Logical_Switch_Port'), q.dst);
      if (dstPort) {
        // the reverse direction as its own trace: from the destination port back to the source
        const back: TraceQuery = { from: dstPort, dst: r.endpoints.srcIp, protocol: q.protocol, port: q.port };
        try {
          reply = buildTraceView(back, await runTrace(target, back.from, back.dst, protocolOf(back), { natOwner }));
        } catch (e) {
          replyNote = `reply trace from ${dstPort}: ${(e as Error).message}`;
        }
      } else {
        replyNote = `${q.dst} is not a logical switch port's address (an external or NAT address): no reply trace from it`;
      }
      const msg: TraceMessage = { type: 'trace', slot, view, reply, replyNote };
      this.results[slot] = msg;
      this.post(msg);
    } catch (e) {
      // the webview keeps its last good trace in the slot and shows the message above it
      this.post({ type: 'error', slot, message: `${(e as Error).message}${this.results[slot] ? ' (the last good trace stays below)' : ''}` });
    } finally {
      await target?.close();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.subs) s.dispose();
    this.panel.dispose();
  }
}

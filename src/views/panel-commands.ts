// The commands that open the Flows and Trace panels (tree actions `ovnlab.showFlows` on a node or
// a running VM, `ovnlab.traceFromVm` on a VM), and the serializers that bring the panels back
// after a reload with the state their webview saved.
import * as vscode from 'vscode';
import { checkIp } from '../k8s/names';
import { FLOWS_VIEW_TYPE, FlowsPanel } from './flows-panel';
import { panelTarget, type PanelContext } from './panel-context';
import { isName, type TraceProtocolChoice, type TraceQuery } from './panel-messages';
import { TRACE_VIEW_TYPE, TracePanel } from './trace-panel';
import { vmTargetOf } from './vm-commands';

/** The node a tree element names: a node info row, or a VM/pod row with its node. */
function nodeOf(arg: unknown): string | undefined {
  const a = arg as { kind?: string; value?: string; node?: string; row?: { node?: string } } | undefined;
  const n = a?.kind === 'info' ? a.value : a?.row?.node ?? a?.node;
  return typeof n === 'string' ? n : undefined;
}

export async function showFlowsPanel(ctx: PanelContext, arg: unknown): Promise<FlowsPanel | undefined> {
  let node = typeof arg === 'string' ? arg : nodeOf(arg);
  if (!node) {
    try {
      const target = await panelTarget(ctx);
      try {
        node = await vscode.window.showQuickPick(await target.nodes(), { title: 'ovnlab: show the flows of which node?' });
      } finally {
        await target.close();
      }
    } catch (e) {
      void vscode.window.showErrorMessage(`ovnlab: ${(e as Error).message}`);
      return undefined;
    }
  }
  if (!node) return undefined;
  if (!isName(node)) {
    void vscode.window.showErrorMessage(`ovnlab: "${node}" is not a node name.`);
    return undefined;
  }
  return FlowsPanel.open(ctx, node);
}

export async function traceFromVmPanel(ctx: PanelContext, arg: unknown, preset?: Partial<TraceQuery>): Promise<TracePanel | undefined> {
  const vm = vmTargetOf(arg);
  const from = preset?.from ?? (vm ? `${vm.name}.${vm.namespace}` : undefined);
  if (!from) return TracePanel.open(ctx);
  let dst = preset?.dst;
  if (!dst) {
    dst = (await vscode.window.showInputBox({
      title: `Trace from ${from}: destination IP`, placeHolder: '192.168.100.101',
      validateInput: (v) => { try { checkIp('destination', v.trim(), 4); return undefined; } catch (e) { return (e as Error).message; } },
    }))?.trim();
    if (!dst) return undefined;
  }
  let protocol: TraceProtocolChoice | undefined = preset?.protocol;
  let port = preset?.port;
  if (!protocol) {
    const pick = await vscode.window.showQuickPick(['icmp', 'tcp 80', 'tcp 443', 'udp 53'], { title: 'Protocol (the port can be changed in the panel)' });
    if (!pick) return undefined;
    const [k, p] = pick.split(' ');
    protocol = k as TraceProtocolChoice;
    port = p ? Number(p) : undefined;
  }
  return TracePanel.open(ctx, { from, dst, protocol, ...(port ? { port } : {}) });
}

export function registerPanelSerializers(ctx: PanelContext): vscode.Disposable[] {
  return [
    vscode.window.registerWebviewPanelSerializer(FLOWS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => void FlowsPanel.revive(ctx, panel, state),
    }),
    vscode.window.registerWebviewPanelSerializer(TRACE_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => void TracePanel.revive(ctx, panel, state),
    }),
  ];
}

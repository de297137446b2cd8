// The commands that open the Flows and Trace panels (tree actions `ovnlab.showFlows` on a node or
// a running VM, `ovnlab.traceFromVm` on a VM), and the serializers that bring the panels back
// after a reload with the state their webview saved.
import * as vscode from 'vscode';
import { checkIp } from '../k8s/names';
import { FLOWS_VIEW_TYPE, FlowsPanel } from './flows-panel';
import { panelTarget, type PanelContext } from './panel-context';
import { isName, type TraceProtocolChoice, type TraceQuery } from './panel-messages';
import { TRACE_VIEW_TYPE, TracePanel } from './trace-panel';
import { readTraceDestinations, readTraceSources } from '../ovn/trace-destinations';
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
  // from the palette (no VM row): the source is picked too, or an empty panel to fill in
  const from = preset?.from ?? (vm ? `${vm.name}.${vm.namespace}` : await pickSource(ctx));
  if (from === undefined) return undefined;
  if (from === '') return TracePanel.open(ctx);
  const dst = preset?.dst ?? (await pickDestination(ctx, from));
  if (!dst) return undefined;
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

/**
 * The destination of a trace: a picker of the IPs the NB database knows (EIPs first, then ports,
 * then gateways, each saying what owns it), where typing an IP offers it too. Without a target
 * (no lab, no cluster) only typing works, and the picker says why.
 */
/** A VM/pod port the network knows, or '' for an empty panel; undefined when dismissed. */
async function pickSource(ctx: PanelContext): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { port: string };
  const empty: Item = { label: 'Empty Trace panel', description: 'fill in the source and destination yourself', port: '' };
  let items: Item[] = [empty];
  try {
    const target = await panelTarget(ctx);
    try {
      items = [...(await readTraceSources(target)).map((s) => ({ label: s.port, description: s.where, port: s.port })), empty];
    } finally {
      await target.close();
    }
  } catch (e) {
    empty.detail = `no list of ports: ${(e as Error).message}`;
  }
  const pick = await vscode.window.showQuickPick(items, { title: 'Trace from which VM or pod?', matchOnDescription: true });
  return pick?.port;
}

async function pickDestination(ctx: PanelContext, from: string): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { ip?: string };
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = `Trace from ${from}: destination`;
  qp.placeholder = 'type an IPv4 address, or pick one the network knows';
  qp.matchOnDescription = true;
  qp.busy = true;
  let known: Item[] = [];
  const typedItem = (): Item[] => {
    const v = qp.value.trim();
    if (!v || known.some((k) => k.ip === v)) return [];
    try {
      checkIp('destination', v, 4);
      return [{ label: v, description: 'trace to this IP', ip: v, alwaysShow: true }];
    } catch (e) {
      return [{ label: v, description: (e as Error).message, alwaysShow: true }];
    }
  };
  const render = () => (qp.items = [...typedItem(), ...known]);
  qp.onDidChangeValue(render);
  void (async () => {
    try {
      const target = await panelTarget(ctx);
      try {
        const dests = await readTraceDestinations(target, from);
        known = dests.map((d) => ({ label: d.ip, description: d.owner, detail: d.sameSwitch ? 'same switch' : undefined, ip: d.ip }));
      } finally {
        await target.close();
      }
    } catch (e) {
      qp.placeholder = `type an IPv4 address (no list: ${(e as Error).message})`;
    }
    qp.busy = false;
    render();
  })();
  render();
  qp.show();
  return new Promise<string | undefined>((resolve) => {
    qp.onDidAccept(() => {
      const ip = qp.selectedItems[0]?.ip;
      if (!ip) return; // an invalid typed value: its message is shown, the picker stays
      resolve(ip);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
  });
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

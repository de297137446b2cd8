// "Trace from this VM" and "Show flows on this node" until the trace and flow panels land: the
// same core calls the panels will make (runTrace, takeFlowSnapshot), shown as read-only text.
import * as vscode from 'vscode';
import { ClusterOvnTarget } from '../k8s/cluster-ovn-target';
import { checkIp } from '../k8s/names';
import { localLabTarget } from '../lab/local/lab-target';
import { formatFlows } from '../ovn/flow-format';
import { takeFlowSnapshot } from '../ovn/flow-watch';
import type { OvnTarget } from '../ovn/ovn-target';
import { formatTrace, runTrace } from '../ovn/trace-run';
import type { TraceProtocol } from '../ovn/trace-request';
import type { ObjectDocuments } from './object-documents';
import { liveVm, reportFailure, vmTargetOf, type CommandDeps } from './vm-commands';

export interface InspectDeps extends CommandDeps {
  documents: ObjectDocuments;
  /** the local lab's directory, whose OvnTarget is preferred when the lab is up */
  labDir: () => string;
}

/** The local lab when it runs, else the connected cluster through pod exec (as kubectl ko). */
async function ovnTarget(deps: InspectDeps): Promise<OvnTarget> {
  const lab = await localLabTarget(deps.labDir());
  if (lab) return lab;
  const store = deps.session.liveStore;
  if (store) return new ClusterOvnTarget(store.client);
  throw new Error('no local lab is running and no cluster is connected: start the lab first');
}

export async function traceFromVm(deps: InspectDeps, arg: unknown): Promise<void> {
  const t = vmTargetOf(arg);
  if (!t) return void vscode.window.showWarningMessage('ovnlab: choose a virtual machine in the sidebar first.');
  try {
    const store = deps.session.liveStore;
    if (store) liveVm(store, t);
    const dst = await vscode.window.showInputBox({
      title: `Trace from ${t.namespace}/${t.name}: destination IP`, placeHolder: '10.16.0.1',
      validateInput: (v) => { try { checkIp('destination', v.trim(), 4); return undefined; } catch (e) { return (e as Error).message; } },
    });
    if (!dst) return;
    const proto = await vscode.window.showQuickPick(['icmp', 'tcp 80', 'udp 53'], { title: 'Protocol (edit the port in the box: "tcp 8080")' });
    if (!proto) return;
    const [kind, port] = proto.split(' ');
    const protocol: TraceProtocol = kind === 'icmp' ? { kind: 'icmp' } : { kind: kind as 'tcp' | 'udp', port: Number(port) };
    const text = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ovnlab: tracing ${t.name}.${t.namespace} → ${dst.trim()}` }, async () => {
      const target = await ovnTarget(deps);
      try {
        return formatTrace(await runTrace(target, `${t.name}.${t.namespace}`, dst.trim(), protocol));
      } finally {
        await target.close();
      }
    });
    await deps.documents.showReport(`trace-${t.name}.${t.namespace}-${dst.trim()}`, text);
  } catch (e) {
    await reportFailure(deps, `trace from ${t.namespace}/${t.name}`, e);
  }
}

export async function showFlows(deps: InspectDeps, arg: unknown): Promise<void> {
  const a = arg as { kind?: string; value?: string; row?: { node?: string } } | undefined;
  const node = a?.kind === 'info' ? a.value : a?.row?.node;
  if (!node) return void vscode.window.showWarningMessage('ovnlab: choose a node, or a running VM, in the sidebar.');
  try {
    const text = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ovnlab: dumping br-int flows on ${node}` }, async () => {
      const target = await ovnTarget(deps);
      try {
        const snap = await takeFlowSnapshot(target, node, 'br-int');
        return `# ovs-ofctl dump-flows br-int on ${node} (${target.describe()}): ${snap.flows.length} flows\n${formatFlows(snap.flows)}\n`;
      } finally {
        await target.close();
      }
    });
    await deps.documents.showReport(`flows-${node}`, text);
  } catch (e) {
    await reportFailure(deps, `show flows on ${node}`, e);
  }
}

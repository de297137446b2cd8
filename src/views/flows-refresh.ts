// One refresh of the Flows panel, without the panel: read a snapshot through the target, hand it
// to the view model (which refuses a dump with unreadable lines), and turn a failure (no such
// node, ovs-vswitchd down, the bridge gone) into the message the panel shows while it keeps the
// last good snapshot on screen. Pure of vscode, so it runs in tests against real daemons.
import { takeFlowSnapshot } from '../ovn/flow-watch';
import type { OvnTarget } from '../ovn/ovn-target';
import type { FlowsViewModel } from './flows-view-model';

export interface FlowsRefreshResult {
  /** a snapshot was read (the rows may have changed) */
  changed: boolean;
  /** what to show the user, if anything went wrong */
  error?: string;
}

export async function refreshFlows(vm: FlowsViewModel, target: OvnTarget, node: string, bridge: string): Promise<FlowsRefreshResult> {
  try {
    const snap = await takeFlowSnapshot(target, node, bridge, vm.snapshot);
    return { changed: true, error: vm.accept(snap) };
  } catch (e) {
    const kept = vm.snapshot ? ' (showing the last good snapshot)' : '';
    return { changed: false, error: `cannot read the flows of ${bridge} on ${node}: ${(e as Error).message}${kept}` };
  }
}

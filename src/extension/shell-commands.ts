// The editor-shell commands: log, settings, and the lab/context entry points of the welcome view.
// Each is a small function; activate.ts registers them. Entry points whose feature has not landed
// yet say so and point at what works now instead of failing silently.
import * as vscode from 'vscode';

export interface ShellCommandDeps {
  log: vscode.LogOutputChannel;
}

export const SHELL_COMMANDS = {
  startLocalLab: 'ovnlab.lab.startLocal',
  createKindLab: 'ovnlab.lab.createKind',
  pickContext: 'ovnlab.pickContext',
  showLog: 'ovnlab.showLog',
  openSettings: 'ovnlab.openSettings',
} as const;

export function openSettings(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', '@ext:ovnlab.ovnlab');
}

/** Says that a feature is not in this build yet, logs it, and offers the settings as a way forward. */
export async function notAvailableYet(deps: ShellCommandDeps, what: string, instead: string): Promise<void> {
  deps.log.info(`${what}: not available yet in this build`);
  const choice = await vscode.window.showInformationMessage(`ovnlab: ${what} is not available yet. ${instead}`, 'Open Settings');
  if (choice === 'Open Settings') await openSettings();
}

export function registerShellCommands(deps: ShellCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(SHELL_COMMANDS.showLog, () => deps.log.show()),
    vscode.commands.registerCommand(SHELL_COMMANDS.openSettings, openSettings),
    vscode.commands.registerCommand(SHELL_COMMANDS.startLocalLab, () =>
      notAvailableYet(deps, 'Starting the local lab', 'Meanwhile run `ovnlab lab up` in a terminal.')),
    vscode.commands.registerCommand(SHELL_COMMANDS.createKindLab, () =>
      notAvailableYet(deps, 'Creating a kind lab', 'Meanwhile create the cluster with kind and point ovnlab.kubeconfig at it.')),
    vscode.commands.registerCommand(SHELL_COMMANDS.pickContext, () =>
      notAvailableYet(deps, 'Picking a context from a list', 'Set ovnlab.kubeconfig and ovnlab.context in the settings.')),
  ];
}

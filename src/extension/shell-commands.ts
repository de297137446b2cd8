// The editor-shell commands: log, settings, and the lab/context entry points of the welcome view.
// Each is a small function; activate.ts registers them. Entry points whose feature has not landed
// yet say so and point at what works now instead of failing silently.
import * as vscode from 'vscode';
import { contextNames, loadKubeConfig } from '../k8s/kube-client';
import type { OvnlabSettings } from '../views/settings';

export interface ShellCommandDeps {
  log: vscode.LogOutputChannel;
  settings: () => OvnlabSettings;
  /** the lab entry points of the welcome view, once the sidebar provides them */
  startLocalLab?: () => Promise<void>;
  createKindLab?: () => Promise<void>;
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

/**
 * Lists the contexts of the configured kubeconfig and stores the choice in `ovnlab.context`
 * (user settings: a context belongs to this machine's kubeconfig, not to the workspace).
 */
export async function pickContext(deps: ShellCommandDeps): Promise<void> {
  const { kubeconfig, context } = deps.settings();
  let names: string[];
  let current: string;
  try {
    const kc = loadKubeConfig({ kubeconfig: kubeconfig || undefined });
    names = contextNames(kc);
    current = context || kc.getCurrentContext();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    deps.log.error(`pick context: ${msg}`);
    const choice = await vscode.window.showErrorMessage(`ovnlab: ${msg}. Set ovnlab.kubeconfig to your kubeconfig file, or start a lab.`, 'Open Settings');
    if (choice === 'Open Settings') await openSettings();
    return;
  }
  if (names.length === 0) {
    void vscode.window.showWarningMessage('ovnlab: the kubeconfig defines no contexts. Point ovnlab.kubeconfig at another file.');
    return;
  }
  const picked = await vscode.window.showQuickPick(
    names.map((n) => ({ label: n, description: n === current ? 'current' : undefined })),
    { title: 'ovnlab: kubeconfig context to show', placeHolder: kubeconfig || '$KUBECONFIG or ~/.kube/config' },
  );
  if (!picked) return;
  await vscode.workspace.getConfiguration('ovnlab').update('context', picked.label, vscode.ConfigurationTarget.Global);
  deps.log.info(`context set to ${picked.label}`);
}

export function registerShellCommands(deps: ShellCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(SHELL_COMMANDS.showLog, () => deps.log.show()),
    vscode.commands.registerCommand(SHELL_COMMANDS.openSettings, openSettings),
    vscode.commands.registerCommand(SHELL_COMMANDS.startLocalLab, () =>
      deps.startLocalLab ? deps.startLocalLab() : notAvailableYet(deps, 'Starting the local lab', 'Meanwhile run `ovnlab lab up` in a terminal.')),
    vscode.commands.registerCommand(SHELL_COMMANDS.createKindLab, () =>
      deps.createKindLab ? deps.createKindLab() : notAvailableYet(deps, 'Creating a kind lab', 'Meanwhile create the cluster with kind and point ovnlab.kubeconfig at it.')),
    vscode.commands.registerCommand(SHELL_COMMANDS.pickContext, () => pickContext(deps)),
  ];
}

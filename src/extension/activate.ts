// The composition root: builds the objects and hands them down (DESIGN.md). Only wiring here.
import * as vscode from 'vscode';
import { EmptyTreeProvider } from '../views/empty-tree';
import { parseSettings, type OvnlabSettings } from '../views/settings';
import { ConnectionStatusBar } from '../views/status-bar';
import { registerShellCommands, SHELL_COMMANDS } from './shell-commands';

/** View ids declared in package.json (contributes.views.ovnlab). */
export const VIEW_IDS = ['ovnlab.lab', 'ovnlab.networks', 'ovnlab.vms', 'ovnlab.externalIps'] as const;

function readSettings(log: vscode.LogOutputChannel): OvnlabSettings {
  const cfg = vscode.workspace.getConfiguration('ovnlab');
  const { settings, problems } = parseSettings((key) => cfg.get(key));
  for (const p of problems) log.warn(p);
  return settings;
}

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('ovnlab', { log: true });
  context.subscriptions.push(log);

  let settings = readSettings(log);
  const statusBar = new ConnectionStatusBar(SHELL_COMMANDS.pickContext);
  const showTarget = (): void => statusBar.update(settings.context ? { target: settings.context, health: 'unknown' } : { health: 'none' });
  showTarget();
  context.subscriptions.push(
    statusBar,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('ovnlab')) return;
      settings = readSettings(log);
      log.info(`settings changed: context=${settings.context || '(current-context)'} backend=${settings.labBackend}`);
      showTarget();
    }),
  );

  // Placeholders until the live trees land: each view renders and shows its welcome content.
  for (const id of VIEW_IDS) {
    context.subscriptions.push(vscode.window.createTreeView(id, { treeDataProvider: new EmptyTreeProvider() }));
  }

  context.subscriptions.push(...registerShellCommands({ log, settings: () => settings }));
  log.info(`ovnlab ${String(context.extension.packageJSON.version)} activated (lab backend: ${settings.labBackend})`);
}

export function deactivate(): void {}

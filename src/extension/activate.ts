// The composition root: builds the objects and hands them down (DESIGN.md). Only wiring here.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { defaultLabDir } from '../lab/lab-backend';
import { KindLab, defaultKindLabDir } from '../lab/kind/kind-lab';
import { LocalLab } from '../lab/local/local-lab';
import { ClusterSession } from '../views/cluster-session';
import { ExternalIpsTree } from '../views/external-ips-tree';
import { labDown, labUp, openLabTerminal, type LabCommandDeps } from '../views/lab-commands';
import { LabTree } from '../views/lab-tree';
import type { LiveTree } from '../views/live-tree';
import { createSubnet, createVpc } from '../views/network-commands';
import { NetworksTree } from '../views/networks-tree';
import { OVNLAB_SCHEME, ObjectDocuments, objectUri } from '../views/object-documents';
import { registerPanelSerializers, showFlowsPanel, traceFromVmPanel } from '../views/panel-commands';
import { parseSettings, type OvnlabSettings } from '../views/settings';
import { ConnectionStatusBar } from '../views/status-bar';
import { ipOf, objectRefOf, type SidebarNode } from '../views/tree-node';
import { VM_ACTIONS, attachEip, detachEip, runVmAction } from '../views/vm-commands';
import { VmsTree } from '../views/vms-tree';
import { VmYamlEditor } from '../views/vm-yaml-editor';
import { refreshAllSteps, registerWalkthroughCommands, type WalkthroughDeps } from '../views/walkthrough-commands';
import { GUIDED_LABS } from '../lab/guided/catalogue';
import { registerShellCommands, SHELL_COMMANDS } from './shell-commands';

/** View ids declared in package.json (contributes.views.ovnlab). */
export const VIEW_IDS = ['ovnlab.lab', 'ovnlab.networks', 'ovnlab.vms', 'ovnlab.externalIps'] as const;

function readSettings(log: vscode.LogOutputChannel): OvnlabSettings {
  const cfg = vscode.workspace.getConfiguration('ovnlab');
  const { settings, problems } = parseSettings((key) => cfg.get(key));
  for (const p of problems) log.warn(p);
  return settings;
}

/** What the extension hands to its tests (exports of activate). */
export interface OvnlabApi {
  session: ClusterSession;
  trees: { networks: LiveTree; vms: LiveTree; externalIps: LiveTree; lab: LabTree };
}

export function activate(context: vscode.ExtensionContext): OvnlabApi {
  const log = vscode.window.createOutputChannel('ovnlab', { log: true });
  context.subscriptions.push(log);

  let settings = readSettings(log);
  const statusBar = new ConnectionStatusBar(SHELL_COMMANDS.pickContext);
  const session = new ClusterSession(log);
  const documents = new ObjectDocuments(session);
  const labDir = (): string => (settings.labBackend === 'kind' ? defaultKindLabDir() : defaultLabDir());
  const readLab = async () => {
    if (settings.labBackend === 'kind') {
      const kind = new KindLab(defaultKindLabDir(), { tools: { docker: settings.tools.docker || undefined, kind: settings.tools.kind || undefined, kubectl: settings.tools.kubectl || undefined } });
      return kind.status();
    }
    return new LocalLab(defaultLabDir()).status();
  };
  const labTree = new LabTree(session, readLab);
  const namespaceFilter = () => settings.namespaceFilter;
  const trees = { networks: new NetworksTree(session, namespaceFilter), vms: new VmsTree(session, namespaceFilter), externalIps: new ExternalIpsTree(session, namespaceFilter), lab: labTree };

  const reconnect = async (): Promise<void> => {
    let labKubeconfig: string | undefined;
    try {
      labKubeconfig = (await readLab()).kubeconfig;
    } catch (e) {
      log.debug(`lab status: ${(e as Error).message}`);
    }
    await session.connect(settings, labKubeconfig);
    labTree.refresh();
  };
  const showStatus = (): void => statusBar.update(session.statusBarStatus());
  context.subscriptions.push(
    statusBar, session, documents, trees.networks, trees.vms, trees.externalIps, labTree,
    session.onDidChangeState(showStatus),
    session.onDidChangeResourceStatus(showStatus),
    vscode.workspace.registerTextDocumentContentProvider(OVNLAB_SCHEME, documents),
    vscode.window.createTreeView('ovnlab.lab', { treeDataProvider: labTree }),
    vscode.window.createTreeView('ovnlab.networks', { treeDataProvider: trees.networks, showCollapseAll: true }),
    vscode.window.createTreeView('ovnlab.vms', { treeDataProvider: trees.vms, showCollapseAll: true }),
    vscode.window.createTreeView('ovnlab.externalIps', { treeDataProvider: trees.externalIps }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('ovnlab')) return;
      settings = readSettings(log);
      log.info(`settings changed: context=${settings.context || '(current-context)'} backend=${settings.labBackend}`);
      void reconnect();
    }),
    { dispose: () => void session.close() },
  );

  const labDeps: LabCommandDeps = {
    log, cliPath: join(context.extensionPath, 'dist', 'cli.mjs'), labDir, backend: () => settings.labBackend,
    kubeconfig: () => labTree.status?.kubeconfig ?? session.state.choice?.kubeconfig, changed: reconnect,
  };
  const deps = { session, log };
  const panels = { ...deps, documents, labDir: defaultLabDir, extensionUri: context.extensionUri };
  const cmd = (id: string, fn: (...args: never[]) => unknown): vscode.Disposable => vscode.commands.registerCommand(id, fn as (...args: unknown[]) => unknown);
  context.subscriptions.push(
    ...VM_ACTIONS.map((a) => cmd(`ovnlab.vm.${a}`, (n: SidebarNode) => runVmAction(deps, a, n))),
    cmd('ovnlab.vm.attachEip', (n: SidebarNode, ip?: string) => attachEip(deps, n, typeof ip === 'string' ? ip : undefined)),
    cmd('ovnlab.vm.detachEip', (n: SidebarNode) => detachEip(deps, n)),
    cmd('ovnlab.copyIp', async (n: SidebarNode) => {
      const ip = n && ipOf(n);
      if (!ip) return void vscode.window.showWarningMessage('ovnlab: this item has no IP address (yet).');
      await vscode.env.clipboard.writeText(ip);
      vscode.window.setStatusBarMessage(`ovnlab: copied ${ip}`, 3000);
    }),
    cmd('ovnlab.openYaml', async (n: SidebarNode) => {
      const ref = n && objectRefOf(n);
      if (!ref) return;
      const doc = await vscode.workspace.openTextDocument(objectUri(ref));
      await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      await vscode.window.showTextDocument(doc, { preview: true });
    }),
    cmd('ovnlab.traceFromVm', (n: SidebarNode, preset?: Parameters<typeof traceFromVmPanel>[2]) => traceFromVmPanel(panels, n, preset)),
    cmd('ovnlab.showFlows', (n: SidebarNode) => showFlowsPanel(panels, n)),
    ...registerPanelSerializers(panels),
    cmd('ovnlab.createVpc', () => createVpc(deps)),
    cmd('ovnlab.createSubnet', (n?: SidebarNode) => createSubnet(deps, n)),
    cmd('ovnlab.lab.up', () => labUp(labDeps)),
    cmd('ovnlab.lab.down', () => labDown(labDeps)),
    cmd('ovnlab.lab.openTerminal', () => openLabTerminal(labDeps)),
    cmd('ovnlab.refresh', async () => {
      await reconnect();
      for (const t of [trees.networks, trees.vms, trees.externalIps]) t.refreshAll();
    }),
    ...registerShellCommands({
      log, settings: () => settings,
      startLocalLab: () => labUp(labDeps, 'local'),
      createKindLab: () => labUp(labDeps, 'kind'),
    }),
  );
  context.subscriptions.push(...new VmYamlEditor({ session, log, kubeOvnVersion: () => settings.kubeOvnVersion, extensionPath: context.extensionPath }).register());
  const walkthrough: WalkthroughDeps = {
    log, extensionPath: context.extensionPath, localLabDir: defaultLabDir, backend: () => settings.labBackend,
    labUp: () => labUp(labDeps, 'local'), changed: reconnect,
  };
  context.subscriptions.push(...registerWalkthroughCommands(walkthrough, String(context.extension.id)));
  void refreshAllSteps(walkthrough, GUIDED_LABS);
  void reconnect();
  log.info(`ovnlab ${String(context.extension.packageJSON.version)} activated (lab backend: ${settings.labBackend})`);
  return { session, trees };
}

export function deactivate(): void {}

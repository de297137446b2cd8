// Lab view: the lab backend and its state, its nodes, the kubeconfig, and the cluster the other
// views show. Empty (so the welcome content shows) while there is no lab and no reachable cluster.
import * as vscode from 'vscode';
import type { LabStatus } from '../lab/lab-backend';
import type { ClusterSession } from './cluster-session';
import type { SidebarNode } from './tree-node';
import { md } from './tree-text';

export type LabStatusReader = () => Promise<LabStatus | undefined>;

const CONNECTION_WORDS = { none: 'not connected', connecting: 'connecting…', ok: 'connected', unreachable: 'API server unreachable' } as const;

export class LabTree implements vscode.TreeDataProvider<SidebarNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<SidebarNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly off: vscode.Disposable;
  private lastStatus: LabStatus | undefined;

  constructor(
    private readonly session: ClusterSession,
    private readonly readStatus: LabStatusReader,
  ) {
    this.off = session.onDidChangeState(() => this.refresh());
  }

  /** The lab status read at the last refresh (the commands use its dir and kubeconfig). */
  get status(): LabStatus | undefined {
    return this.lastStatus;
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  async getChildren(node?: SidebarNode): Promise<SidebarNode[]> {
    if (node) return node.kind === 'info' ? node.children ?? [] : [];
    let lab: LabStatus | undefined;
    let labError: string | undefined;
    try {
      lab = await this.readStatus();
    } catch (e) {
      labError = (e as Error).message;
    }
    this.lastStatus = lab;
    const s = this.session.state;
    const labUp = lab !== undefined && lab.state !== 'down';
    if (!labUp && s.connection !== 'ok') return [];
    const rows: SidebarNode[] = [];
    if (lab) {
      const stateIcon = lab.state === 'up' ? 'pass-filled' : lab.state === 'broken' ? 'warning' : 'circle-slash';
      rows.push({
        kind: 'info', id: 'lab:backend', label: `${lab.backend} lab`, description: lab.state, icon: 'beaker',
        color: lab.state === 'broken' ? 'list.warningForeground' : undefined, context: `lab:${lab.state}`,
        tooltip: `**${md(lab.backend)} lab** in \`${lab.dir}\`: ${md(lab.state)}${lab.notes.map((n) => `\n\n${md(n)}`).join('')}`,
        children: [
          { kind: 'info', id: 'lab:state', label: 'State', description: lab.state, icon: stateIcon, color: lab.state === 'up' ? 'testing.iconPassed' : undefined },
          { kind: 'info', id: 'lab:dir', label: 'Directory', description: lab.dir, icon: 'folder', value: lab.dir },
          ...(lab.nbRemote ? [{ kind: 'info' as const, id: 'lab:nb', label: 'NB database', description: lab.nbRemote, icon: 'database', value: lab.nbRemote }] : []),
        ],
      });
      if (lab.nodes.length) {
        rows.push({
          kind: 'info', id: 'lab:nodes', label: 'Nodes', description: `${lab.nodes.filter((n) => n.chassisUp).length}/${lab.nodes.length} chassis up`, icon: 'server-environment',
          children: lab.nodes.map((n) => ({
            kind: 'info' as const, id: `lab:node:${n.name}`, label: n.name,
            description: [n.role, n.encapIp, n.chassisUp ? 'chassis up' : 'chassis DOWN', n.gateway ? 'gateway' : ''].filter(Boolean).join(' · '),
            icon: 'server', color: n.chassisUp ? undefined : 'errorForeground', context: 'labnode', value: n.name,
            tooltip: `**Node ${md(n.name)}** (${md(n.role)})\n\nGeneve endpoint ${md(n.encapIp)}; chassis ${n.chassisUp ? 'registered in the SB database' : '**not** registered'}${n.gateway ? '; carries the external gateway' : ''}`,
          })),
        });
      }
      if (lab.kubeconfig) {
        rows.push({
          kind: 'info', id: 'lab:kubeconfig', label: 'Kubeconfig', description: lab.kubeconfig, icon: 'key', value: lab.kubeconfig, context: 'info:kubeconfig',
          command: { command: 'vscode.open', title: 'Open kubeconfig', arguments: [vscode.Uri.file(lab.kubeconfig)] },
        });
      }
    } else if (labError) {
      rows.push({ kind: 'info', id: 'lab:error', label: 'Lab status unknown', description: labError, icon: 'warning', color: 'list.warningForeground', tooltip: md(labError) });
    }
    rows.push({
      kind: 'info', id: 'lab:cluster', label: s.target ?? '(no context)', description: CONNECTION_WORDS[s.connection],
      icon: s.connection === 'ok' ? 'plug' : 'debug-disconnect', color: s.connection === 'ok' ? 'testing.iconPassed' : s.connection === 'unreachable' ? 'errorForeground' : undefined,
      tooltip: `**Cluster shown in the sidebar**\n\nContext ${md(s.target)}${s.choice ? `, kubeconfig \`${s.choice.kubeconfig}\` (from ${s.choice.source})` : ''}${s.detail ? `\n\n${md(s.detail)}` : ''}`,
      context: 'cluster', command: { command: 'ovnlab.pickContext', title: 'Pick a kubeconfig context' },
    });
    return rows;
  }

  getTreeItem(node: SidebarNode): vscode.TreeItem {
    if (node.kind !== 'info') return new vscode.TreeItem(node.id);
    const item = new vscode.TreeItem(node.label, node.children?.length ? (node.id === 'lab:nodes' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = node.description;
    item.iconPath = new vscode.ThemeIcon(node.icon, node.color ? new vscode.ThemeColor(node.color) : undefined);
    item.tooltip = node.tooltip ? new vscode.MarkdownString(node.tooltip) : undefined;
    item.contextValue = node.context ?? 'info';
    if (node.command) item.command = node.command;
    return item;
  }

  dispose(): void {
    this.off.dispose();
    this.emitter.dispose();
  }
}

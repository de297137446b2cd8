// What the three cluster trees share: one element object per id, refreshes of only the changed
// elements (debounced), problem rows for resources the store cannot read, and an empty tree
// (so the view's welcome content shows) while nothing is connected or the API server is down.
import * as vscode from 'vscode';
import type { ClusterStore, StoreChange } from '../k8s/cluster-store';
import type { ResourceKey } from '../k8s/resource-catalogue';
import type { ClusterSession } from './cluster-session';
import { RefreshQueue } from './refresh-queue';
import type { SidebarNode } from './tree-node';
import { problemText, type RowText } from './tree-text';

export const ROOT_KEY = 'root';
/** More changed keys than this in one batch (a first sync, a bulk apply): refresh from the top. */
const MAX_TARGETED = 500;

export abstract class LiveTree implements vscode.TreeDataProvider<SidebarNode>, vscode.Disposable {
  private readonly nodes = new Map<string, SidebarNode>();
  private readonly childIds = new Map<string, Set<string>>();
  private readonly emitter = new vscode.EventEmitter<SidebarNode | SidebarNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly queue: RefreshQueue;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** how many refreshes were fired and how many named elements rather than the whole tree (for tests and the log) */
  readonly stats = { targeted: 0, full: 0 };

  /** resources whose problems (403, not served…) this tree shows as rows */
  protected abstract readonly problemResources: readonly ResourceKey[];

  constructor(
    protected readonly session: ClusterSession,
    protected readonly namespaceFilter: () => readonly string[],
    debounceMs = 100,
  ) {
    this.queue = new RefreshQueue((keys) => this.flush(keys), debounceMs);
    this.subscriptions.push(
      session.onDidChangeState(() => this.refreshAll()),
      session.onDidChangeObject((c) => this.queue.add(...this.keysFor(c))),
      session.onDidChangeResourceStatus((s) => {
        if (this.problemResources.includes(s.resource)) this.queue.add(ROOT_KEY);
      }),
    );
  }

  /** Abstract keys for a store change, resolved to elements at flush time (one index build per batch). */
  protected abstract keysFor(change: StoreChange): string[];
  /** Elements to refresh for the keys of one batch; 'root' refreshes the whole tree. */
  protected abstract resolve(keys: Set<string>, store: ClusterStore): (SidebarNode | 'root')[];
  protected abstract rootChildren(store: ClusterStore): SidebarNode[];
  protected abstract childrenOf(node: SidebarNode, store: ClusterStore): SidebarNode[];
  /** The row text; undefined when the object is gone (the element is about to be removed). */
  protected abstract textOf(node: SidebarNode, store: ClusterStore, fresh: boolean): RowText | undefined;
  protected abstract collapsible(node: SidebarNode): vscode.TreeItemCollapsibleState;

  protected isShown(): boolean {
    return this.session.state.connection === 'ok' && this.session.liveStore !== undefined;
  }

  refreshAll(): void {
    this.nodes.clear();
    this.childIds.clear();
    this.stats.full++;
    this.emitter.fire(undefined);
  }

  protected cached(id: string): SidebarNode | undefined {
    return this.nodes.get(id);
  }

  /** Cached elements whose id starts with `prefix` (e.g. every row of one VM in several subnets). */
  protected cachedWithPrefix(prefix: string, suffix = ''): SidebarNode[] {
    const out: SidebarNode[] = [];
    for (const [id, n] of this.nodes) if (id.startsWith(prefix) && id.endsWith(suffix)) out.push(n);
    return out;
  }

  /** The first of `ids` the tree has shown, else 'root' (its parent chain is not on screen either). */
  protected firstShown(...ids: string[]): SidebarNode | 'root' {
    for (const id of ids) {
      const n = this.nodes.get(id);
      if (n) return n;
    }
    return 'root';
  }

  private flush(keys: Set<string>): void {
    const store = this.session.liveStore;
    if (!store || !this.isShown()) return;
    if (keys.has(ROOT_KEY) || keys.size > MAX_TARGETED) {
      this.refreshAll();
      return;
    }
    const targets = this.resolve(keys, store);
    if (targets.includes('root')) {
      this.refreshAll();
      return;
    }
    const unique = [...new Set(targets as SidebarNode[])];
    if (unique.length === 0) return;
    this.stats.targeted++;
    this.emitter.fire(unique);
  }

  /** Keeps one object per id: the editor knows elements by identity. */
  private intern(parent: string, fresh: SidebarNode[]): SidebarNode[] {
    const ids = new Set<string>();
    const out = fresh.map((f) => {
      ids.add(f.id);
      const old = this.nodes.get(f.id);
      if (old && old.kind === f.kind) {
        Object.assign(old, f);
        return old;
      }
      this.nodes.set(f.id, f);
      return f;
    });
    // forget the elements that left this parent (and what was below them)
    const before = this.childIds.get(parent);
    if (before) for (const id of before) if (!ids.has(id)) this.forget(id);
    this.childIds.set(parent, ids);
    return out;
  }

  private forget(id: string): void {
    this.nodes.delete(id);
    const kids = this.childIds.get(id);
    this.childIds.delete(id);
    if (kids) for (const k of kids) this.forget(k);
  }

  getChildren(node?: SidebarNode): SidebarNode[] {
    const store = this.session.liveStore;
    if (!store || !this.isShown()) return [];
    if (!node) {
      const problems: SidebarNode[] = store
        .problems()
        .filter((p) => this.problemResources.includes(p.resource) && p.status.state !== 'starting' && p.status.state !== 'stopped' && (p.status.state !== 'not-served' || p.resource === this.problemResources[0]))
        .map((p) => ({ kind: 'problem', id: `problem:${p.resource}`, resource: p.resource }));
      return this.intern('', [...problems, ...this.rootChildren(store)]);
    }
    if (node.kind === 'info') return this.intern(node.id, (node.children ?? []).map((c) => ({ ...c, parent: node.id })));
    return this.intern(node.id, this.childrenOf(node, store).map((c) => ({ ...c, parent: node.id })));
  }

  getParent(node: SidebarNode): SidebarNode | undefined {
    return node.parent ? this.nodes.get(node.parent) : undefined;
  }

  getTreeItem(node: SidebarNode): vscode.TreeItem {
    const store = this.session.liveStore;
    let t: RowText | undefined;
    if (node.kind === 'problem') {
      const st = store?.status(node.resource);
      t = problemText(node.resource, st?.state ?? 'stopped', st?.message, st?.detail);
    } else if (node.kind === 'info') {
      t = { label: node.label, description: node.description ?? '', icon: node.icon, color: node.color, tooltip: node.tooltip ?? '', context: node.context ?? 'info' };
    } else if (store) {
      t = this.textOf(node, store, false);
    }
    const item = new vscode.TreeItem(t?.label ?? ('name' in node ? node.name : node.id), t ? this.collapsible(node) : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    if (!t) {
      item.description = 'deleted';
      item.iconPath = new vscode.ThemeIcon('trash', new vscode.ThemeColor('disabledForeground'));
      item.contextValue = 'gone';
      return item;
    }
    item.description = t.description;
    item.iconPath = new vscode.ThemeIcon(t.icon, t.color ? new vscode.ThemeColor(t.color) : undefined);
    item.contextValue = t.context;
    if (node.kind === 'info' && node.command) item.command = node.command;
    if (node.kind === 'problem' || node.kind === 'info') item.tooltip = t.tooltip ? new vscode.MarkdownString(t.tooltip) : undefined;
    return item;
  }

  /** Tooltips are built on hover from the live object, so one that was deleted meanwhile says so. */
  resolveTreeItem(item: vscode.TreeItem, node: SidebarNode): vscode.TreeItem {
    if (node.kind === 'problem' || node.kind === 'info') return item;
    const store = this.session.liveStore;
    const t = store && this.textOf(node, store, true);
    const tip = new vscode.MarkdownString(t ? t.tooltip : `**${'name' in node ? node.name : node.id}** no longer exists: it was deleted from the cluster.`);
    tip.supportThemeIcons = true;
    item.tooltip = tip;
    return item;
  }

  dispose(): void {
    this.queue.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}

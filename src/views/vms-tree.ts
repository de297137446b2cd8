// Virtual Machines view: namespace → VM (status, IP, node, subnet, pinned/kept/dynamic IP,
// migration in progress).
import * as vscode from 'vscode';
import type { ClusterStore, StoreChange } from '../k8s/cluster-store';
import { vmNamespaceRows, vmRow, vmRows } from '../k8s/joined-views';
import type { ResourceKey } from '../k8s/resource-catalogue';
import type { Pod, VirtualMachineInstanceMigration } from '../k8s/resources';
import { LAUNCHER_VM_LABELS } from '../k8s/store-indexes';
import { LiveTree, ROOT_KEY } from './live-tree';
import type { NodeOf, SidebarNode } from './tree-node';
import { md, vmText, type RowText } from './tree-text';

/** The VM (`ns/name`) a change concerns, if any. */
export function vmKeyOfChange(c: StoreChange): string | undefined {
  const o = c.object;
  const ns = o.metadata.namespace;
  switch (c.resource) {
    case 'virtualmachines':
    case 'virtualmachineinstances':
      return `${ns}/${o.metadata.name}`;
    case 'virtualmachineinstancemigrations':
      return `${ns}/${(o as VirtualMachineInstanceMigration).spec?.vmiName ?? ''}`;
    case 'pods': {
      const l = (o as Pod).metadata.labels;
      const vm = l?.[LAUNCHER_VM_LABELS[0]] ?? l?.[LAUNCHER_VM_LABELS[1]];
      return vm ? `${ns}/${vm}` : undefined;
    }
    case 'ips': {
      const spec = (o as { spec?: { podType?: string; namespace?: string; podName?: string } }).spec;
      return spec?.podType === 'VirtualMachine' && spec.namespace && spec.podName ? `${spec.namespace}/${spec.podName}` : undefined;
    }
    default:
      return undefined;
  }
}

export class VmsTree extends LiveTree {
  protected readonly problemResources: readonly ResourceKey[] = ['virtualmachines', 'virtualmachineinstances', 'virtualmachineinstancemigrations', 'ips'];

  protected keysFor(c: StoreChange): string[] {
    const key = vmKeyOfChange(c);
    if (key) {
      // a VM that comes or goes changes its namespace row (count) and the list under it
      if (c.resource === 'virtualmachines' && c.type !== 'modified') return [`ns:${key.split('/')[0]}`];
      return [`vm:${key}`];
    }
    if (c.resource === 'ovn-fips' || c.resource === 'subnets') return [ROOT_KEY];
    return [];
  }

  protected resolve(keys: Set<string>): (SidebarNode | 'root')[] {
    const out: (SidebarNode | 'root')[] = [];
    for (const k of keys) {
      if (k.startsWith('ns:')) out.push(this.firstShown(k));
      else if (k.startsWith('vm:')) {
        const ns = k.slice(3).split('/')[0];
        const shown = this.cached(k);
        // a VM row not on screen needs no refresh unless its namespace row is not there either
        if (shown) out.push(shown);
        else if (!this.cached(`ns:${ns}`)) out.push('root');
      }
    }
    return out;
  }

  private allowed(ns: string): boolean {
    const f = this.namespaceFilter();
    return f.length === 0 || f.includes(ns);
  }

  protected rootChildren(store: ClusterStore): SidebarNode[] {
    return vmNamespaceRows(store.indexes())
      .filter((r) => this.allowed(r.namespace))
      .map((r) => ({ kind: 'namespace', id: `ns:${r.namespace}`, namespace: r.namespace, count: r.vms }));
  }

  protected childrenOf(node: SidebarNode, store: ClusterStore): SidebarNode[] {
    if (node.kind === 'namespace') {
      const at = store.changes;
      return vmRows(store.snapshot(), store.indexes(), node.namespace).map((row) => ({ kind: 'vm', id: `vm:${row.namespace}/${row.name}`, namespace: row.namespace, name: row.name, row, rowAt: at }));
    }
    return [];
  }

  protected textOf(node: SidebarNode, store: ClusterStore, fresh: boolean): RowText | undefined {
    if (node.kind === 'namespace') {
      const count = store.indexes().vmsByNamespace.get(node.namespace)?.length ?? 0;
      if (count === 0) return undefined;
      return { label: node.namespace, description: `${count} VM${count === 1 ? '' : 's'}`, icon: 'symbol-namespace', tooltip: `**Namespace ${md(node.namespace)}** — ${count} VirtualMachine(s)`, context: 'namespace' };
    }
    if (node.kind === 'vm') return vmRowText(node, store, fresh);
    return undefined;
  }

  protected collapsible(node: SidebarNode): vscode.TreeItemCollapsibleState {
    // a namespace of hundreds of VMs starts collapsed: its rows are built when the user opens it
    if (node.kind === 'namespace') return node.count <= 200 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    return vscode.TreeItemCollapsibleState.None;
  }
}

/** A VM row's text from the row computed with its level, or afresh when the store moved on. */
export function vmRowText(node: NodeOf<'vm'>, store: ClusterStore, fresh: boolean): RowText | undefined {
  if (fresh || !node.row || node.rowAt !== store.changes) {
    const vm = store.get('virtualmachines', node.namespace, node.name);
    if (!vm) return undefined;
    node.row = vmRow(store.snapshot(), store.indexes(), vm);
    node.rowAt = store.changes;
  }
  return vmText(node.row);
}

// External IPs view: every way an external address reaches a workload — OvnEip, OvnFip,
// OvnSnat/DnatRule, IptablesEIP/FIPRule and pods/VMs annotated `ovn.kubernetes.io/eip` — as
// external IP → internal IP → VM (or pod) → node.
import * as vscode from 'vscode';
import type { ClusterStore, StoreChange } from '../k8s/cluster-store';
import { eipRows, type EipRow } from '../k8s/joined-views';
import type { ResourceKey } from '../k8s/resource-catalogue';
import type { Pod, VirtualMachine } from '../k8s/resources';
import { ANNOTATIONS } from '../k8s/store-indexes';
import { LiveTree, ROOT_KEY } from './live-tree';
import type { SidebarNode } from './tree-node';
import { eipText, type RowText } from './tree-text';

const EIP_RESOURCES = new Set<ResourceKey>(['ovn-eips', 'ovn-fips', 'ovn-snat-rules', 'ovn-dnat-rules', 'iptables-eips', 'iptables-fip-rules']);

function eipId(r: EipRow): string {
  return `eip:${r.source}/${r.namespace ?? ''}/${r.name}`;
}

export class ExternalIpsTree extends LiveTree {
  protected readonly problemResources: readonly ResourceKey[] = ['ovn-eips', 'ovn-fips', 'ovn-snat-rules', 'ovn-dnat-rules', 'iptables-eips', 'iptables-fip-rules', 'pods'];
  private rowCount = 0;

  protected keysFor(c: StoreChange): string[] {
    if (EIP_RESOURCES.has(c.resource)) return [ROOT_KEY];
    if (c.resource === 'pods') {
      const had = (c.previous as Pod | undefined)?.metadata.annotations?.[ANNOTATIONS.eip];
      const has = (c.object as Pod).metadata.annotations?.[ANNOTATIONS.eip];
      if (had || has) return [ROOT_KEY];
    }
    if (c.resource === 'virtualmachines') {
      const eipOf = (vm: VirtualMachine | undefined) => vm?.spec?.template?.metadata?.annotations?.[ANNOTATIONS.eip];
      if (eipOf(c.previous as VirtualMachine | undefined) || eipOf(c.object as VirtualMachine)) return [ROOT_KEY];
    }
    // the internal side of a binding (IP CR, VMI node) moved: only matters when there are bindings
    if (this.rowCount > 0 && (c.resource === 'ips' || c.resource === 'virtualmachineinstances')) return [ROOT_KEY];
    return [];
  }

  protected resolve(): (SidebarNode | 'root')[] {
    return ['root'];
  }

  protected rootChildren(store: ClusterStore): SidebarNode[] {
    const filter = this.namespaceFilter();
    const rows = eipRows(store.snapshot(), store.indexes()).filter((r) => {
      if (filter.length === 0) return true;
      const ns = r.vm?.namespace ?? r.pod?.namespace ?? r.namespace;
      return ns === undefined || filter.includes(ns);
    });
    this.rowCount = rows.length;
    return rows.map((row) => ({ kind: 'eip', id: eipId(row), row }));
  }

  protected childrenOf(node: SidebarNode): SidebarNode[] {
    if (node.kind !== 'eip') return [];
    const r = node.row;
    const out: SidebarNode[] = [];
    const add = (suffix: string, label: string, description: string, icon: string, value?: string): void => {
      out.push({ kind: 'info', id: `${node.id}#${suffix}`, label, description, icon, value, context: value ? 'info:ip' : 'info' });
    };
    add('int', r.internalIp ?? '(no internal IP yet)', 'internal IP', 'arrow-right', r.internalIp);
    if (r.vm) add('vm', `${r.vm.namespace}/${r.vm.name}`, 'VirtualMachine', 'vm');
    else if (r.pod) add('pod', `${r.pod.namespace}/${r.pod.name}`, 'pod', 'package');
    if (r.node) add('node', r.node, 'node', 'server');
    if (r.eipName && r.source !== 'OvnEip') add('eipobj', r.eipName, r.source.startsWith('Iptables') ? 'IptablesEIP' : 'OvnEip', 'symbol-constant');
    return out;
  }

  protected textOf(node: SidebarNode): RowText | undefined {
    return node.kind === 'eip' ? eipText(node.row) : undefined;
  }

  protected collapsible(node: SidebarNode): vscode.TreeItemCollapsibleState {
    return node.kind === 'eip' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
  }
}

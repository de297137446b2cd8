// Networks view: Vpc → Subnet (CIDR, used/available IPs, gateway, NAT outgoing) → the VMs and
// pods on it with their IPs.
import * as vscode from 'vscode';
import type { ClusterStore, StoreChange } from '../k8s/cluster-store';
import { subnetRow, subnetRowsOfVpc, vmRowsOfSubnet, vpcRows } from '../k8s/joined-views';
import type { ResourceKey } from '../k8s/resource-catalogue';
import type { IP, Subnet } from '../k8s/resources';
import { DEFAULT_VPC, ipAddresses } from '../k8s/store-indexes';
import { LiveTree, ROOT_KEY } from './live-tree';
import type { SidebarNode } from './tree-node';
import { md, subnetText, vpcText, type RowText } from './tree-text';
import { vmKeyOfChange, vmRowText } from './vms-tree';

export class NetworksTree extends LiveTree {
  protected readonly problemResources: readonly ResourceKey[] = ['subnets', 'vpcs', 'ips', 'virtualmachines'];

  protected keysFor(c: StoreChange): string[] {
    const keys: string[] = [];
    switch (c.resource) {
      case 'vpcs':
        return c.type === 'modified' ? [`vpc:${c.object.metadata.name}`] : [ROOT_KEY];
      case 'subnets': {
        const now = (c.object as Subnet).spec?.vpc || DEFAULT_VPC;
        const before = c.previous ? (c.previous as Subnet).spec?.vpc || DEFAULT_VPC : now;
        if (c.type === 'modified' && now === before) return [`subnet:${c.object.metadata.name}`];
        return [`vpc:${now}`, `vpc:${before}`];
      }
      case 'ips': {
        // an address taken or freed changes the subnet's counts and the rows under it
        for (const ip of [c.object, c.previous] as (IP | undefined)[]) if (ip?.spec?.subnet) keys.push(`subnet:${ip.spec.subnet}`);
        break;
      }
      default:
        break;
    }
    const vm = vmKeyOfChange(c);
    if (vm) keys.push(`vm:${vm}${c.resource === 'virtualmachines' ? ':membership' : ''}`);
    return keys;
  }

  protected resolve(keys: Set<string>, store: ClusterStore): (SidebarNode | 'root')[] {
    const out: (SidebarNode | 'root')[] = [];
    let ix: ReturnType<ClusterStore['indexes']> | undefined;
    for (const k of keys) {
      if (k.startsWith('vpc:')) out.push(this.firstShown(k));
      else if (k.startsWith('subnet:')) {
        const name = k.slice(7);
        const s = store.get('subnets', undefined, name);
        const shown = this.cached(k);
        if (shown) out.push(shown);
        else if (s) {
          const vpc = this.cached(`vpc:${s.spec?.vpc || DEFAULT_VPC}`);
          // the subnet's VPC row shows counts too; if the VPC row is not on screen, nothing is
          if (vpc) out.push(vpc);
        }
      } else if (k.startsWith('vm:')) {
        const [key, membership] = k.slice(3).split(':');
        // the rows of this VM under whichever subnets are expanded
        for (const n of this.cachedWithPrefix('nvm:', `/${key}`)) out.push(n);
        if (membership) {
          ix ??= store.indexes();
          for (const [subnet, vms] of ix.vmsBySubnet) if (vms.includes(key)) out.push(this.firstShown(`subnet:${subnet}`));
          const gone = this.cachedWithPrefix('nvm:', `/${key}`).map((n) => (n.parent ? this.cached(n.parent) : undefined));
          for (const g of gone) if (g) out.push(g);
        }
      }
    }
    // a subnet not shown because its VPC row is collapsed needs nothing; 'root' only from firstShown misses
    return out;
  }

  protected rootChildren(store: ClusterStore): SidebarNode[] {
    return vpcRows(store.snapshot(), store.indexes()).map((row) => ({ kind: 'vpc', id: `vpc:${row.name}`, name: row.name, row, rowAt: store.changes }));
  }

  protected childrenOf(node: SidebarNode, store: ClusterStore): SidebarNode[] {
    if (node.kind === 'vpc') {
      return subnetRowsOfVpc(store.indexes(), node.name).map((row) => ({ kind: 'subnet', id: `subnet:${row.name}`, name: row.name, row, rowAt: store.changes }));
    }
    if (node.kind === 'subnet') {
      const ix = store.indexes();
      const filter = this.namespaceFilter();
      const ok = (ns: string): boolean => filter.length === 0 || filter.includes(ns);
      const vms: SidebarNode[] = vmRowsOfSubnet(store.snapshot(), ix, node.name)
        .filter((r) => ok(r.namespace))
        .map((row) => ({ kind: 'vm', id: `nvm:${node.name}/${row.namespace}/${row.name}`, namespace: row.namespace, name: row.name, row, rowAt: store.changes }));
      const pods: SidebarNode[] = [];
      for (const ip of ix.ipsBySubnet.get(node.name) ?? []) {
        const ns = ip.spec?.namespace;
        const name = ip.spec?.podName;
        if (ip.spec?.podType === 'VirtualMachine' || !ns || !name || !ok(ns)) continue;
        pods.push({ kind: 'pod', id: `npod:${node.name}/${ns}/${name}`, namespace: ns, name, ip: ipAddresses(ip).join(', '), node: ip.spec?.nodeName });
      }
      pods.sort((a, b) => a.id.localeCompare(b.id));
      return [...vms, ...pods];
    }
    return [];
  }

  protected textOf(node: SidebarNode, store: ClusterStore, fresh: boolean): RowText | undefined {
    switch (node.kind) {
      case 'vpc': {
        if (fresh || !node.row || node.rowAt !== store.changes) {
          const row = vpcRows(store.snapshot(), store.indexes()).find((r) => r.name === node.name);
          if (!row) return undefined;
          node.row = row;
          node.rowAt = store.changes;
        }
        return vpcText(node.row);
      }
      case 'subnet': {
        if (fresh || !node.row || node.rowAt !== store.changes) {
          const s = store.get('subnets', undefined, node.name);
          if (!s) return undefined;
          node.row = subnetRow(store.indexes(), s);
          node.rowAt = store.changes;
        }
        return subnetText(node.row);
      }
      case 'vm':
        return vmRowText(node, store, fresh);
      case 'pod': {
        const pod = store.get('pods', node.namespace, node.name);
        return {
          label: node.name,
          description: [node.ip, node.node].filter(Boolean).join(' · '),
          icon: 'package',
          color: pod && pod.status?.phase !== 'Running' ? 'charts.yellow' : undefined,
          tooltip: `**Pod ${md(node.namespace)}/${md(node.name)}**\n\n| | |\n|---|---|\n| IP | ${md(node.ip)} |\n| Node | ${md(node.node)} |\n| Phase | ${md(pod?.status?.phase ?? (pod ? undefined : 'not visible to this store'))} |`,
          context: `pod${node.ip ? ':ip' : ''}`,
        };
      }
      default:
        return undefined;
    }
  }

  protected collapsible(node: SidebarNode): vscode.TreeItemCollapsibleState {
    if (node.kind === 'vpc') return vscode.TreeItemCollapsibleState.Expanded;
    if (node.kind === 'subnet') return vscode.TreeItemCollapsibleState.Collapsed;
    return vscode.TreeItemCollapsibleState.None;
  }
}

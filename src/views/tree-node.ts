// The elements of the four sidebar trees. Elements are plain records with a stable id; each tree
// keeps one object per id so `onDidChangeTreeData.fire(element)` can name exactly the rows that
// changed (the editor matches elements by identity).
import type { ResourceKey } from '../k8s/resource-catalogue';
import type { EipRow, SubnetRow, VmRow, VpcRow } from '../k8s/joined-views';

interface Base {
  id: string;
  /** id of the parent element; undefined at the top level */
  parent?: string;
}

export type SidebarNode =
  | (Base & { kind: 'problem'; resource: ResourceKey })
  | (Base & { kind: 'namespace'; namespace: string; count: number })
  | (Base & { kind: 'vm'; namespace: string; name: string; row?: VmRow; rowAt?: number })
  | (Base & { kind: 'vpc'; name: string; row?: VpcRow; rowAt?: number })
  | (Base & { kind: 'subnet'; name: string; row?: SubnetRow; rowAt?: number })
  | (Base & { kind: 'pod'; namespace: string; name: string; ip?: string; node?: string })
  | (Base & { kind: 'eip'; row: EipRow })
  | (Base & { kind: 'info'; label: string; description?: string; icon: string; color?: string; tooltip?: string; context?: string; value?: string; children?: SidebarNode[]; command?: { command: string; title: string; arguments?: unknown[] } });

export type NodeOf<K extends SidebarNode['kind']> = Extract<SidebarNode, { kind: K }>;

/** The Kubernetes object an element stands for, for "Open YAML" and "Copy IP". */
export interface ObjectRef {
  resource: ResourceKey;
  namespace?: string;
  name: string;
}

export function objectRefOf(n: SidebarNode): ObjectRef | undefined {
  switch (n.kind) {
    case 'vm':
      return { resource: 'virtualmachines', namespace: n.namespace, name: n.name };
    case 'vpc':
      return { resource: 'vpcs', name: n.name };
    case 'subnet':
      return { resource: 'subnets', name: n.name };
    case 'pod':
      return { resource: 'pods', namespace: n.namespace, name: n.name };
    case 'eip': {
      const r = n.row;
      const resource: Record<EipRow['source'], ResourceKey> = {
        OvnFip: 'ovn-fips', OvnDnatRule: 'ovn-dnat-rules', OvnSnatRule: 'ovn-snat-rules', IptablesFIPRule: 'iptables-fip-rules', 'pod-annotation': 'pods',
  'vm-annotation': 'virtualmachines', OvnEip: 'ovn-eips',
      };
      return { resource: resource[r.source], namespace: r.namespace, name: r.name };
    }
    default:
      return undefined;
  }
}

/** The address "Copy IP" copies. */
export function ipOf(n: SidebarNode): string | undefined {
  switch (n.kind) {
    case 'vm':
      return n.row?.ip ?? n.row?.pinnedIp;
    case 'pod':
      return n.ip;
    case 'eip':
      return n.row.externalIp;
    case 'subnet':
      return n.row?.cidr;
    case 'info':
      return n.value;
    default:
      return undefined;
  }
}

// From an OVN Northbound row back to the Kubernetes object that made it, following how
// Kube-OVN names and tags its rows (shared/reference/kube-ovn-to-ovn-nb.md §7). Pure: the
// caller passes the NB snapshot; rows Kube-OVN leaves untagged (NAT) are matched by content.
import { asList, asMap, asOptional, type DbRow } from './ctl-json';

export interface K8sOwner {
  /** Kubernetes kind; several when the NB row cannot tell them apart (a pod or a VM under keep-vm-ip) */
  kinds: string[];
  name: string;
  namespace?: string;
  /** how the link was made, shown to the user */
  why: string;
}

/** Finds the owner of a NAT row Kube-OVN left untagged, from the cluster's (or lab's) objects. */
export type NatOwnerResolver = (nat: { type: string; externalIp: string; logicalIp: string }) => K8sOwner | undefined;

/** The minimal shape of a Kubernetes object the EIP resolver reads. */
export interface AnnotatedObject {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec?: unknown;
}

const EIP_ANNOTATIONS = ['ovn.kubernetes.io/eip', 'ovn.kubernetes.io/snat'] as const;

/**
 * A NatOwnerResolver over objects: the VM (annotation on spec.template.metadata) or pod whose
 * ovn.kubernetes.io/eip (dnat_and_snat) or ovn.kubernetes.io/snat (snat) equals the external IP.
 */
export function natOwnerFromAnnotations(objects: readonly AnnotatedObject[]): NatOwnerResolver {
  const byIp = new Map<string, { obj: AnnotatedObject; annotation: string }>();
  for (const o of objects) {
    const tmpl = (o.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template?.metadata?.annotations;
    for (const ann of [o.metadata.annotations, o.kind === 'VirtualMachine' ? tmpl : undefined]) {
      for (const a of EIP_ANNOTATIONS) {
        const ip = ann?.[a];
        // a VM wins over the pod/VMI it runs as (both carry the annotation)
        if (ip && (!byIp.has(`${a} ${ip}`) || o.kind === 'VirtualMachine')) byIp.set(`${a} ${ip}`, { obj: o, annotation: a });
      }
    }
  }
  return (nat) => {
    const a = nat.type === 'snat' ? 'ovn.kubernetes.io/snat' : 'ovn.kubernetes.io/eip';
    const hit = byIp.get(`${a} ${nat.externalIp}`);
    if (!hit) return undefined;
    return {
      kinds: [hit.obj.kind], name: hit.obj.metadata.name, namespace: hit.obj.metadata.namespace,
      why: `${hit.obj.kind} ${hit.obj.metadata.namespace ? `${hit.obj.metadata.namespace}/` : ''}${hit.obj.metadata.name} has ${hit.annotation}=${nat.externalIp} (NAT ${nat.type} ${nat.externalIp} → ${nat.logicalIp})`,
    };
  };
}

export const EXTERNAL_GW_CONFIGMAP = { kinds: ['ConfigMap'], name: 'ovn-external-gw-config', namespace: 'kube-system' };

/** Finds the NB rows' owners; `nb` holds the NB tables by name. */
export class NbOwnerIndex {
  private readonly natRouter = new Map<string, string>();
  private readonly lsNames = new Set<string>();
  private readonly lrNames = new Set<string>();

  constructor(nb: ReadonlyMap<string, readonly DbRow[]>, private readonly natResolver?: NatOwnerResolver) {
    for (const lr of nb.get('Logical_Router') ?? []) {
      this.lrNames.add(String(lr.name));
      for (const n of asList(lr.nat)) this.natRouter.set(String(n), String(lr.name));
    }
    for (const ls of nb.get('Logical_Switch') ?? []) this.lsNames.add(String(ls.name));
  }

  routerOfNat(natUuid: string): string | undefined {
    return this.natRouter.get(natUuid);
  }

  ownerOf(table: string, row: DbRow): K8sOwner | undefined {
    const ids = asMap(row.external_ids);
    const name = String(row.name ?? '');
    switch (table) {
      case 'Logical_Switch':
        return { kinds: ['Subnet'], name, why: 'Kube-OVN names the logical switch after the Subnet' };
      case 'Logical_Router':
        return { kinds: ['Vpc'], name, why: 'Kube-OVN names the logical router after the Vpc' };
      case 'Logical_Switch_Port':
        return this.lspOwner(name, ids, row);
      case 'Logical_Router_Port':
        return this.lrpOwner(name, ids);
      case 'NAT':
        return this.natOwner(row);
      case 'ACL':
        if (ids.subnet) return { kinds: ['Subnet'], name: ids.subnet, why: 'ACL external_ids:subnet' };
        if (ids.parent) return { kinds: ['Subnet', 'NetworkPolicy'], name: ids.parent, why: 'ACL external_ids:parent' };
        return undefined;
      case 'Logical_Router_Policy':
        if (ids.subnet) return { kinds: ['Subnet'], name: ids.subnet, why: 'policy external_ids:subnet' };
        if (ids.node) return { kinds: ['Node'], name: ids.node, why: 'policy external_ids:node' };
        return ids.vendor === 'kube-ovn' ? { kinds: ['Vpc'], name: '', why: 'a Vpc spec.policyRoutes entry (vendor only)' } : undefined;
      case 'Logical_Router_Static_Route':
        return ids.vendor === 'kube-ovn'
          ? { kinds: ['Vpc', 'Subnet'], name: '', why: 'a Vpc spec.staticRoutes entry, a subnet gateway route or a NAT src-ip route' }
          : undefined;
      case 'Load_Balancer':
        return { kinds: ['Vpc', 'OvnDnatRule', 'Service'], name, why: 'load balancer name (cluster-*/vpc-* per Vpc, or the OvnDnatRule)' };
      case 'DHCP_Options':
        return ids.ls ? { kinds: ['Subnet'], name: ids.ls, why: 'DHCP_Options external_ids:ls' } : undefined;
      case 'Gateway_Chassis':
        return ids.lrp === 'ovn-cluster-external'
          ? { ...EXTERNAL_GW_CONFIGMAP, why: 'gateway chassis of ovn-cluster-external' }
          : undefined;
      default:
        return undefined;
    }
  }

  private lspOwner(name: string, ids: Record<string, string>, row: DbRow): K8sOwner | undefined {
    if (ids.pod) {
      const [ns, pod] = ids.pod.split('/');
      const provider = name.split('.').length > 2 ? ` (attachment ${name.split('.').slice(2).join('.')})` : '';
      return { kinds: ['VirtualMachine', 'Pod'], name: pod, namespace: ns, why: `port external_ids:pod=${ids.pod}${provider}` };
    }
    if (name.startsWith('node-')) return { kinds: ['Node'], name: name.slice(5), why: 'join port node-<name>' };
    if (name.startsWith('localnet.')) {
      const ls = name.slice('localnet.'.length);
      return ls === 'external'
        ? { ...EXTERNAL_GW_CONFIGMAP, why: 'localnet port of the external gateway switch' }
        : { kinds: ['Subnet'], name: ls, why: 'localnet port of an underlay Subnet' };
    }
    if (String(row.type) === 'router') {
      const ls = ids.ls ?? this.switchPrefix(name);
      if (ls === 'external') return { ...EXTERNAL_GW_CONFIGMAP, why: 'router port of the external gateway switch' };
      if (ls) return { kinds: ['Subnet'], name: ls, why: 'switch side <subnet>-<vpc> of the subnet\'s router port' };
    }
    return undefined;
  }

  private lrpOwner(name: string, ids: Record<string, string>): K8sOwner | undefined {
    if (name === 'ovn-cluster-external') return { ...EXTERNAL_GW_CONFIGMAP, why: 'router port ovn-cluster-external (external gateway)' };
    const lr = ids.lr ?? [...this.lrNames].find((r) => name.startsWith(`${r}-`));
    if (lr && name.startsWith(`${lr}-`)) {
      const ls = name.slice(lr.length + 1);
      return { kinds: ['Subnet', 'OvnEip'], name: ls, why: `router port <vpc>-<subnet> of Vpc ${lr}` };
    }
    return undefined;
  }

  private natOwner(row: DbRow): K8sOwner {
    const port = asOptional(row.logical_port);
    const ext = String(row.external_ip);
    const inner = String(row.logical_ip);
    const resolved = this.natResolver?.({ type: String(row.type), externalIp: ext, logicalIp: inner });
    if (resolved) return resolved;
    if (port && port.split('.').length >= 2) {
      const [vm, ns] = port.split('.');
      return { kinds: ['VirtualMachine', 'Pod'], name: vm, namespace: ns, why: `NAT logical_port ${port}` };
    }
    // Kube-OVN writes no external_ids on NAT rows: the owner is the pod/VM annotated with
    // ovn.kubernetes.io/eip (or snat) = external_ip, or an OvnFip/OvnSnatRule with that eip.
    return {
      kinds: ['VirtualMachine', 'Pod', 'OvnFip', 'OvnSnatRule'],
      name: '',
      why: `NAT ${String(row.type)} ${ext} → ${inner}: the object with ovn.kubernetes.io/eip=${ext} or an OvnFip/OvnSnatRule on that EIP`,
    };
  }

  private switchPrefix(portName: string): string | undefined {
    for (const ls of this.lsNames) if (portName.startsWith(`${ls}-`)) return ls;
    return undefined;
  }
}

// The Kube-OVN pod annotations a VM's spec.template.metadata may carry, for completions, hovers
// and the "unknown key" diagnostic. Keys are written `ovn.kubernetes.io/<name>` for the default
// (pod) network and `<nad>.<ns>.ovn.kubernetes.io/<name>` for a Multus attachment whose provider
// is `<nad>.<ns>.ovn`. Compiled from Kube-OVN's pkg/util/const.go and its user docs.

export type AnnotationValueKind = 'ip' | 'ip-list' | 'mac' | 'subnet' | 'bool' | 'number' | 'text' | 'json' | 'ip-pool';

export interface AnnotationSpec {
  /** the part after `ovn.kubernetes.io/` (or `<provider>.kubernetes.io/`) */
  name: string;
  description: string;
  value: AnnotationValueKind;
  /** written by Kube-OVN itself; setting it by hand has no effect or confuses the controller */
  setByKubeOvn?: boolean;
  /** meaningful on Multus attachments only */
  attachmentOnly?: boolean;
  /** last Kube-OVN version that reads it, when it was removed */
  removedIn?: string;
}

export const KUBE_OVN_ANNOTATIONS: readonly AnnotationSpec[] = [
  { name: 'ip_address', value: 'ip-list', description: 'Static IP for the interface (dual stack: "IPv4,IPv6"). Must sit inside the subnet CIDR, outside excludeIps and not be the gateway.' },
  { name: 'mac_address', value: 'mac', description: 'Static MAC for the interface, instead of a random one. Use this rather than interfaces[].macAddress.' },
  { name: 'logical_switch', value: 'subnet', description: 'Subnet (logical switch) to take the address from, when not the namespace default.' },
  { name: 'ip_pool', value: 'ip-pool', description: 'IPs a workload with several pods takes from, separated by commas (or semicolons for dual stack).' },
  { name: 'ingress_rate', value: 'number', description: 'Ingress bandwidth limit in Mbit/s.' },
  { name: 'egress_rate', value: 'number', description: 'Egress bandwidth limit in Mbit/s.' },
  { name: 'latency', value: 'number', description: 'netem latency in ms added to the interface.' },
  { name: 'jitter', value: 'number', description: 'netem jitter in ms.' },
  { name: 'limit', value: 'number', description: 'netem queue limit in packets.' },
  { name: 'loss', value: 'number', description: 'netem packet loss in percent.' },
  { name: 'priority', value: 'number', description: 'QoS priority of the interface.' },
  { name: 'port_security', value: 'bool', description: '"true" drops traffic whose source IP/MAC is not the port\'s own.' },
  { name: 'security_groups', value: 'text', description: 'SecurityGroup names, separated by commas.' },
  { name: 'port_vips', value: 'ip-list', description: 'Virtual IPs the port may also answer for.' },
  { name: 'aaps', value: 'text', description: 'Vip objects used as allowed address pairs.' },
  { name: 'eip', value: 'ip', description: 'Elastic IP on the default VPC: a dnat_and_snat rule to the VM\'s IP.' },
  { name: 'snat', value: 'ip', description: 'SNAT address on the default VPC for the VM\'s traffic.' },
  { name: 'vip', value: 'ip', description: 'Reserved VIP the pod takes its address from.' },
  { name: 'routes', value: 'json', description: 'Extra routes, a JSON list of {"dst": CIDR, "gw": IP}.' },
  { name: 'north_gateway', value: 'ip', description: 'Next hop for the pod\'s north-bound traffic.' },
  { name: 'bgp', value: 'text', description: 'Announce the pod IP over BGP: "true", "cluster" or "local".' },
  { name: 'mirror', value: 'bool', description: '"true" mirrors the interface\'s traffic to the mirror port.' },
  { name: 'pod_nic_type', value: 'text', description: 'veth-pair or internal-port.' },
  { name: 'default_route', value: 'bool', description: '"true" makes this attachment carry the default route (instead of the pod network).', attachmentOnly: true },
  { name: 'allow_live_migration', value: 'bool', description: 'Old live-migration switch for an attachment; removed in Kube-OVN v1.13.0 (PR #4191). Use kubevirt.io/allow-pod-bridge-network-live-migration.', removedIn: 'v1.12.35' },
  { name: 'migrate', value: 'bool', description: 'Removed in Kube-OVN v1.13.0 together with allow_live_migration.', removedIn: 'v1.12.35' },
  { name: 'allocated', value: 'bool', description: 'Set by Kube-OVN once an address is allocated.', setByKubeOvn: true },
  { name: 'routed', value: 'bool', description: 'Set by Kube-OVN once the port is wired; the CNI waits for it.', setByKubeOvn: true },
  { name: 'cidr', value: 'text', description: 'Set by Kube-OVN: the subnet CIDR.', setByKubeOvn: true },
  { name: 'gateway', value: 'ip', description: 'Set by Kube-OVN: the subnet gateway.', setByKubeOvn: true },
  { name: 'provider_network', value: 'text', description: 'Set by Kube-OVN for underlay subnets.', setByKubeOvn: true },
  { name: 'vlan_id', value: 'number', description: 'Set by Kube-OVN for VLAN subnets.', setByKubeOvn: true },
  { name: 'network_type', value: 'text', description: 'Set by Kube-OVN: geneve, vlan, …', setByKubeOvn: true },
  { name: 'port_name', value: 'text', description: 'Set by Kube-OVN: the logical switch port name.', setByKubeOvn: true },
  { name: 'virtualmachine', value: 'text', description: 'Set by Kube-OVN on the launcher pod: the VM it belongs to.', setByKubeOvn: true },
  { name: 'chassis', value: 'text', description: 'Set by Kube-OVN on nodes.', setByKubeOvn: true },
  { name: 'logical_router', value: 'text', description: 'Set by Kube-OVN: the VPC router.', setByKubeOvn: true },
  { name: 'vpc', value: 'text', description: 'Set by Kube-OVN: the VPC.', setByKubeOvn: true },
];

/** KubeVirt's switch for live migration over the pod network in bridge binding (KubeVirt ≥ v0.58.2). */
export const KUBEVIRT_BRIDGE_MIGRATION_KEY = 'kubevirt.io/allow-pod-bridge-network-live-migration';

const byName = new Map(KUBE_OVN_ANNOTATIONS.map((a) => [a.name, a]));

export function annotationSpec(name: string): AnnotationSpec | undefined {
  return byName.get(name);
}

export interface ParsedAnnotationKey {
  /** 'ovn' for the pod network, otherwise `<nad>.<ns>.ovn` */
  provider: string;
  /** set for attachment keys */
  attachment?: { nad: string; namespace: string };
  name: string;
}

/**
 * Splits a Kube-OVN annotation key; undefined for keys that are not Kube-OVN's at all.
 * `ovn.kubernetes.io/ip_address` and `attach1.default.ovn.kubernetes.io/ip_address`.
 */
export function parseAnnotationKey(key: string): ParsedAnnotationKey | undefined {
  const slash = key.indexOf('/');
  if (slash < 0) return undefined;
  const prefix = key.slice(0, slash);
  const name = key.slice(slash + 1);
  if (prefix === 'ovn.kubernetes.io') return { provider: 'ovn', name };
  if (!prefix.endsWith('.ovn.kubernetes.io')) return undefined;
  const provider = prefix.slice(0, -'.kubernetes.io'.length);
  const parts = provider.split('.');
  if (parts.length !== 3) return { provider, name };
  return { provider, attachment: { nad: parts[0], namespace: parts[1] }, name };
}

/**
 * parseAnnotationKey, remembered per key: a big file repeats the same few keys on every VM.
 * Owned by one analysis cache (bounded: a long-lived editor cache sees the keys being typed).
 */
export class AnnotationKeys {
  private readonly seen = new Map<string, ParsedAnnotationKey | null>();

  parse(key: string): ParsedAnnotationKey | undefined {
    let p = this.seen.get(key);
    if (p === undefined) {
      if (this.seen.size > 4096) this.seen.clear();
      p = parseAnnotationKey(key) ?? null;
      this.seen.set(key, p);
    }
    return p ?? undefined;
  }
}

const podKeys = new Map<string, string>();

export function annotationKey(name: string, attachment?: { nad: string; namespace: string }): string {
  if (attachment) return `${attachment.nad}.${attachment.namespace}.ovn.kubernetes.io/${name}`;
  // pod-network keys are asked for several times per VM: build each string once
  let k = podKeys.get(name);
  if (k === undefined) {
    k = `ovn.kubernetes.io/${name}`;
    podKeys.set(name, k);
  }
  return k;
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest known annotation name, when it is close enough to be a typo. */
export function suggestAnnotationName(name: string): string | undefined {
  const norm = name.toLowerCase().replaceAll('-', '_');
  if (byName.has(norm)) return norm;
  let best: string | undefined;
  let bestD = Infinity;
  for (const a of KUBE_OVN_ANNOTATIONS) {
    if (a.setByKubeOvn) continue;
    const d = levenshtein(norm, a.name);
    if (d < bestD) { bestD = d; best = a.name; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

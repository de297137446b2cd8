// Every kind ovnlab lists, watches or writes, with the coordinates the REST paths need.
// Kube-OVN's CRDs are all cluster-scoped; KubeVirt's and Multus' are namespaced.
import type {
  ConfigMap,
  IP,
  IPPool,
  IptablesEIP,
  IptablesFIPRule,
  Namespace,
  NetworkAttachmentDefinition,
  Node,
  OvnDnatRule,
  OvnEip,
  OvnFip,
  OvnSnatRule,
  Pod,
  Subnet,
  VirtualMachine,
  VirtualMachineInstance,
  VirtualMachineInstanceMigration,
  Vpc,
  VpcNatGateway,
} from './resources';

export interface ResourceDef {
  /** '' for the core group */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

/** Object type for each catalogue key (the key is the plural). */
export interface ResourceTypes {
  vpcs: Vpc;
  subnets: Subnet;
  ips: IP;
  ippools: IPPool;
  'ovn-eips': OvnEip;
  'ovn-fips': OvnFip;
  'ovn-snat-rules': OvnSnatRule;
  'ovn-dnat-rules': OvnDnatRule;
  'iptables-eips': IptablesEIP;
  'iptables-fip-rules': IptablesFIPRule;
  'vpc-nat-gateways': VpcNatGateway;
  virtualmachines: VirtualMachine;
  virtualmachineinstances: VirtualMachineInstance;
  virtualmachineinstancemigrations: VirtualMachineInstanceMigration;
  'network-attachment-definitions': NetworkAttachmentDefinition;
  pods: Pod;
  nodes: Node;
  configmaps: ConfigMap;
  namespaces: Namespace;
}

export type ResourceKey = keyof ResourceTypes;

const kubeovn = (plural: string, kind: string): ResourceDef => ({ group: 'kubeovn.io', version: 'v1', plural, kind, namespaced: false });
const kubevirt = (plural: string, kind: string): ResourceDef => ({ group: 'kubevirt.io', version: 'v1', plural, kind, namespaced: true });
const core = (plural: string, kind: string, namespaced: boolean): ResourceDef => ({ group: '', version: 'v1', plural, kind, namespaced });

export const RESOURCES: { readonly [K in ResourceKey]: ResourceDef } = {
  vpcs: kubeovn('vpcs', 'Vpc'),
  subnets: kubeovn('subnets', 'Subnet'),
  ips: kubeovn('ips', 'IP'),
  ippools: kubeovn('ippools', 'IPPool'),
  'ovn-eips': kubeovn('ovn-eips', 'OvnEip'),
  'ovn-fips': kubeovn('ovn-fips', 'OvnFip'),
  'ovn-snat-rules': kubeovn('ovn-snat-rules', 'OvnSnatRule'),
  'ovn-dnat-rules': kubeovn('ovn-dnat-rules', 'OvnDnatRule'),
  'iptables-eips': kubeovn('iptables-eips', 'IptablesEIP'),
  'iptables-fip-rules': kubeovn('iptables-fip-rules', 'IptablesFIPRule'),
  'vpc-nat-gateways': kubeovn('vpc-nat-gateways', 'VpcNatGateway'),
  virtualmachines: kubevirt('virtualmachines', 'VirtualMachine'),
  virtualmachineinstances: kubevirt('virtualmachineinstances', 'VirtualMachineInstance'),
  virtualmachineinstancemigrations: kubevirt('virtualmachineinstancemigrations', 'VirtualMachineInstanceMigration'),
  'network-attachment-definitions': {
    group: 'k8s.cni.cncf.io',
    version: 'v1',
    plural: 'network-attachment-definitions',
    kind: 'NetworkAttachmentDefinition',
    namespaced: true,
  },
  pods: core('pods', 'Pod', true),
  nodes: core('nodes', 'Node', false),
  configmaps: core('configmaps', 'ConfigMap', true),
  namespaces: core('namespaces', 'Namespace', false),
};

export const RESOURCE_KEYS = Object.keys(RESOURCES) as ResourceKey[];

/** Deployments are read once (version detection), not watched, so they live outside the store's catalogue. */
export const DEPLOYMENTS: ResourceDef = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true };

export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/**
 * The REST path of a collection or of one object. `namespace` is ignored for cluster-scoped
 * kinds; for namespaced kinds, no namespace means "all namespaces" (collections only).
 */
export function resourcePath(def: ResourceDef, namespace?: string, name?: string, subresource?: string): string {
  const base = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
  if (def.namespaced && !namespace && name) throw new Error(`${def.kind} "${name}" is namespaced: give its namespace`);
  let p = base;
  if (def.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${def.plural}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

/** The store's key for an object: `ns/name` for namespaced kinds, `name` otherwise (as client-go's cache does). */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Human text for where a resource is read from: "virtualmachines in default" or "subnets (cluster-wide)". */
export function scopeText(def: ResourceDef, namespace?: string): string {
  const plural = def.group ? `${def.plural}.${def.group}` : def.plural;
  if (def.namespaced && namespace) return `${plural} in namespace ${namespace}`;
  return def.namespaced ? `${plural} in all namespaces` : `${plural} (cluster-wide)`;
}

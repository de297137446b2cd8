// What VM analysis needs to know about a cluster (or the local lab). The Kubernetes layer fills
// it from Subnet, Vpc, IP and NetworkAttachmentDefinition objects and the detected Kube-OVN
// version; the CLI fills a reduced form from --subnet-cidr/--exclude. Everything here is plain
// data, so the analysis stays pure and testable.

export interface SubnetFacts {
  name: string;
  /** spec.cidrBlock, may be dual stack "10.16.0.0/16,fd00:10:16::/64" */
  cidrBlock: string;
  /** spec.gateway; Kube-OVN's default is the first address */
  gateway?: string;
  /** spec.excludeIps: single IPs or `first..last` ranges */
  excludeIps?: string[];
  /** spec.vpc; empty means the default VPC `ovn-cluster` */
  vpc?: string;
  /** spec.namespaces: namespaces whose pods take this subnet by default */
  namespaces?: string[];
  /** spec.provider: `ovn` or `<nad>.<ns>.ovn` for attachment subnets */
  provider?: string;
  /** spec.default: the cluster's default subnet */
  default?: boolean;
}

/** A Kube-OVN IP object (ips.kubeovn.io): an address in use. */
export interface IpInUse {
  name: string;
  /** v4 and/or v6 address(es) as in spec.ipAddress / v4IpAddress / v6IpAddress */
  addresses: string[];
  subnet?: string;
  /** spec.podName: the VM name for VM ports */
  podName?: string;
  namespace?: string;
}

export interface VpcFacts {
  name: string;
  /** spec.namespaces bound to this VPC */
  namespaces?: string[];
}

export interface ClusterFacts {
  /** where the facts come from, shown to the user ("context kind-ovnlab", "local lab") */
  source: string;
  subnets: SubnetFacts[];
  ips: IpInUse[];
  vpcs?: VpcFacts[];
  /** detected Kube-OVN version, e.g. "v1.13.2" */
  kubeOvnVersion?: string;
}

/** A subnet given by hand (CLI --subnet-cidr) when there is no cluster. */
export interface ManualSubnet {
  name?: string;
  cidrBlock: string;
  excludeIps?: string[];
  gateway?: string;
}

export interface AnalysisContext {
  cluster?: ClusterFacts;
  /** used when no cluster is connected, or to override its version (setting / --kube-ovn-version) */
  kubeOvnVersion?: string;
  /** pod-network subnet to check pinned IPs against when there is no cluster */
  manualSubnet?: ManualSubnet;
  /**
   * Whether the user wants VMs live-migratable; when unset, a VM wants it when its
   * evictionStrategy is LiveMigrate / LiveMigrateIfPossible.
   */
  migrationWanted?: boolean;
}

export const DEFAULT_SUBNET = 'ovn-default';
export const DEFAULT_VPC = 'ovn-cluster';

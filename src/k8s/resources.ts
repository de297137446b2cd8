// Typed shapes of the Kubernetes objects ovnlab reads: the Kube-OVN `kubeovn.io/v1` CRDs, the
// KubeVirt `kubevirt.io/v1` kinds, Multus' NetworkAttachmentDefinition and a few core kinds.
// Only the fields we use are spelled out; everything else the server sends is kept on the
// object untouched (index signatures), so a patch or apply never drops it by accident.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  [key: string]: unknown;
}

/** Any object the API server returns. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

// ---------------------------------------------------------------- kubeovn.io/v1 (all cluster-scoped)

export interface Vpc extends KubeObject {
  spec?: {
    namespaces?: string[];
    staticRoutes?: { cidr: string; nextHopIP: string; policy?: string; routeTable?: string }[];
    policyRoutes?: { priority: number; match: string; action: string; nextHopIP?: string }[];
    enableExternal?: boolean;
    extraExternalSubnets?: string[];
    [key: string]: unknown;
  };
  status?: {
    subnets?: string[];
    default?: boolean;
    defaultLogicalSwitch?: string;
    router?: string;
    standby?: boolean;
    conditions?: Condition[];
    [key: string]: unknown;
  };
}

export interface Subnet extends KubeObject {
  spec?: {
    vpc?: string;
    cidrBlock?: string;
    gateway?: string;
    excludeIps?: string[];
    protocol?: string;
    provider?: string;
    natOutgoing?: boolean;
    default?: boolean;
    private?: boolean;
    namespaces?: string[];
    gatewayType?: string;
    [key: string]: unknown;
  };
  status?: {
    v4availableIPs?: number;
    v4usingIPs?: number;
    v6availableIPs?: number;
    v6usingIPs?: number;
    conditions?: Condition[];
    [key: string]: unknown;
  };
}

/** Kube-OVN's record of one allocated address: `<pod>.<ns>` (VMs: `<vm>.<ns>`), plus `.<provider>` for attachments. */
export interface IP extends KubeObject {
  spec?: {
    podName?: string;
    namespace?: string;
    subnet?: string;
    attachSubnets?: string[];
    nodeName?: string;
    ipAddress?: string;
    v4IpAddress?: string;
    v6IpAddress?: string;
    macAddress?: string;
    podType?: string;
    [key: string]: unknown;
  };
}

export interface IPPool extends KubeObject {
  spec?: { subnet?: string; ips?: string[]; namespaces?: string[]; [key: string]: unknown };
  status?: { v4AvailableIPs?: number; v4UsingIPs?: number; [key: string]: unknown };
}

export interface OvnEip extends KubeObject {
  spec?: { externalSubnet?: string; v4Ip?: string; v6Ip?: string; macAddress?: string; type?: string; [key: string]: unknown };
  status?: { v4Ip?: string; v6Ip?: string; macAddress?: string; type?: string; nat?: string; ready?: boolean; [key: string]: unknown };
}

export interface OvnFip extends KubeObject {
  spec?: { ovnEip?: string; ipType?: string; ipName?: string; vpc?: string; v4Ip?: string; type?: string; [key: string]: unknown };
  status?: { vpc?: string; v4Eip?: string; v4Ip?: string; ready?: boolean; [key: string]: unknown };
}

export interface OvnSnatRule extends KubeObject {
  spec?: { ovnEip?: string; vpcSubnet?: string; ipName?: string; vpc?: string; v4IpCidr?: string; [key: string]: unknown };
  status?: { vpc?: string; v4Eip?: string; v4IpCidr?: string; ready?: boolean; [key: string]: unknown };
}

export interface OvnDnatRule extends KubeObject {
  spec?: {
    ovnEip?: string;
    ipType?: string;
    ipName?: string;
    internalPort?: string;
    externalPort?: string;
    protocol?: string;
    vpc?: string;
    v4Ip?: string;
    [key: string]: unknown;
  };
  status?: { vpc?: string; v4Eip?: string; v4Ip?: string; ready?: boolean; [key: string]: unknown };
}

export interface IptablesEIP extends KubeObject {
  spec?: { v4ip?: string; v6ip?: string; macAddress?: string; natGwDp?: string; qosPolicy?: string; externalSubnet?: string; [key: string]: unknown };
  status?: { ip?: string; nat?: string; ready?: boolean; redo?: string; [key: string]: unknown };
}

export interface IptablesFIPRule extends KubeObject {
  spec?: { eip?: string; internalIp?: string; [key: string]: unknown };
  status?: { v4ip?: string; natGwDp?: string; internalIp?: string; ready?: boolean; [key: string]: unknown };
}

export interface VpcNatGateway extends KubeObject {
  spec?: {
    vpc?: string;
    subnet?: string;
    lanIp?: string;
    externalSubnets?: string[];
    selector?: string[];
    [key: string]: unknown;
  };
}

// ---------------------------------------------------------------- kubevirt.io/v1 (namespaced)

export type RunStrategy = 'Always' | 'RerunOnFailure' | 'Manual' | 'Halted' | 'Once' | 'WaitAsReceiver';

export interface VirtualMachine extends KubeObject {
  spec?: {
    running?: boolean;
    runStrategy?: RunStrategy | string;
    template?: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
      spec?: {
        networks?: { name: string; pod?: Record<string, unknown>; multus?: { networkName: string; default?: boolean } }[];
        domain?: { devices?: { interfaces?: { name: string; [key: string]: unknown }[]; [key: string]: unknown }; [key: string]: unknown };
        nodeSelector?: Record<string, string>;
        [key: string]: unknown;
      };
    };
    [key: string]: unknown;
  };
  status?: {
    printableStatus?: string;
    ready?: boolean;
    created?: boolean;
    conditions?: Condition[];
    [key: string]: unknown;
  };
}

export interface VmiInterfaceStatus {
  name?: string;
  ipAddress?: string;
  ipAddresses?: string[];
  mac?: string;
  interfaceName?: string;
  [key: string]: unknown;
}

export interface VirtualMachineInstance extends KubeObject {
  spec?: { [key: string]: unknown };
  status?: {
    phase?: string;
    nodeName?: string;
    interfaces?: VmiInterfaceStatus[];
    migrationState?: {
      migrationUid?: string;
      sourceNode?: string;
      targetNode?: string;
      startTimestamp?: string;
      endTimestamp?: string;
      completed?: boolean;
      failed?: boolean;
      [key: string]: unknown;
    };
    conditions?: Condition[];
    [key: string]: unknown;
  };
}

export type MigrationPhase =
  | 'Pending'
  | 'Scheduling'
  | 'Scheduled'
  | 'PreparingTarget'
  | 'TargetReady'
  | 'Running'
  | 'Succeeded'
  | 'Failed';

export interface VirtualMachineInstanceMigration extends KubeObject {
  spec?: { vmiName?: string; [key: string]: unknown };
  status?: { phase?: MigrationPhase | string; conditions?: Condition[]; [key: string]: unknown };
}

// ---------------------------------------------------------------- k8s.cni.cncf.io/v1

export interface NetworkAttachmentDefinition extends KubeObject {
  spec?: { config?: string; [key: string]: unknown };
}

// ---------------------------------------------------------------- core/v1 and apps/v1

export interface Container {
  name: string;
  image?: string;
  [key: string]: unknown;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; containers?: Container[]; [key: string]: unknown };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    hostIP?: string;
    containerStatuses?: { name: string; ready: boolean; [key: string]: unknown }[];
    conditions?: Condition[];
    [key: string]: unknown;
  };
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; podCIDR?: string; [key: string]: unknown };
  status?: { addresses?: { type: string; address: string }[]; conditions?: Condition[]; [key: string]: unknown };
}

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

export interface Namespace extends KubeObject {
  status?: { phase?: string; [key: string]: unknown };
}

export interface Deployment extends KubeObject {
  spec?: { template?: { spec?: { containers?: Container[]; [key: string]: unknown }; [key: string]: unknown }; [key: string]: unknown };
}

/** A `List` response. */
export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; [key: string]: unknown };
  items: T[];
}

/** The `Status` object the API server returns with errors. */
export interface KubeStatus {
  kind?: 'Status';
  apiVersion?: string;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[]; [key: string]: unknown };
}

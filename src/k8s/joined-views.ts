// The joined rows the sidebar and `ovnlab get` show, which no single kubectl call gives:
//   VM     → status, IP, pinned/kept/dynamic, subnet, VPC, node, migration in progress
//   Subnet → CIDR, used/available IPs, gateway, natOutgoing, VMs and pods on it
//   VPC    → its subnets and how many VMs sit behind it
//   EIP    → external IP → internal IP → VM (or pod) → node
// Pure functions of a snapshot and its indexes: no I/O, no clock, no mutation.
import type { ClusterSnapshot } from './cluster-snapshot';
import { objectKey } from './resource-catalogue';
import type { IP, OvnDnatRule, OvnFip, Pod, Subnet, VirtualMachine, VirtualMachineInstance } from './resources';
import { ANNOTATIONS, DEFAULT_VPC, LAUNCHER_VM_LABELS, type StoreIndexes, type SubnetSource, buildIndexes, ipAddresses, resolveVmSubnet } from './store-indexes';

/**
 * pinned: the VM template asks for a fixed address (`ovn.kubernetes.io/ip_address`);
 * kept: no pin, but Kube-OVN holds an IP CR for the VM, which it keeps across restarts until the VM is deleted;
 * dynamic: neither (nothing allocated yet; the next start takes any free address).
 */
export type IpMode = 'pinned' | 'kept' | 'dynamic';

export type { SubnetSource };

export interface MigrationInfo {
  /** the VirtualMachineInstanceMigration, when one exists */
  name?: string;
  phase: string;
  sourceNode?: string;
  targetNode?: string;
}

export interface VmRow {
  namespace: string;
  name: string;
  status: string;
  runStrategy: string;
  ip?: string;
  ips: string[];
  mac?: string;
  ipMode: IpMode;
  /** the pinned address asked for in the template */
  pinnedIp?: string;
  /** true when the VM runs with an address other than the one pinned (the pin was added after it started) */
  pinMismatch: boolean;
  subnet?: string;
  subnetSource?: SubnetSource;
  vpc?: string;
  node?: string;
  migration?: MigrationInfo;
  /** external IP from a pod `ovn.kubernetes.io/eip` annotation or an FIP on the VM's IP */
  eip?: string;
}

export interface SubnetRow {
  name: string;
  vpc: string;
  cidr: string;
  gateway?: string;
  protocol?: string;
  excludeIps: string[];
  natOutgoing: boolean;
  default: boolean;
  namespaces: string[];
  used: number;
  /** undefined when neither the status nor the CIDR tells (e.g. IPv6-only without status) */
  available?: number;
  /** 'status': Kube-OVN's own counters; 'counted': computed here from IP CRs and the CIDR */
  usageSource: 'status' | 'counted';
  vms: number;
  pods: number;
}

export interface VpcRow {
  name: string;
  default: boolean;
  /** false when Subnets point at a VPC that has no Vpc object */
  exists: boolean;
  subnets: string[];
  vms: number;
  router?: string;
}

export type EipSource = 'OvnFip' | 'OvnDnatRule' | 'OvnSnatRule' | 'IptablesFIPRule' | 'pod-annotation' | 'vm-annotation' | 'OvnEip';

export interface EipRow {
  source: EipSource;
  /** the object that binds the EIP (FIP, DNAT, SNAT rule, pod) */
  name: string;
  namespace?: string;
  eipName?: string;
  externalIp?: string;
  internalIp?: string;
  vm?: { namespace: string; name: string };
  pod?: { namespace: string; name: string };
  node?: string;
  vpc?: string;
  ready?: boolean;
  /** "tcp 80→8080" for DNAT rules */
  ports?: string;
}

export interface SubnetNode {
  subnet: SubnetRow;
  vms: VmRow[];
}

export interface VpcNode {
  vpc: VpcRow;
  subnets: SubnetNode[];
}

// ---------------------------------------------------------------- VMs

const RUNNING_STRATEGIES = new Set(['Always', 'RerunOnFailure', 'Once']);

export function runStrategyOf(vm: VirtualMachine): string {
  const s = vm.spec;
  if (s?.runStrategy) return s.runStrategy;
  if (s?.running === true) return 'Always';
  if (s?.running === false) return 'Halted';
  return 'Halted';
}

function vmStatus(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): string {
  if (vm.status?.printableStatus) return vm.status.printableStatus;
  // Without KubeVirt's controller (or before it reports), say what the objects imply.
  if (vm.metadata.deletionTimestamp) return 'Terminating';
  if (vmi) return vmi.status?.phase ?? 'Pending';
  return RUNNING_STRATEGIES.has(runStrategyOf(vm)) ? 'Starting' : 'Stopped';
}

function migrationOf(ix: StoreIndexes, key: string, vmi: VirtualMachineInstance | undefined): MigrationInfo | undefined {
  const active = ix.activeMigrationsByVmi.get(key);
  const ms = vmi?.status?.migrationState;
  const running = ms && ms.startTimestamp && !ms.completed && !ms.failed;
  if (active?.length) {
    const m = active[active.length - 1];
    return { name: m.metadata.name, phase: m.status?.phase ?? 'Pending', sourceNode: ms?.sourceNode, targetNode: ms?.targetNode };
  }
  if (running) return { phase: 'Running', sourceNode: ms.sourceNode, targetNode: ms.targetNode };
  return undefined;
}

/** The VMI interface on the pod network (Kube-OVN's primary), else the first one with an address. */
function primaryInterface(vm: VirtualMachine, vmi: VirtualMachineInstance | undefined): { ip?: string; ips: string[]; mac?: string } {
  const ifaces = vmi?.status?.interfaces;
  if (!ifaces?.length) return { ips: [] };
  const podNet = vm.spec?.template?.spec?.networks?.find((n) => n.pod !== undefined)?.name;
  const iface = (podNet && ifaces.find((i) => i.name === podNet)) || ifaces.find((i) => i.ipAddress) || ifaces[0];
  const ips = iface.ipAddresses?.length ? [...iface.ipAddresses] : iface.ipAddress ? [iface.ipAddress] : [];
  return { ip: iface.ipAddress ?? ips[0], ips, mac: iface.mac };
}

/** External IPs bound to internal addresses through FIPs (built once per call of the views that need it). */
function fipByInternal(snap: ClusterSnapshot): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of snap['ovn-fips'].values()) {
    const eip = f.spec?.ovnEip ? snap['ovn-eips'].get(f.spec.ovnEip) : undefined;
    const ext = f.status?.v4Eip ?? eip?.status?.v4Ip ?? eip?.spec?.v4Ip;
    const ipCr = f.spec?.ipName ? snap.ips.get(f.spec.ipName) : undefined;
    const internal = f.status?.v4Ip ?? f.spec?.v4Ip ?? (ipCr ? ipAddresses(ipCr)[0] : undefined);
    if (ext && internal) out.set(internal, ext);
  }
  return out;
}

export function vmRow(
  snap: ClusterSnapshot,
  ix: StoreIndexes,
  vm: VirtualMachine,
  fips: Map<string, string> = fipByInternal(snap),
  key: string = objectKey(vm.metadata.namespace, vm.metadata.name),
): VmRow {
  const ns = vm.metadata.namespace ?? '';
  const name = vm.metadata.name;
  const vmi = snap.virtualmachineinstances.get(key);
  const annotations = vm.spec?.template?.metadata?.annotations;
  const pinnedIp = annotations?.[ANNOTATIONS.ipAddress];
  const ipCr = ix.primaryIp(ns, name);
  const iface = primaryInterface(vm, vmi);
  const crIps = ipCr ? ipAddresses(ipCr) : [];
  const ips = iface.ips.length ? iface.ips : crIps;
  const ip = iface.ip ?? ips[0];
  const sn = resolveVmSubnet(ix, ns, ipCr, annotations);
  const subnet = sn.name ? snap.subnets.get(sn.name) : undefined;
  const launcher = ix.launcherPodsByVm.get(key);
  const podEip = launcher?.find((p) => p.metadata.annotations?.[ANNOTATIONS.eip])?.metadata.annotations?.[ANNOTATIONS.eip];
  const pinMismatch = Boolean(pinnedIp && ip && pinnedIp !== ip && !pinnedIp.split(',').some((s) => s.trim() === ip));
  return {
    namespace: ns,
    name,
    status: vmStatus(vm, vmi),
    runStrategy: runStrategyOf(vm),
    ip,
    ips,
    mac: iface.mac ?? ipCr?.spec?.macAddress,
    ipMode: pinnedIp ? 'pinned' : ipCr ? 'kept' : 'dynamic',
    pinnedIp,
    pinMismatch,
    subnet: sn.name,
    subnetSource: sn.source,
    vpc: subnet ? subnet.spec?.vpc || DEFAULT_VPC : undefined,
    node: vmi?.status?.nodeName ?? ipCr?.spec?.nodeName ?? launcher?.[0]?.spec?.nodeName,
    migration: migrationOf(ix, key, vmi),
    eip: podEip ?? (ip ? fips.get(ip) : undefined),
  };
}

export function vmRows(snap: ClusterSnapshot, ix: StoreIndexes = buildIndexes(snap), namespace?: string): VmRow[] {
  const fips = fipByInternal(snap);
  const out: VmRow[] = [];
  if (namespace !== undefined) {
    for (const key of ix.vmsByNamespace.get(namespace) ?? []) {
      const vm = snap.virtualmachines.get(key);
      if (vm) out.push(vmRow(snap, ix, vm, fips, key));
    }
  } else {
    for (const [key, vm] of snap.virtualmachines) out.push(vmRow(snap, ix, vm, fips, key));
  }
  return out.sort(byNsName);
}

/** One tree level: the VMs on one subnet (the Networks view's Subnet node, expanded). */
export function vmRowsOfSubnet(snap: ClusterSnapshot, ix: StoreIndexes, subnetName: string): VmRow[] {
  const fips = fipByInternal(snap);
  const out: VmRow[] = [];
  for (const key of ix.vmsBySubnet.get(subnetName) ?? []) {
    const vm = snap.virtualmachines.get(key);
    if (vm) out.push(vmRow(snap, ix, vm, fips, key));
  }
  return out.sort(byNsName);
}

/** One tree level: namespaces holding VMs, with counts (the Virtual Machines view's top level). */
export function vmNamespaceRows(ix: StoreIndexes): { namespace: string; vms: number }[] {
  return [...ix.vmsByNamespace].map(([namespace, keys]) => ({ namespace, vms: keys.length })).sort((a, b) => a.namespace.localeCompare(b.namespace));
}

/** One tree level: the subnets of one VPC. */
export function subnetRowsOfVpc(ix: StoreIndexes, vpcName: string): SubnetRow[] {
  return (ix.subnetsByVpc.get(vpcName) ?? []).map((s) => subnetRow(ix, s)).sort((a, b) => a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------- Subnets and VPCs

function ipv4ToInt(text: string): number | undefined {
  const p = text.trim().split('.');
  if (p.length !== 4) return undefined;
  let v = 0;
  for (const s of p) {
    if (!/^\d{1,3}$/.test(s) || Number(s) > 255) return undefined;
    v = v * 256 + Number(s);
  }
  return v;
}

/**
 * Usable IPv4 addresses of a subnet as Kube-OVN counts them: the CIDR minus network and
 * broadcast addresses minus excludeIps (single IPs or `a..b` ranges, clipped to the CIDR).
 */
export function usableIpv4(cidrBlock: string, excludeIps: readonly string[] = []): number | undefined {
  const v4 = cidrBlock.split(',').map((c) => c.trim()).find((c) => c.includes('.'));
  if (!v4) return undefined;
  const [addr, len] = v4.split('/');
  const prefix = Number(len);
  const base = ipv4ToInt(addr);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const first = base - (base % size);
  const last = first + size - 1;
  const usableFirst = prefix >= 31 ? first : first + 1;
  const usableLast = prefix >= 31 ? last : last - 1;
  let excluded = 0;
  // Merge ranges so overlapping excludeIps are not subtracted twice.
  const ranges: [number, number][] = [];
  for (const e of excludeIps) {
    const [a, b] = e.split('..');
    const lo = ipv4ToInt(a);
    const hi = b === undefined ? lo : ipv4ToInt(b);
    if (lo === undefined || hi === undefined) continue;
    const s = Math.max(lo, usableFirst);
    const t = Math.min(hi, usableLast);
    if (s <= t) ranges.push([s, t]);
  }
  ranges.sort((x, y) => x[0] - y[0]);
  let end = -1;
  for (const [s, t] of ranges) {
    const from = Math.max(s, end + 1);
    if (t >= from) excluded += t - from + 1;
    end = Math.max(end, t);
  }
  return Math.max(0, usableLast - usableFirst + 1 - excluded);
}

export function subnetRow(ix: StoreIndexes, subnet: Subnet): SubnetRow {
  const name = subnet.metadata.name;
  const ips = ix.ipsBySubnet.get(name) ?? [];
  const vms = ix.vmIpsBySubnet.get(name) ?? 0;
  const st = subnet.status;
  const hasStatus = st?.v4usingIPs !== undefined || st?.v4availableIPs !== undefined;
  const excludeIps = subnet.spec?.excludeIps ?? [];
  const used = hasStatus ? (st?.v4usingIPs ?? 0) + (st?.v6usingIPs ?? 0) : ips.length;
  let available: number | undefined;
  if (hasStatus) available = st?.v4availableIPs ?? st?.v6availableIPs;
  else {
    const usable = usableIpv4(subnet.spec?.cidrBlock ?? '', excludeIps);
    available = usable === undefined ? undefined : Math.max(0, usable - ips.length);
  }
  return {
    name,
    vpc: subnet.spec?.vpc || DEFAULT_VPC,
    cidr: subnet.spec?.cidrBlock ?? '',
    gateway: subnet.spec?.gateway,
    protocol: subnet.spec?.protocol,
    excludeIps: [...excludeIps],
    natOutgoing: subnet.spec?.natOutgoing === true,
    default: subnet.spec?.default === true || ix.defaultSubnet === subnet,
    namespaces: [...(subnet.spec?.namespaces ?? [])],
    used,
    available,
    usageSource: hasStatus ? 'status' : 'counted',
    vms,
    pods: ips.length - vms,
  };
}

export function subnetRows(snap: ClusterSnapshot, ix: StoreIndexes = buildIndexes(snap)): SubnetRow[] {
  const out: SubnetRow[] = [];
  for (const s of snap.subnets.values()) out.push(subnetRow(ix, s));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function vpcRows(snap: ClusterSnapshot, ix: StoreIndexes = buildIndexes(snap)): VpcRow[] {
  const names = new Set<string>([...snap.vpcs.keys(), ...ix.subnetsByVpc.keys()]);
  const out: VpcRow[] = [];
  for (const name of names) {
    const vpc = snap.vpcs.get(name);
    const subnets = (ix.subnetsByVpc.get(name) ?? []).map((s) => s.metadata.name).sort();
    let vms = 0;
    for (const s of subnets) vms += ix.vmIpsBySubnet.get(s) ?? 0;
    out.push({
      name,
      default: vpc?.status?.default === true || name === DEFAULT_VPC,
      exists: vpc !== undefined,
      subnets,
      vms,
      router: vpc?.status?.router,
    });
  }
  return out.sort((a, b) => (a.default === b.default ? a.name.localeCompare(b.name) : a.default ? -1 : 1));
}

/**
 * The sidebar's VPC → Subnet → VM tree in one pass. VMs whose subnet is unknown (no IP CR,
 * no annotation, no default subnet) are left out of the tree; `vmRows` still lists them.
 */
export function vpcTree(snap: ClusterSnapshot, ix: StoreIndexes = buildIndexes(snap)): VpcNode[] {
  const vmsBySubnet = new Map<string, VmRow[]>();
  const fips = fipByInternal(snap);
  for (const [key, vm] of snap.virtualmachines) {
    const row = vmRow(snap, ix, vm, fips, key);
    if (!row.subnet) continue;
    const a = vmsBySubnet.get(row.subnet);
    if (a) a.push(row);
    else vmsBySubnet.set(row.subnet, [row]);
  }
  return vpcRows(snap, ix).map((vpc) => ({
    vpc,
    // vpc.subnets comes from the Subnet objects themselves, so every name resolves
    subnets: (ix.subnetsByVpc.get(vpc.name) ?? [])
      .map((s) => ({ subnet: subnetRow(ix, s), vms: (vmsBySubnet.get(s.metadata.name) ?? []).sort(byNsName) }))
      .sort((a, b) => a.subnet.name.localeCompare(b.subnet.name)),
  }));
}

// ---------------------------------------------------------------- EIPs

function ownerOfIp(snap: ClusterSnapshot, ix: StoreIndexes, ip: IP | undefined): Pick<EipRow, 'vm' | 'pod' | 'node'> {
  if (!ip?.spec?.podName || !ip.spec.namespace) return { node: ip?.spec?.nodeName };
  const ns = ip.spec.namespace;
  const key = objectKey(ns, ip.spec.podName);
  if (ip.spec.podType === 'VirtualMachine' || snap.virtualmachines.has(key)) {
    const vmi = snap.virtualmachineinstances.get(key);
    return { vm: { namespace: ns, name: ip.spec.podName }, node: vmi?.status?.nodeName ?? ip.spec.nodeName ?? ix.launcherPodsByVm.get(key)?.[0]?.spec?.nodeName };
  }
  const pod = snap.pods.get(key);
  return { pod: { namespace: ns, name: ip.spec.podName }, node: pod?.spec?.nodeName ?? ip.spec.nodeName, ...vmOfPod(pod) };
}

function vmOfPod(pod: Pod | undefined): { vm?: { namespace: string; name: string } } {
  const l = pod?.metadata.labels;
  const vm = l && (l[LAUNCHER_VM_LABELS[0]] ?? l[LAUNCHER_VM_LABELS[1]]);
  return vm ? { vm: { namespace: pod.metadata.namespace ?? '', name: vm } } : {};
}

export function eipRows(snap: ClusterSnapshot, ix: StoreIndexes = buildIndexes(snap)): EipRow[] {
  const out: EipRow[] = [];
  const used = new Set<string>();
  const eipAddr = (name: string | undefined): string | undefined => {
    const e = name ? snap['ovn-eips'].get(name) : undefined;
    return e?.status?.v4Ip ?? e?.spec?.v4Ip;
  };
  // an OvnFip and an OvnDnatRule bind an OvnEip to one internal IP the same way (DNAT adds ports)
  const natRow = (source: 'OvnFip' | 'OvnDnatRule', r: OvnFip | OvnDnatRule): EipRow => {
    const ipCr = r.spec?.ipName ? snap.ips.get(r.spec.ipName) : undefined;
    const internal = r.status?.v4Ip ?? r.spec?.v4Ip ?? (ipCr ? ipAddresses(ipCr)[0] : undefined);
    if (r.spec?.ovnEip) used.add(r.spec.ovnEip);
    return {
      source,
      name: r.metadata.name,
      eipName: r.spec?.ovnEip,
      externalIp: r.status?.v4Eip ?? eipAddr(r.spec?.ovnEip),
      internalIp: internal,
      vpc: r.status?.vpc ?? r.spec?.vpc,
      ready: r.status?.ready,
      ...ownerOfIp(snap, ix, ipCr ?? (internal ? ix.ipByAddress.get(internal) : undefined)),
    };
  };
  for (const f of snap['ovn-fips'].values()) out.push(natRow('OvnFip', f));
  for (const d of snap['ovn-dnat-rules'].values()) {
    const s = d.spec;
    out.push({ ...natRow('OvnDnatRule', d), ports: s?.externalPort ? `${s.protocol ?? 'tcp'} ${s.externalPort}→${s.internalPort ?? s.externalPort}` : undefined });
  }
  for (const n of snap['ovn-snat-rules'].values()) {
    if (n.spec?.ovnEip) used.add(n.spec.ovnEip);
    const ipCr = n.spec?.ipName ? snap.ips.get(n.spec.ipName) : undefined;
    out.push({
      source: 'OvnSnatRule',
      name: n.metadata.name,
      eipName: n.spec?.ovnEip,
      externalIp: n.status?.v4Eip ?? eipAddr(n.spec?.ovnEip),
      internalIp: n.status?.v4IpCidr ?? n.spec?.v4IpCidr ?? n.spec?.vpcSubnet ?? (ipCr ? ipAddresses(ipCr)[0] : undefined),
      vpc: n.status?.vpc ?? n.spec?.vpc,
      ready: n.status?.ready,
      ...(ipCr ? ownerOfIp(snap, ix, ipCr) : {}),
    });
  }
  for (const f of snap['iptables-fip-rules'].values()) {
    const eip = f.spec?.eip ? snap['iptables-eips'].get(f.spec.eip) : undefined;
    const internal = f.status?.internalIp ?? f.spec?.internalIp;
    out.push({
      source: 'IptablesFIPRule',
      name: f.metadata.name,
      eipName: f.spec?.eip,
      externalIp: f.status?.v4ip ?? eip?.status?.ip ?? eip?.spec?.v4ip,
      internalIp: internal,
      vpc: eip?.spec?.natGwDp ?? f.status?.natGwDp,
      ready: f.status?.ready,
      ...ownerOfIp(snap, ix, internal ? ix.ipByAddress.get(internal) : undefined),
    });
  }
  for (const pod of ix.podsWithEip) {
    const ann = pod.metadata.annotations ?? {};
    const internal = ann[ANNOTATIONS.ipAddress] ?? pod.status?.podIP;
    out.push({
      source: 'pod-annotation',
      name: pod.metadata.name,
      namespace: pod.metadata.namespace,
      externalIp: ann[ANNOTATIONS.eip],
      internalIp: internal,
      pod: { namespace: pod.metadata.namespace ?? '', name: pod.metadata.name },
      node: pod.spec?.nodeName,
      ...vmOfPod(pod),
    });
  }
  // a VM asks for its EIP on its template; its virt-launcher pod carries the annotation once it
  // runs (listed above). A VM without such a pod (stopped, not yet scheduled, or on the embedded
  // lab, which runs no pods) is listed from its template, so the EIP it asked for is never missing.
  const vmsWithPodRow = new Set(out.filter((r) => r.source === 'pod-annotation' && r.vm).map((r) => objectKey(r.vm!.namespace, r.vm!.name)));
  for (const [key, vm] of snap.virtualmachines) {
    const ann = vm.spec?.template?.metadata?.annotations;
    const eip = ann?.[ANNOTATIONS.eip];
    if (!eip || vmsWithPodRow.has(key)) continue;
    const vmi = snap.virtualmachineinstances.get(key);
    const ns = vm.metadata.namespace ?? '';
    out.push({
      source: 'vm-annotation',
      name: vm.metadata.name,
      namespace: ns,
      externalIp: eip,
      internalIp: ann?.[ANNOTATIONS.ipAddress] ?? primaryInterface(vm, vmi).ip,
      vm: { namespace: ns, name: vm.metadata.name },
      node: vmi?.status?.nodeName,
    });
  }
  for (const e of snap['ovn-eips'].values()) {
    if (used.has(e.metadata.name)) continue;
    out.push({ source: 'OvnEip', name: e.metadata.name, eipName: e.metadata.name, externalIp: e.status?.v4Ip ?? e.spec?.v4Ip, ready: e.status?.ready });
  }
  return out.sort((a, b) => (a.externalIp ?? '').localeCompare(b.externalIp ?? '', undefined, { numeric: true }) || a.name.localeCompare(b.name));
}

function byNsName(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

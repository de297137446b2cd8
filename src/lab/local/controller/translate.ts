// Kubernetes objects → the OVN Northbound rows, IP objects and VM placements Kube-OVN would make.
// Pure: the same objects (and the same random source) give the same plan. Every behaviour here
// follows a Kube-OVN source file named in docs/lab-fidelity.md; names and external_ids are
// Kube-OVN's (see shared reference kube-ovn-to-ovn-nb.md). Bad input never throws: the object
// gets a condition and an event, and everything else is still planned.
import { createHash } from 'node:crypto';
import { type KubeObject, objectKey, rec, str, strList, templateAnnotations, vmWantsRunning } from './kube-object';
import {
  allocateLowest, availableCount, checkStatic, cidrContains, cidrsOverlap, formatIp, makePool, parseCidr, parseIp, type SubnetPool,
} from './ipam';
import { type DesiredNb, type NbPolicy, type StrMap, VENDOR } from './nb-model';

export const DEFAULT_VPC = 'ovn-cluster';
export const JOIN_SUBNET = 'join';
export const JOIN_CIDR = '100.64.0.0/16';
export const DEFAULT_SUBNET = 'ovn-default';
export const EXTERNAL_SWITCH = 'external';
export const EXTERNAL_NETWORK = 'external';
export const GW_CONFIGMAP = 'ovn-external-gw-config';
export const GW_CONFIGMAP_NS = 'kube-system';
export const EXTERNAL_LRP = `${DEFAULT_VPC}-${EXTERNAL_SWITCH}`;

export const A_IP = 'ovn.kubernetes.io/ip_address';
export const A_MAC = 'ovn.kubernetes.io/mac_address';
export const A_LS = 'ovn.kubernetes.io/logical_switch';
export const A_EIP = 'ovn.kubernetes.io/eip';
export const A_SNAT = 'ovn.kubernetes.io/snat';
export const A_PORT_SECURITY = 'ovn.kubernetes.io/port_security';
export const L_EXTERNAL_GW = 'ovn.kubernetes.io/external-gw';

export interface TranslateInput {
  /** every object in the lab's store, oldest first (order decides who wins a conflict) */
  objects: KubeObject[];
  defaultSubnetCidr: string;
  /** a fresh locally-administered unicast MAC (only called for ports that have none yet) */
  randomMac: () => string;
}

export interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface ObjectStatus {
  kind: string;
  namespace?: string;
  name: string;
  status: Record<string, unknown>;
}

export interface LabEvent {
  kind: string;
  namespace?: string;
  name: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface VmPlan {
  name: string;
  namespace: string;
  port: string;
  subnet: string;
  vpc: string;
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
  pinned: boolean;
  running: boolean;
  /** node the VM runs on (or last ran on) */
  node?: string;
  eip?: string;
  /** migration in flight: the port is wanted on both chassis */
  migration?: { source: string; target: string };
}

export interface NodePlan {
  name: string;
  port: string;
  ip: string;
  mac: string;
  prefix: number;
  gateway: string;
}

export interface GatewayPlan {
  type: 'centralized' | 'distributed';
  nodes: string[];
  /** the external network's gateway address, e.g. 192.168.100.1/24 (the `outside` namespace takes it) */
  addr: string;
  cidr: string;
}

export interface LabPlan {
  nb: DesiredNb;
  /** the full set of IP objects (`kubeovn.io/v1` IP) that should exist */
  ips: KubeObject[];
  vms: VmPlan[];
  nodes: NodePlan[];
  gateway?: GatewayPlan;
  statuses: ObjectStatus[];
  events: LabEvent[];
}

interface SubnetInfo {
  name: string;
  vpc: string;
  pool: SubnetPool;
  namespaces: string[];
  used: Map<number, string>;
  macs: Map<string, string>;
  obj?: KubeObject;
}

/** A stable locally-administered MAC from a name (router ports: Kube-OVN uses random ones). */
export function macFromName(name: string): string {
  const h = createHash('sha256').update(name).digest();
  h[0] = (h[0] & 0xfc) | 0x02;
  return [...h.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

function ipOwnerName(o: KubeObject): string {
  return o.metadata.name;
}

export function translate(input: TranslateInput): LabPlan {
  const objs = input.objects;
  const byKind = (k: string) => objs.filter((o) => o.kind === k);
  const statuses: ObjectStatus[] = [];
  const events: LabEvent[] = [];
  const warn = (o: KubeObject, reason: string, message: string) =>
    events.push({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, type: 'Warning', reason, message });
  const nb: DesiredNb = { routers: [], switches: [], routerPorts: [], switchPorts: [], nats: [], routes: [], policies: [] };
  const routerOptions: StrMap = { mac_binding_age_threshold: '300', dynamic_neigh_routers: 'true', always_learn_from_arp_request: 'false' };

  // --- VPCs (pkg/controller/vpc.go) ---
  const vpcs = new Map<string, KubeObject | undefined>([[DEFAULT_VPC, undefined]]);
  for (const v of byKind('Vpc')) vpcs.set(v.metadata.name, v);
  for (const [name] of vpcs) nb.routers.push({ name, externalIds: { ...VENDOR }, options: { ...routerOptions } });
  nb.routes.push({ router: DEFAULT_VPC, prefix: '0.0.0.0/0', nexthop: formatIp(parseIp('100.64.0.1')!), policy: 'dst-ip', externalIds: { ...VENDOR } });
  for (const [name, v] of vpcs) {
    if (!v) continue;
    for (const r of Array.isArray(rec(v.spec).staticRoutes) ? (rec(v.spec).staticRoutes as unknown[]) : []) {
      const cidr = str(rec(r).cidr);
      const nh = str(rec(r).nextHopIP);
      if (!cidr || !nh || parseIp(nh) === undefined) {
        warn(v, 'InvalidStaticRoute', `staticRoutes entry needs cidr and nextHopIP (got ${JSON.stringify(r)})`);
        continue;
      }
      nb.routes.push({ router: name, prefix: cidr, nexthop: nh, policy: str(rec(r).policy) === 'policySrc' ? 'src-ip' : 'dst-ip', externalIds: { ...VENDOR } });
    }
    for (const p of Array.isArray(rec(v.spec).policyRoutes) ? (rec(v.spec).policyRoutes as unknown[]) : []) {
      const pr = rec(p);
      const action = str(pr.action);
      if (typeof pr.priority !== 'number' || !str(pr.match) || (action !== 'allow' && action !== 'drop' && action !== 'reroute')) {
        warn(v, 'InvalidPolicyRoute', `policyRoutes entry needs priority, match and action allow|drop|reroute (got ${JSON.stringify(p)})`);
        continue;
      }
      nb.policies.push({ router: name, priority: pr.priority, match: str(pr.match)!, action, nexthops: strList(pr.nextHopIP), externalIds: { ...VENDOR } });
    }
    statuses.push({ kind: 'Vpc', name, status: { standby: true, default: false, router: name, subnets: [] as string[] } });
  }

  // --- Subnets (pkg/controller/subnet.go); join and ovn-default always exist ---
  const subnetObjs = byKind('Subnet');
  const implicit: Array<{ name: string; cidr: string }> = [
    { name: JOIN_SUBNET, cidr: JOIN_CIDR },
    { name: DEFAULT_SUBNET, cidr: input.defaultSubnetCidr },
  ];
  const ordered: Array<{ name: string; obj?: KubeObject; cidr: string }> = [];
  for (const im of implicit) {
    const o = subnetObjs.find((s) => s.metadata.name === im.name);
    ordered.push({ name: im.name, obj: o, cidr: str(rec(o?.spec).cidrBlock) ?? im.cidr });
  }
  for (const o of subnetObjs) if (!implicit.some((i) => i.name === o.metadata.name)) ordered.push({ name: o.metadata.name, obj: o, cidr: str(rec(o.spec).cidrBlock) ?? '' });

  const subnets = new Map<string, SubnetInfo>();
  for (const s of ordered) {
    const spec = rec(s.obj?.spec);
    const vpc = s.name === JOIN_SUBNET ? DEFAULT_VPC : str(spec.vpc) || DEFAULT_VPC;
    const fail = (reason: string, message: string) => {
      if (s.obj) {
        statuses.push({ kind: 'Subnet', name: s.name, status: { conditions: [cond('Validated', 'False', reason, message), cond('Ready', 'False', reason, message)] } });
        warn(s.obj, reason, message);
      }
    };
    if (!s.cidr) {
      fail('InvalidCIDR', 'spec.cidrBlock is required, e.g. 10.66.0.0/16');
      continue;
    }
    if (!vpcs.has(vpc)) {
      fail('VpcNotFound', `Vpc "${vpc}" does not exist: create it or drop spec.vpc`);
      continue;
    }
    const pool = makePool(s.cidr, str(spec.gateway), strList(spec.excludeIps));
    if ('error' in pool) {
      fail('InvalidCIDR', pool.error);
      continue;
    }
    const clash = [...subnets.values()].find((o) => o.vpc === vpc && cidrsOverlap(o.pool.cidr, pool.cidr));
    if (clash) {
      fail('CIDROverlap', `${pool.cidr.text} overlaps subnet ${clash.name} (${clash.pool.cidr.text}) in VPC ${vpc}: choose a CIDR that does not`);
      continue;
    }
    subnets.set(s.name, { name: s.name, vpc, pool, namespaces: strList(spec.namespaces), used: new Map(), macs: new Map(), obj: s.obj });
  }
  for (const sn of subnets.values()) {
    const gw = formatIp(sn.pool.gateway);
    const lrp = `${sn.vpc}-${sn.name}`;
    const lsp = `${sn.name}-${sn.vpc}`;
    nb.switches.push({ name: sn.name, externalIds: { ...VENDOR } });
    nb.routerPorts.push({ name: lrp, router: sn.vpc, mac: macFromName(lrp), networks: [`${gw}/${sn.pool.cidr.prefix}`], externalIds: { lr: sn.vpc, ...VENDOR }, gatewayChassis: [] });
    nb.switchPorts.push({ name: lsp, switch: sn.name, type: 'router', addresses: ['router'], portSecurity: [], options: { 'router-port': lrp }, externalIds: { ls: sn.name, ...VENDOR } });
    nb.policies.push({ router: sn.vpc, priority: 31000, match: `ip4.dst == ${sn.pool.cidr.text}`, action: 'allow', nexthops: [], externalIds: { subnet: sn.name, ...VENDOR } });
  }

  // --- existing IP objects: the allocations that must survive (keep-vm-ip) ---
  const ipObjs = new Map(byKind('IP').map((o) => [ipOwnerName(o), o]));
  const nodeObjs = byKind('Node');
  const vmObjs = byKind('VirtualMachine');
  const liveOwners = new Set([...nodeObjs.map((n) => `node-${n.metadata.name}`), ...vmObjs.map((v) => `${v.metadata.name}.${v.metadata.namespace ?? 'default'}`)]);
  for (const [name, o] of ipObjs) {
    if (!liveOwners.has(name)) continue;
    const sn = subnets.get(str(rec(o.spec).subnet) ?? '');
    const ip = parseIp(str(rec(o.spec).v4IpAddress) ?? str(rec(o.spec).ipAddress) ?? '');
    if (sn && ip !== undefined && cidrContains(sn.pool.cidr, ip)) {
      sn.used.set(ip, name);
      const mac = str(rec(o.spec).macAddress);
      if (mac) sn.macs.set(mac.toLowerCase(), name);
    }
  }
  const ips: KubeObject[] = [];
  const ipObject = (name: string, spec: Record<string, unknown>, labels: Record<string, string>): KubeObject => ({
    apiVersion: 'kubeovn.io/v1', kind: 'IP', metadata: { name, labels }, spec,
  });
  const release = (sn: SubnetInfo, owner: string) => {
    for (const [ip, o] of sn.used) if (o === owner) sn.used.delete(ip);
    for (const [m, o] of sn.macs) if (o === owner) sn.macs.delete(m);
  };
  const pickMac = (sn: SubnetInfo, _owner: string, prior?: string): string => {
    if (prior && MAC_RE.test(prior) && !sn.macs.has(prior.toLowerCase())) return prior.toLowerCase();
    for (;;) {
      const m = input.randomMac();
      if (!sn.macs.has(m) && m !== macFromName(`${sn.vpc}-${sn.name}`)) return m;
    }
  };

  // --- Nodes → join ports (pkg/controller/node.go) ---
  const join = subnets.get(JOIN_SUBNET)!;
  const nodes: NodePlan[] = [];
  for (const n of nodeObjs) {
    const port = `node-${n.metadata.name}`;
    const prior = ipObjs.get(port);
    const priorIp = parseIp(str(rec(prior?.spec).v4IpAddress) ?? '');
    release(join, port);
    const ip = priorIp !== undefined && !join.used.has(priorIp) && !join.pool.excluded.some(([a, b]) => priorIp >= a && priorIp <= b) ? priorIp : allocateLowest(join.pool, join.used);
    if (ip === undefined) {
      warn(n, 'NoAvailableAddress', `subnet join (${join.pool.cidr.text}) is full`);
      continue;
    }
    join.used.set(ip, port);
    const mac = pickMac(join, port, str(rec(prior?.spec).macAddress));
    join.macs.set(mac, port);
    const ipText = formatIp(ip);
    nodes.push({ name: n.metadata.name, port, ip: ipText, mac, prefix: join.pool.cidr.prefix, gateway: formatIp(join.pool.gateway) });
    nb.switchPorts.push({ name: port, switch: JOIN_SUBNET, type: '', addresses: [`${mac} ${ipText}`], portSecurity: [], options: {}, externalIds: { ls: JOIN_SUBNET, ...VENDOR } });
    ips.push(ipObject(port, { podName: port, namespace: '', subnet: JOIN_SUBNET, nodeName: n.metadata.name, ipAddress: ipText, v4IpAddress: ipText, v6IpAddress: '', macAddress: mac, podType: '', attachSubnets: [], attachIps: [], attachMacs: [], containerID: '' },
      { 'ovn.kubernetes.io/subnet': JOIN_SUBNET, 'ovn.kubernetes.io/node-name': n.metadata.name, [JOIN_SUBNET]: '', 'ovn.kubernetes.io/ip_reserved': 'false' }));
  }
  const nodeNames = nodeObjs.map((n) => n.metadata.name);
  const workers = nodeObjs.filter((n) => !('node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {}))).map((n) => n.metadata.name);

  // --- external gateway ConfigMap (pkg/controller/external_gw.go) ---
  let gateway: GatewayPlan | undefined;
  let extCidr: ReturnType<typeof parseCidr> | undefined;
  const reservedExternal = new Map<number, string>();
  const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === GW_CONFIGMAP && (o.metadata.namespace ?? 'default') === GW_CONFIGMAP_NS);
  if (cm && cm.data?.['enable-external-gw'] === 'true') {
    const d = cm.data;
    const type = d.type === 'distributed' ? 'distributed' : 'centralized';
    const labelled = nodeObjs.filter((n) => n.metadata.labels?.[L_EXTERNAL_GW] === 'true').map((n) => n.metadata.name);
    const listed = strList(d['external-gw-nodes']);
    for (const l of listed) if (!nodeNames.includes(l)) warn(cm, 'NodeNotFound', `external-gw-nodes names "${l}", which is not a node of the lab (nodes: ${nodeNames.join(', ')})`);
    const gwNodes = [...new Set(type === 'centralized' ? [...listed.filter((l) => nodeNames.includes(l)), ...labelled] : labelled)];
    const nicIp = d['nic-ip'] ?? '';
    let addr = d['external-gw-addr'] ?? '';
    const nicPrefix = nicIp.split('/')[1];
    if (addr && !addr.includes('/') && nicPrefix) addr = `${addr}/${nicPrefix}`;
    const addrIp = parseIp(addr.split('/')[0] ?? '');
    const prefix = Number(addr.split('/')[1]);
    if (addrIp === undefined || !(prefix >= 8 && prefix <= 30)) {
      warn(cm, 'InvalidExternalGwAddr', `external-gw-addr "${d['external-gw-addr'] ?? ''}" must be the external gateway's address with a prefix, e.g. 192.168.100.1/24`);
    } else if (gwNodes.length === 0) {
      warn(cm, 'NoGatewayNode', type === 'centralized'
        ? 'no gateway node: set external-gw-nodes to a node name (e.g. ovnlab-control-plane)'
        : `distributed external gateway needs nodes labelled ${L_EXTERNAL_GW}=true`);
    } else {
      const size = 2 ** (32 - prefix);
      const net = addrIp - (addrIp % size);
      extCidr = parseCidr(`${formatIp(net)}/${prefix}`);
      const nicText = nicIp.split('/')[0] || formatIp(net + size - 2);
      const nicNum = parseIp(nicText);
      if ('error' in extCidr || nicNum === undefined || !cidrContains(extCidr, nicNum)) {
        warn(cm, 'InvalidNicIp', `nic-ip "${nicIp}" must be an address with prefix inside ${formatIp(net)}/${prefix}, e.g. ${formatIp(net + size - 2)}/${prefix}`);
        extCidr = undefined;
      } else {
        reservedExternal.set(addrIp, 'external-gw-addr');
        reservedExternal.set(nicNum, EXTERNAL_LRP);
        gateway = { type, nodes: gwNodes, addr: `${formatIp(addrIp)}/${prefix}`, cidr: extCidr.text };
        const nicMac = d['nic-mac'] && MAC_RE.test(d['nic-mac']) ? d['nic-mac'].toLowerCase() : macFromName(EXTERNAL_LRP);
        nb.switches.push({ name: EXTERNAL_SWITCH, externalIds: { ...VENDOR } });
        nb.switchPorts.push({ name: `localnet.${EXTERNAL_SWITCH}`, switch: EXTERNAL_SWITCH, type: 'localnet', addresses: ['unknown'], portSecurity: [], options: { network_name: EXTERNAL_NETWORK }, externalIds: { ls: EXTERNAL_SWITCH, ...VENDOR } });
        nb.routerPorts.push({
          name: EXTERNAL_LRP, router: DEFAULT_VPC, mac: nicMac, networks: [`${nicText}/${prefix}`], externalIds: { lr: DEFAULT_VPC, ...VENDOR },
          gatewayChassis: gwNodes.map((n, i) => ({ name: `${EXTERNAL_LRP}-${n}`, chassis: n, priority: 100 - i, externalIds: { lrp: EXTERNAL_LRP } })),
        });
        nb.switchPorts.push({ name: `${EXTERNAL_SWITCH}-${DEFAULT_VPC}`, switch: EXTERNAL_SWITCH, type: 'router', addresses: ['router'], portSecurity: [], options: { 'router-port': EXTERNAL_LRP }, externalIds: { ls: EXTERNAL_SWITCH, ...VENDOR } });
      }
    }
  }
  const extOk = extCidr && !('error' in extCidr) ? extCidr : undefined;
  const gwAddrIp = gateway ? gateway.addr.split('/')[0] : undefined;

  // --- VirtualMachines → ports, IPs, placement (pkg/controller/pod.go, kubevirt.go, ip.go) ---
  const vmis = new Map(byKind('VirtualMachineInstance').map((o) => [`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`, o]));
  const load = new Map<string, number>(nodeNames.map((n) => [n, 0]));
  for (const vmi of vmis.values()) {
    const n = str(rec(vmi.status).nodeName);
    if (n && load.has(n)) load.set(n, (load.get(n) ?? 0) + 1);
  }
  const vms: VmPlan[] = [];
  const eipOwners = new Map<string, string>();
  for (const vm of vmObjs) {
    const ns = vm.metadata.namespace ?? 'default';
    const name = vm.metadata.name;
    const port = `${name}.${ns}`;
    const ann = templateAnnotations(vm);
    const running = vmWantsRunning(vm);
    const vmi = vmis.get(`${ns}/${name}`);
    const fail = (reason: string, message: string) => {
      statuses.push({ kind: 'VirtualMachine', namespace: ns, name, status: { printableStatus: running ? 'Starting' : 'Stopped', ready: false, created: false, conditions: [cond('Ready', 'False', reason, message)] } });
      warn(vm, reason, message);
    };
    // misplaced annotations are the most common mistake: say where they go
    const own = vm.metadata.annotations ?? {};
    for (const k of [A_IP, A_MAC, A_LS, A_EIP]) {
      if (own[k] && !ann[k]) warn(vm, 'AnnotationIgnored', `${k} is on the VirtualMachine's metadata, where Kube-OVN does not read it: move it to spec.template.metadata.annotations`);
    }
    const subnetName = ann[A_LS] || [...subnets.values()].find((s) => s.name !== JOIN_SUBNET && s.namespaces.includes(ns))?.name || DEFAULT_SUBNET;
    const sn = subnets.get(subnetName);
    if (!sn || subnetName === JOIN_SUBNET) {
      fail('SubnetNotFound', `subnet "${subnetName}" does not exist or is not usable (${A_LS}): create it or pick another`);
      continue;
    }
    const prior = ipObjs.get(port);
    const priorSubnet = str(rec(prior?.spec).subnet);
    release(sn, port);
    let ip: number | undefined;
    const pinned = ann[A_IP];
    if (pinned) {
      const c = checkStatic(sn.pool, pinned, sn.used, sn.name);
      if (!c.ok) {
        fail(c.reason === 'OutOfSubnet' ? 'IPOutOfSubnet' : c.reason === 'Conflict' ? 'IPConflict' : c.reason === 'Excluded' ? 'IPExcluded' : 'InvalidIP', c.message);
        continue;
      }
      ip = c.ip;
    } else {
      const priorIp = parseIp(str(rec(prior?.spec).v4IpAddress) ?? '');
      if (priorSubnet === sn.name && priorIp !== undefined && !sn.used.has(priorIp) && cidrContains(sn.pool.cidr, priorIp)) ip = priorIp;
      else ip = allocateLowest(sn.pool, sn.used);
      if (ip === undefined) {
        fail('NoAvailableAddress', `subnet ${sn.name} (${sn.pool.cidr.text}) has no free address`);
        continue;
      }
    }
    let mac: string;
    if (ann[A_MAC]) {
      const m = ann[A_MAC].toLowerCase();
      if (!MAC_RE.test(m) || (parseInt(m.slice(0, 2), 16) & 1) === 1) {
        fail('InvalidMAC', `${A_MAC} "${ann[A_MAC]}" is not a unicast MAC like 0a:58:0a:10:00:0f`);
        continue;
      }
      const other = sn.macs.get(m);
      if (other && other !== port) {
        fail('MACConflict', `MAC ${m} is already used by ${other} in subnet ${sn.name}`);
        continue;
      }
      mac = m;
    } else {
      mac = pickMac(sn, port, priorSubnet === sn.name ? str(rec(prior?.spec).macAddress) : undefined);
    }
    // EIP (pod.go: ovn.kubernetes.io/eip → dnat_and_snat on the VPC router)
    let eip: string | undefined;
    if (ann[A_EIP]) {
      const e = ann[A_EIP];
      const en = parseIp(e);
      if (!gateway || !extOk) {
        warn(vm, 'ExternalGatewayMissing', `${A_EIP} needs the external gateway: apply ConfigMap ${GW_CONFIGMAP_NS}/${GW_CONFIGMAP} with enable-external-gw: "true"`);
      } else if (sn.vpc !== DEFAULT_VPC) {
        warn(vm, 'NotEmulated', `${A_EIP} on a custom VPC subnet is not emulated by the local lab; use OvnEip/OvnFip`);
      } else if (en === undefined || !cidrContains(extOk, en)) {
        warn(vm, 'EIPOutOfRange', `${A_EIP} ${e} is not inside the external network ${extOk.text}`);
      } else if (reservedExternal.has(en) || eipOwners.has(e)) {
        warn(vm, 'EIPConflict', `${A_EIP} ${e} is already used by ${reservedExternal.get(en) ?? eipOwners.get(e)}`);
      } else {
        eip = e;
        eipOwners.set(e, port);
        reservedExternal.set(en, port);
      }
    }
    sn.used.set(ip, port);
    sn.macs.set(mac, port);
    const ipText = formatIp(ip);
    // placement: the VMI's node; else the nodeSelector; else the least-loaded worker (kube-scheduler stand-in)
    let node = str(rec(vmi?.status).nodeName);
    const mig = rec(rec(vmi?.status).migrationState);
    let migration: VmPlan['migration'];
    if (running && !node) {
      const sel = str(rec(rec(rec(rec(vm.spec).template).spec).nodeSelector)['kubernetes.io/hostname']);
      if (sel && !nodeNames.includes(sel)) {
        fail('Unschedulable', `nodeSelector kubernetes.io/hostname=${sel} matches no node (nodes: ${nodeNames.join(', ')})`);
        sn.used.delete(ip);
        sn.macs.delete(mac);
        continue;
      }
      const pool = workers.length > 0 ? workers : nodeNames;
      node = sel ?? [...pool].sort((a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0) || pool.indexOf(a) - pool.indexOf(b))[0];
      if (node) load.set(node, (load.get(node) ?? 0) + 1);
    }
    const options: StrMap = {};
    if (running && str(mig.sourceNode) && str(mig.targetNode)) {
      // kubevirt.go: Scheduling/Running → both chassis + rarp; Succeeded → target; Failed → source
      if (mig.completed !== true) {
        migration = { source: str(mig.sourceNode)!, target: str(mig.targetNode)! };
        options['requested-chassis'] = `${migration.source},${migration.target}`;
        options['activation-strategy'] = 'rarp';
      } else {
        options['requested-chassis'] = mig.failed === true ? str(mig.sourceNode)! : str(mig.targetNode)!;
      }
    }
    const ext: StrMap = { pod: `${ns}/${name}`, ls: sn.name, ...VENDOR };
    nb.switchPorts.push({
      name: port, switch: sn.name, type: '', addresses: [`${mac} ${ipText}`],
      portSecurity: ann[A_PORT_SECURITY] === 'true' ? [`${mac} ${ipText}`] : [], options, externalIds: ext,
    });
    if (eip && gateway) {
      const distributed = gateway.type === 'distributed';
      nb.nats.push({
        router: DEFAULT_VPC, type: 'dnat_and_snat', externalIp: eip, logicalIp: ipText,
        ...(distributed ? { logicalPort: port, externalMac: mac } : {}), options: distributed ? { stateless: 'true' } : {},
      });
      nb.policies.push(reroute(DEFAULT_VPC, ipText, gwAddrIp!));
    }
    if (ann[A_SNAT] && gateway && extOk) {
      nb.nats.push({ router: DEFAULT_VPC, type: 'snat', externalIp: ann[A_SNAT], logicalIp: ipText, options: {} });
      if (!eip) nb.policies.push(reroute(DEFAULT_VPC, ipText, gwAddrIp!));
    }
    ips.push(ipObject(port, {
      podName: name, namespace: ns, subnet: sn.name, nodeName: node ?? str(rec(prior?.spec).nodeName) ?? '', ipAddress: ipText, v4IpAddress: ipText,
      v6IpAddress: '', macAddress: mac, podType: 'VirtualMachine', attachSubnets: [], attachIps: [], attachMacs: [], containerID: '',
    }, { 'ovn.kubernetes.io/subnet': sn.name, 'ovn.kubernetes.io/node-name': node ?? '', [sn.name]: '', 'ovn.kubernetes.io/ip_reserved': 'false' }));
    vms.push({ name, namespace: ns, port, subnet: sn.name, vpc: sn.vpc, ip: ipText, prefix: sn.pool.cidr.prefix, gateway: formatIp(sn.pool.gateway), mac, pinned: !!pinned, running, node: running ? node : undefined, eip, migration });
    statuses.push({
      kind: 'VirtualMachine', namespace: ns, name,
      status: { printableStatus: !running ? 'Stopped' : migration ? 'Migrating' : 'Running', ready: running, created: running, conditions: [cond('Ready', running ? 'True' : 'False', running ? 'Running' : 'Stopped', '')] },
    });
  }

  // --- OvnEip / OvnFip (pkg/controller/ovn_eip.go, ovn_fip.go) ---
  const eipIps = new Map<string, string>();
  for (const e of byKind('OvnEip')) {
    const name = e.metadata.name;
    const fail = (reason: string, message: string) => {
      statuses.push({ kind: 'OvnEip', name, status: { ready: false, conditions: [cond('Ready', 'False', reason, message)] } });
      warn(e, reason, message);
    };
    if (!extOk) {
      fail('ExternalGatewayMissing', `OvnEip needs the external network: apply ConfigMap ${GW_CONFIGMAP_NS}/${GW_CONFIGMAP} with enable-external-gw: "true"`);
      continue;
    }
    const want = str(rec(e.spec).v4Ip);
    let ipn: number | undefined;
    if (want) {
      ipn = parseIp(want);
      if (ipn === undefined || !cidrContains(extOk, ipn)) {
        fail('IPOutOfSubnet', `v4Ip ${want} is not inside the external network ${extOk.text}`);
        continue;
      }
      if (reservedExternal.has(ipn)) {
        fail('IPConflict', `v4Ip ${want} is already used by ${reservedExternal.get(ipn)}`);
        continue;
      }
    } else {
      const pool = makePool(extOk.text, undefined, []);
      ipn = 'error' in pool ? undefined : allocateLowest(pool, reservedExternal);
      if (ipn === undefined) {
        fail('NoAvailableAddress', `the external network ${extOk.text} has no free address`);
        continue;
      }
    }
    reservedExternal.set(ipn, `OvnEip ${name}`);
    eipIps.set(name, formatIp(ipn));
    statuses.push({ kind: 'OvnEip', name, status: { ready: true, v4Ip: formatIp(ipn), type: str(rec(e.spec).type) || 'nat', conditions: [cond('Ready', 'True', 'Allocated', '')] } });
  }
  for (const f of byKind('OvnFip')) {
    const name = f.metadata.name;
    const spec = rec(f.spec);
    const fail = (reason: string, message: string) => {
      statuses.push({ kind: 'OvnFip', name, status: { ready: false, conditions: [cond('Ready', 'False', reason, message)] } });
      warn(f, reason, message);
    };
    const eipName = str(spec.ovnEip) ?? '';
    const ext = eipIps.get(eipName);
    if (!ext) {
      fail('EipNotReady', `OvnEip "${eipName}" does not exist or is not ready`);
      continue;
    }
    const ipName = str(spec.ipName) ?? '';
    const target = ips.find((i) => i.metadata.name === ipName);
    if (!target) {
      fail('IPNotFound', `IP "${ipName}" does not exist: ipName is the IP object of the VM, <vm>.<namespace>`);
      continue;
    }
    const sn = subnets.get(str(rec(target.spec).subnet) ?? '');
    const logicalIp = str(rec(target.spec).v4IpAddress) ?? '';
    if (!sn) continue;
    if (nb.nats.some((n) => n.type === 'dnat_and_snat' && n.externalIp === ext)) {
      fail('EIPConflict', `${ext} is already used by another dnat_and_snat`);
      continue;
    }
    nb.nats.push({ router: sn.vpc, type: 'dnat_and_snat', externalIp: ext, logicalIp, options: {} });
    statuses.push({ kind: 'OvnFip', name, status: { ready: true, v4Eip: ext, v4Ip: logicalIp, vpc: sn.vpc, conditions: [cond('Ready', 'True', 'Created', '')] } });
  }

  // --- Subnet status (v4usingIPs, v4availableIPs) ---
  for (const sn of subnets.values()) {
    if (!sn.obj && sn.name !== JOIN_SUBNET && sn.name !== DEFAULT_SUBNET) continue;
    statuses.push({
      kind: 'Subnet', name: sn.name,
      status: {
        v4usingIPs: sn.used.size, v4availableIPs: availableCount(sn.pool, sn.used), v4usingIPrange: '',
        conditions: [cond('Validated', 'True', 'ValidatedSubnet', ''), cond('Ready', 'True', 'SetupSubnet', '')],
      },
    });
  }
  for (const st of statuses) if (st.kind === 'Vpc') st.status.subnets = [...subnets.values()].filter((s) => s.vpc === st.name).map((s) => s.name);
  return { nb, ips, vms, nodes, gateway, statuses, events };
}

function cond(type: string, status: 'True' | 'False', reason: string, message: string): Condition {
  return { type, status, reason, message };
}

function reroute(router: string, ip: string, nexthop: string): NbPolicy {
  return { router, priority: 29250, match: `ip4.src == ${ip}`, action: 'reroute', nexthops: [nexthop], externalIds: { ...VENDOR } };
}

export { objectKey };

// The OVN Northbound rows the lab controller wants, keyed the way Kube-OVN keys them (by name,
// NAT by router/type/external_ip/logical_ip). Plain data: produced by the pure translation,
// compared with the database by the reconciler.
export type StrMap = Record<string, string>;

export interface NbRouter {
  name: string;
  externalIds: StrMap;
  options: StrMap;
}

export interface NbSwitch {
  name: string;
  externalIds: StrMap;
}

export interface NbGatewayChassis {
  /** Kube-OVN: `<lrp>-<chassis>` */
  name: string;
  chassis: string;
  priority: number;
  externalIds: StrMap;
}

export interface NbRouterPort {
  name: string;
  router: string;
  mac: string;
  networks: string[];
  externalIds: StrMap;
  gatewayChassis: NbGatewayChassis[];
}

export interface NbSwitchPort {
  name: string;
  switch: string;
  type: '' | 'router' | 'localnet';
  addresses: string[];
  portSecurity: string[];
  options: StrMap;
  externalIds: StrMap;
}

export interface NbNat {
  router: string;
  type: 'dnat_and_snat' | 'snat' | 'dnat';
  externalIp: string;
  logicalIp: string;
  logicalPort?: string;
  externalMac?: string;
  options: StrMap;
}

export interface NbStaticRoute {
  router: string;
  prefix: string;
  nexthop: string;
  policy: 'dst-ip' | 'src-ip';
  externalIds: StrMap;
}

export interface NbPolicy {
  router: string;
  priority: number;
  match: string;
  action: 'allow' | 'drop' | 'reroute';
  nexthops: string[];
  externalIds: StrMap;
}

export interface DesiredNb {
  routers: NbRouter[];
  switches: NbSwitch[];
  routerPorts: NbRouterPort[];
  switchPorts: NbSwitchPort[];
  nats: NbNat[];
  routes: NbStaticRoute[];
  policies: NbPolicy[];
}

export const VENDOR = { vendor: 'kube-ovn' } as const;

export function natKey(n: Pick<NbNat, 'router' | 'type' | 'externalIp' | 'logicalIp'>): string {
  return `${n.router}|${n.type}|${n.externalIp}|${n.logicalIp}`;
}
export function routeKey(r: Pick<NbStaticRoute, 'router' | 'prefix' | 'nexthop' | 'policy'>): string {
  return `${r.router}|${r.policy}|${r.prefix}|${r.nexthop}`;
}
export function policyKey(p: Pick<NbPolicy, 'router' | 'priority' | 'match'>): string {
  return `${p.router}|${p.priority}|${p.match}`;
}

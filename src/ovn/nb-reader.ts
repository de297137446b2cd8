// Reads the OVN Northbound database over OVSDB into the structure `ovn-nbctl show` prints:
// switches with their ports (type, addresses, router-port, parent), routers with their ports
// (mac, networks, gateway chassis), NAT rules and static routes. The monitor keeps the cache
// live, so a view can call nbTopologyFromCache() again on every change event.
import { OvsdbClient, OvsdbConnectionError, type OvsdbClientOptions } from './ovsdb/index';
import type { NbLogicalRouter, NbLogicalSwitch, NbNAT, NbTables } from './ovsdb/models/nb';

export const DEFAULT_NB_REMOTE = 'unix:/var/run/ovn/ovnnb_db.sock';

export const NB_TOPOLOGY_TABLES = [
  'Logical_Switch', 'Logical_Switch_Port', 'Logical_Router', 'Logical_Router_Port', 'Gateway_Chassis', 'NAT',
  'Logical_Router_Static_Route',
] as const satisfies ReadonlyArray<keyof NbTables>;

export interface NbSwitchPortView {
  uuid: string;
  name: string;
  /** "" for a VM/pod port, or router, localnet, localport, patch… */
  type: string;
  addresses: string[];
  /** options:router-port of a `router` port: the peer router port's name */
  routerPort?: string;
  parent?: string;
  tag?: number;
  options: Record<string, string>;
  externalIds: Record<string, string>;
}

export interface NbSwitchView {
  uuid: string;
  name: string;
  ports: NbSwitchPortView[];
  externalIds: Record<string, string>;
  otherConfig: Record<string, string>;
}

export interface NbRouterPortView {
  uuid: string;
  name: string;
  mac: string;
  networks: string[];
  /** chassis names, highest priority first */
  gatewayChassis: string[];
  /** the Gateway_Chassis rows, highest priority first */
  gatewayChassisRows: NbGatewayChassisView[];
  peer?: string;
  externalIds: Record<string, string>;
}

export interface NbGatewayChassisView {
  uuid: string;
  chassis: string;
  priority: number;
}

export interface NbNatView {
  uuid: string;
  type: string;
  externalIp: string;
  logicalIp: string;
  externalMac?: string;
  logicalPort?: string;
  externalPortRange?: string;
  gatewayPort?: string;
  externalIds: Record<string, string>;
}

export interface NbRouteView {
  uuid: string;
  ipPrefix: string;
  nexthop: string;
  outputPort?: string;
  policy?: string;
  routeTable: string;
}

export interface NbRouterView {
  uuid: string;
  name: string;
  ports: NbRouterPortView[];
  nat: NbNatView[];
  staticRoutes: NbRouteView[];
  externalIds: Record<string, string>;
}

export interface NbTopology {
  switches: NbSwitchView[];
  routers: NbRouterView[];
}

/** A short-lived or long-lived client to the Northbound database; says what to do when unreachable. */
export async function openNorthbound(remote: string, opts: Partial<OvsdbClientOptions> = {}): Promise<OvsdbClient<NbTables>> {
  try {
    return await OvsdbClient.connect<NbTables>({ requestTimeoutMs: 10_000, ...opts, remote, database: 'OVN_Northbound' });
  } catch (e) {
    if (e instanceof OvsdbConnectionError) {
      throw new OvsdbConnectionError(
        `cannot reach the OVN Northbound database at ${remote}: start the lab (\`ovnlab lab up\`) or pass --db (${e.message})`,
        remote,
        e,
      );
    }
    throw e;
  }
}

/** Starts monitoring the tables the topology needs, unless this client already does. */
export async function monitorNbTopology(client: OvsdbClient<NbTables>): Promise<void> {
  const tracked = new Set(client.cache.trackedTables());
  const missing = NB_TOPOLOGY_TABLES.filter((t) => !tracked.has(t));
  if (missing.length > 0) await client.monitor([...missing]);
}

/** Monitors (once) and reads the topology from the client's cache. */
export async function readNbTopology(client: OvsdbClient<NbTables>): Promise<NbTopology> {
  await monitorNbTopology(client);
  return nbTopologyFromCache(client);
}

const byName = <T extends { name: string; uuid: string }>(a: T, b: T) => a.name.localeCompare(b.name) || a.uuid.localeCompare(b.uuid);
// OVSDB keeps set elements in uuid order, which is the order ovn-nbctl lists a row's ports and NATs in
const byUuid = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The topology as the cache holds it now (switches and routers by name). */
export function nbTopologyFromCache(client: OvsdbClient<NbTables>): NbTopology {
  const lsps = client.rows('Logical_Switch_Port');
  const lrps = client.rows('Logical_Router_Port');
  const gcs = client.rows('Gateway_Chassis');
  const nats = client.rows('NAT');
  const routes = client.rows('Logical_Router_Static_Route');

  const switchView = (ls: NbLogicalSwitch): NbSwitchView => ({
    uuid: ls._uuid,
    name: ls.name,
    externalIds: ls.external_ids,
    otherConfig: ls.other_config,
    ports: [...ls.ports].sort(byUuid).flatMap((u) => {
      const p = lsps.get(u);
      if (!p) return [];
      const v: NbSwitchPortView = { uuid: p._uuid, name: p.name, type: p.type, addresses: p.addresses, options: p.options, externalIds: p.external_ids };
      if (p.options['router-port'] !== undefined) v.routerPort = p.options['router-port'];
      if (p.parent_name !== undefined) v.parent = p.parent_name;
      if (p.tag !== undefined) v.tag = p.tag;
      return [v];
    }),
  });

  const natView = (n: NbNAT): NbNatView => {
    const v: NbNatView = { uuid: n._uuid, type: n.type, externalIp: n.external_ip, logicalIp: n.logical_ip, externalIds: n.external_ids };
    if (n.external_mac !== undefined) v.externalMac = n.external_mac;
    if (n.logical_port !== undefined) v.logicalPort = n.logical_port;
    if (n.external_port_range) v.externalPortRange = n.external_port_range;
    if (n.gateway_port !== undefined) v.gatewayPort = lrps.get(n.gateway_port)?.name ?? n.gateway_port;
    return v;
  };

  const routerView = (lr: NbLogicalRouter): NbRouterView => ({
    uuid: lr._uuid,
    name: lr.name,
    externalIds: lr.external_ids,
    ports: [...lr.ports].sort(byUuid).flatMap((u) => {
      const p = lrps.get(u);
      if (!p) return [];
      const chassis = p.gateway_chassis
        .flatMap((g) => {
          const row = gcs.get(g);
          return row ? [{ uuid: row._uuid, chassis: row.chassis_name, priority: row.priority }] : [];
        })
        .sort((a, b) => b.priority - a.priority || a.chassis.localeCompare(b.chassis));
      const v: NbRouterPortView = {
        uuid: p._uuid, name: p.name, mac: p.mac, networks: p.networks,
        gatewayChassis: chassis.map((g) => g.chassis), gatewayChassisRows: chassis, externalIds: p.external_ids,
      };
      if (p.peer !== undefined) v.peer = p.peer;
      return [v];
    }),
    nat: [...lr.nat].sort(byUuid).flatMap((u) => {
      const n = nats.get(u);
      return n ? [natView(n)] : [];
    }),
    staticRoutes: lr.static_routes.flatMap((u) => {
      const r = routes.get(u);
      if (!r) return [];
      const v: NbRouteView = { uuid: r._uuid, ipPrefix: r.ip_prefix, nexthop: r.nexthop, routeTable: r.route_table };
      if (r.output_port !== undefined) v.outputPort = r.output_port;
      if (r.policy !== undefined) v.policy = r.policy;
      return [v];
    }),
  });

  return {
    switches: [...client.rows('Logical_Switch').values()].map(switchView).sort(byName),
    routers: [...client.rows('Logical_Router').values()].map(routerView).sort(byName),
  };
}

const q = (s: string) => JSON.stringify(s);
const list = (xs: string[]) => `[${xs.map(q).join(', ')}]`;

/** Text close to `ovn-nbctl show` (switches, then routers; nbctl's own order is hash order). */
export function formatNbShow(t: NbTopology): string {
  const out: string[] = [];
  for (const s of t.switches) {
    out.push(`switch ${s.uuid} (${s.name})`);
    for (const p of s.ports) {
      out.push(`    port ${p.name}`);
      if (p.parent) out.push(`        parent: ${p.parent}`);
      if (p.tag !== undefined) out.push(`        tag: ${p.tag}`);
      if (p.type) out.push(`        type: ${p.type}`);
      if (p.routerPort !== undefined && p.type === 'router') out.push(`        router-port: ${p.routerPort}`);
      if (p.addresses.length > 0 && !(p.type === 'router' && p.addresses.length === 1 && p.addresses[0] === 'router')) {
        out.push(`        addresses: ${list(p.addresses)}`);
      }
    }
  }
  for (const r of t.routers) {
    out.push(`router ${r.uuid} (${r.name})`);
    for (const p of r.ports) {
      out.push(`    port ${p.name}`);
      out.push(`        mac: ${q(p.mac)}`);
      out.push(`        networks: ${list(p.networks)}`);
      // ovn-nbctl lists them in the column's (uuid) order, not by priority
      const gcs = [...p.gatewayChassisRows].sort((a, b) => byUuid(a.uuid, b.uuid));
      if (gcs.length > 0) out.push(`        gateway chassis: [${gcs.map((g) => g.chassis).join(' ')}]`);
    }
    for (const n of r.nat) {
      out.push(`    nat ${n.uuid}`);
      out.push(`        external ip: ${q(n.externalIp)}`);
      out.push(`        logical ip: ${q(n.logicalIp)}`);
      out.push(`        type: ${q(n.type)}`);
    }
  }
  return out.join('\n');
}

/** A router's NAT rules in `ovn-nbctl lr-nat-list` order (type, then external IP, then logical IP). */
export function natRulesOf(t: NbTopology, router: string): NbNatView[] | undefined {
  const r = t.routers.find((x) => x.name === router || x.uuid === router);
  if (!r) return undefined;
  return [...r.nat].sort((a, b) => a.type.localeCompare(b.type) || a.externalIp.localeCompare(b.externalIp) || a.logicalIp.localeCompare(b.logicalIp));
}

/** Text close to `ovn-nbctl lr-nat-list`. */
export function formatNatList(rules: NbNatView[]): string {
  const row = (c: string[]) =>
    (c[0].padEnd(17) + c[1].padEnd(22) + c[2].padEnd(19) + c[3].padEnd(17) + c[4].padEnd(20) + c[5].padEnd(21) + c[6]).trimEnd();
  const lines = [row(['TYPE', 'GATEWAY_PORT', 'EXTERNAL_IP', 'EXTERNAL_PORT', 'LOGICAL_IP', 'EXTERNAL_MAC', 'LOGICAL_PORT'])];
  for (const n of rules) {
    lines.push(row([n.type, n.gatewayPort ?? '', n.externalIp, n.externalPortRange ?? '', n.logicalIp, n.externalMac ?? '', n.logicalPort ?? '']));
  }
  return lines.join('\n');
}

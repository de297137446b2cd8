// Makes OVN Northbound match a DesiredNb in ONE transaction through our OVSDB client: reads the
// rows it may own (vendor=kube-ovn routers/switches/ports/routes/policies, NAT and gateway
// chassis on those), and inserts, updates or removes only what differs. Rows without Kube-OVN's
// vendor tag are never touched, so a user's own NB objects survive.
import type { GenericTables, Operation, OvsdbClient } from '../../../ovn/ovsdb/index';
import { namedUuid } from '../../../ovn/ovsdb/index';
import { type DesiredNb, type NbNat, type NbPolicy, type NbStaticRoute, type StrMap, natKey, policyKey, routeKey } from './nb-model';

type Row = Record<string, unknown> & { _uuid: string };
type Client = OvsdbClient<GenericTables>;

const COLUMNS: Record<string, string[]> = {
  Logical_Router: ['_uuid', 'name', 'external_ids', 'options', 'ports', 'nat', 'static_routes', 'policies'],
  Logical_Switch: ['_uuid', 'name', 'external_ids', 'ports'],
  Logical_Switch_Port: ['_uuid', 'name', 'type', 'addresses', 'port_security', 'options', 'external_ids'],
  Logical_Router_Port: ['_uuid', 'name', 'mac', 'networks', 'external_ids', 'gateway_chassis'],
  NAT: ['_uuid', 'type', 'external_ip', 'logical_ip', 'logical_port', 'external_mac', 'options'],
  Logical_Router_Static_Route: ['_uuid', 'ip_prefix', 'nexthop', 'policy', 'external_ids'],
  Logical_Router_Policy: ['_uuid', 'priority', 'match', 'action', 'nexthops', 'external_ids'],
  Gateway_Chassis: ['_uuid', 'name', 'chassis_name', 'priority', 'external_ids'],
};

export interface NbSnapshot {
  tables: Record<string, Row[]>;
}

export async function readNb(client: Client): Promise<NbSnapshot> {
  const names = Object.keys(COLUMNS);
  const r = await client.transact(names.map((t) => ({ op: 'select', table: t, where: [], columns: COLUMNS[t] }) as Operation));
  const tables: Record<string, Row[]> = {};
  names.forEach((t, i) => (tables[t] = (r.results[i].rows ?? []) as Row[]));
  return { tables };
}

const arr = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null || v === '' ? [] : [String(v)]);
const map = (v: unknown): StrMap => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {});
const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\0') === [...b].sort().join('\0');
const sameMap = (a: StrMap, b: StrMap) => {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.join('\0') === kb.join('\0') && ka.every((k) => a[k] === b[k]);
};
const isOurs = (r: Row) => map(r.external_ids).vendor === 'kube-ovn';

/** The operations that turn `cur` into `want` (empty when they already agree). Pure. */
export function diffNb(cur: NbSnapshot, want: DesiredNb): Operation[] {
  const t = cur.tables;
  const ops: Operation[] = [];
  let seq = 0;
  const nid = (p: string) => `${p}${seq++}`;
  const byName = (table: string) => new Map(t[table].map((r) => [String(r.name), r]));
  const routers = byName('Logical_Router');
  const switches = byName('Logical_Switch');
  const lsps = new Map(t.Logical_Switch_Port.map((r) => [r._uuid, r]));
  const lrps = new Map(t.Logical_Router_Port.map((r) => [r._uuid, r]));
  const nats = new Map(t.NAT.map((r) => [r._uuid, r]));
  const routes = new Map(t.Logical_Router_Static_Route.map((r) => [r._uuid, r]));
  const pols = new Map(t.Logical_Router_Policy.map((r) => [r._uuid, r]));
  const gcs = new Map(t.Gateway_Chassis.map((r) => [r._uuid, r]));
  const mutate = (table: string, name: string, col: string, how: 'insert' | 'delete', v: unknown[]) =>
    ops.push({ op: 'mutate', table, where: [['name', '==', name]], mutations: [[col, how, v as never]] });

  // routers and switches (roots)
  const wantRouters = new Set(want.routers.map((r) => r.name));
  for (const r of want.routers) {
    const c = routers.get(r.name);
    if (!c) ops.push({ op: 'insert', table: 'Logical_Router', row: { name: r.name, external_ids: r.externalIds, options: r.options } });
    else if (!sameMap(map(c.external_ids), r.externalIds) || !sameMap(map(c.options), r.options)) {
      ops.push({ op: 'update', table: 'Logical_Router', where: [['_uuid', '==', c._uuid]], row: { external_ids: r.externalIds, options: r.options } });
    }
  }
  for (const [name, c] of routers) if (isOurs(c) && !wantRouters.has(name)) ops.push({ op: 'delete', table: 'Logical_Router', where: [['_uuid', '==', c._uuid]] });
  const wantSwitches = new Set(want.switches.map((s) => s.name));
  for (const s of want.switches) {
    const c = switches.get(s.name);
    if (!c) ops.push({ op: 'insert', table: 'Logical_Switch', row: { name: s.name, external_ids: s.externalIds } });
    else if (!sameMap(map(c.external_ids), s.externalIds)) ops.push({ op: 'update', table: 'Logical_Switch', where: [['_uuid', '==', c._uuid]], row: { external_ids: s.externalIds } });
  }
  for (const [name, c] of switches) if (isOurs(c) && !wantSwitches.has(name)) ops.push({ op: 'delete', table: 'Logical_Switch', where: [['_uuid', '==', c._uuid]] });
  const liveRouter = (name: string) => wantRouters.has(name) || (routers.has(name) && !isOurs(routers.get(name)!));
  const liveSwitch = (name: string) => wantSwitches.has(name) || (switches.has(name) && !isOurs(switches.get(name)!));

  // switch ports: where each one hangs now
  const lspParent = new Map<string, { sw: string; row: Row }>();
  for (const [swName, sw] of switches) for (const u of arr(sw.ports)) { const p = lsps.get(u); if (p) lspParent.set(String(p.name), { sw: swName, row: p }); }
  const wantLsp = new Set(want.switchPorts.map((p) => p.name));
  for (const p of want.switchPorts) {
    const c = lspParent.get(p.name);
    const row = { name: p.name, type: p.type, addresses: p.addresses, port_security: p.portSecurity, options: p.options, external_ids: p.externalIds };
    if (c && c.sw !== p.switch) {
      if (liveSwitch(c.sw)) mutate('Logical_Switch', c.sw, 'ports', 'delete', [c.row._uuid]);
    }
    if (!c || c.sw !== p.switch) {
      const id = nid('lsp');
      ops.push({ op: 'insert', table: 'Logical_Switch_Port', row, uuidName: id });
      mutate('Logical_Switch', p.switch, 'ports', 'insert', [namedUuid(id)]);
    } else if (
      String(c.row.type ?? '') !== p.type || !sameSet(arr(c.row.addresses), p.addresses) || !sameSet(arr(c.row.port_security), p.portSecurity) ||
      !sameMap(map(c.row.options), p.options) || !sameMap(map(c.row.external_ids), p.externalIds)
    ) {
      ops.push({ op: 'update', table: 'Logical_Switch_Port', where: [['_uuid', '==', c.row._uuid]], row: { type: p.type, addresses: p.addresses, port_security: p.portSecurity, options: p.options, external_ids: p.externalIds } });
    }
  }
  for (const [name, c] of lspParent) if (isOurs(c.row) && !wantLsp.has(name) && liveSwitch(c.sw)) mutate('Logical_Switch', c.sw, 'ports', 'delete', [c.row._uuid]);

  // router ports and their gateway chassis
  const lrpParent = new Map<string, { lr: string; row: Row }>();
  for (const [lrName, lr] of routers) for (const u of arr(lr.ports)) { const p = lrps.get(u); if (p) lrpParent.set(String(p.name), { lr: lrName, row: p }); }
  const wantLrp = new Set(want.routerPorts.map((p) => p.name));
  for (const p of want.routerPorts) {
    const c = lrpParent.get(p.name);
    const gcIds: string[] = [];
    const gcOps: Operation[] = p.gatewayChassis.map((g) => {
      const id = nid('gc');
      gcIds.push(id);
      return { op: 'insert', table: 'Gateway_Chassis', row: { name: g.name, chassis_name: g.chassis, priority: g.priority, external_ids: g.externalIds }, uuidName: id };
    });
    const curGcs = c ? arr(c.row.gateway_chassis).map((u) => gcs.get(u)).filter((g): g is Row => !!g) : [];
    const gcSame = curGcs.length === p.gatewayChassis.length && p.gatewayChassis.every((g) =>
      curGcs.some((x) => x.name === g.name && x.chassis_name === g.chassis && Number(x.priority) === g.priority && sameMap(map(x.external_ids), g.externalIds)));
    if (c && c.lr !== p.router && liveRouter(c.lr)) mutate('Logical_Router', c.lr, 'ports', 'delete', [c.row._uuid]);
    if (!c || c.lr !== p.router) {
      const id = nid('lrp');
      ops.push(...gcOps);
      ops.push({ op: 'insert', table: 'Logical_Router_Port', row: { name: p.name, mac: p.mac, networks: p.networks, external_ids: p.externalIds, gateway_chassis: gcIds.map(namedUuid) }, uuidName: id });
      mutate('Logical_Router', p.router, 'ports', 'insert', [namedUuid(id)]);
    } else {
      const row: Record<string, unknown> = {};
      if (String(c.row.mac) !== p.mac) row.mac = p.mac;
      if (!sameSet(arr(c.row.networks), p.networks)) row.networks = p.networks;
      if (!sameMap(map(c.row.external_ids), p.externalIds)) row.external_ids = p.externalIds;
      if (!gcSame) {
        ops.push(...gcOps);
        row.gateway_chassis = gcIds.map(namedUuid);
      }
      if (Object.keys(row).length > 0) ops.push({ op: 'update', table: 'Logical_Router_Port', where: [['_uuid', '==', c.row._uuid]], row: row as never });
    }
  }
  for (const [name, c] of lrpParent) if (isOurs(c.row) && !wantLrp.has(name) && liveRouter(c.lr)) mutate('Logical_Router', c.lr, 'ports', 'delete', [c.row._uuid]);

  // NAT, static routes, policies: children of routers, compared by key
  const children = <W>(col: string, rows: Map<string, Row>, wantList: W[], keyOf: (w: W) => string, curKey: (r: Row, lr: string) => string,
    owned: (r: Row, lr: string) => boolean, same: (r: Row, w: W) => boolean, toRow: (w: W) => Record<string, unknown>, table: string, routerOf: (w: W) => string) => {
    const have = new Map<string, { lr: string; row: Row }>();
    for (const [lrName, lr] of routers) for (const u of arr(lr[col])) { const r = rows.get(u); if (r) have.set(curKey(r, lrName), { lr: lrName, row: r }); }
    const wantKeys = new Set(wantList.map(keyOf));
    for (const w of wantList) {
      const c = have.get(keyOf(w));
      if (!c) {
        const id = nid('c');
        ops.push({ op: 'insert', table, row: toRow(w) as never, uuidName: id });
        mutate('Logical_Router', routerOf(w), col, 'insert', [namedUuid(id)]);
      } else if (!same(c.row, w)) {
        ops.push({ op: 'update', table, where: [['_uuid', '==', c.row._uuid]], row: toRow(w) as never });
      }
    }
    for (const [k, c] of have) if (!wantKeys.has(k) && owned(c.row, c.lr) && liveRouter(c.lr)) mutate('Logical_Router', c.lr, col, 'delete', [c.row._uuid]);
  };
  const ourRouter = (lr: string) => { const r = routers.get(lr); return !r || isOurs(r); };
  children<NbNat>('nat', nats, want.nats, natKey, (r, lr) => natKey({ router: lr, type: String(r.type) as NbNat['type'], externalIp: String(r.external_ip), logicalIp: String(r.logical_ip) }),
    (_r, lr) => ourRouter(lr), (r, w) => arr(r.logical_port).join() === (w.logicalPort ?? '') && arr(r.external_mac).join() === (w.externalMac ?? '') && sameMap(map(r.options), w.options),
    (w) => ({ type: w.type, external_ip: w.externalIp, logical_ip: w.logicalIp, logical_port: w.logicalPort ? [w.logicalPort] : [], external_mac: w.externalMac ? [w.externalMac] : [], options: w.options }),
    'NAT', (w) => w.router);
  children<NbStaticRoute>('static_routes', routes, want.routes, routeKey,
    (r, lr) => routeKey({ router: lr, prefix: String(r.ip_prefix), nexthop: String(r.nexthop), policy: (arr(r.policy)[0] ?? 'dst-ip') as NbStaticRoute['policy'] }),
    isOurs, (r, w) => sameMap(map(r.external_ids), w.externalIds),
    (w) => ({ ip_prefix: w.prefix, nexthop: w.nexthop, policy: w.policy, external_ids: w.externalIds }), 'Logical_Router_Static_Route', (w) => w.router);
  children<NbPolicy>('policies', pols, want.policies, policyKey, (r, lr) => policyKey({ router: lr, priority: Number(r.priority), match: String(r.match) }),
    isOurs, (r, w) => String(r.action) === w.action && sameSet(arr(r.nexthops), w.nexthops) && sameMap(map(r.external_ids), w.externalIds),
    (w) => ({ priority: w.priority, match: w.match, action: w.action, nexthops: w.nexthops, external_ids: w.externalIds }), 'Logical_Router_Policy', (w) => w.router);
  return ops;
}

/** Reads NB, diffs, applies in one transaction; returns the number of operations applied. */
export async function applyNb(client: Client, want: DesiredNb): Promise<number> {
  const ops = diffNb(await readNb(client), want);
  if (ops.length > 0) await client.transact(ops);
  return ops.length;
}

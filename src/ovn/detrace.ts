// Detrace: an OpenFlow cookie → the SB row it came from (a Logical_Flow by uuid prefix, as
// ovn-detrace does; or a Port_Binding, MAC_Binding, Multicast_Group, Chassis, Load_Balancer)
// → for a logical flow, its stage and stage-hint → the NB object behind it (NAT, port, ACL,
// route, policy, LB…) → the Kubernetes object that made that (k8s-owner.ts).
// Also ofport → OVS Interface and its iface-id. Pure over a snapshot of the three databases.
import { asList, asMap, type DbRow } from './ctl-json';
import { CookieIndex, cookieHex } from './cookie-index';
import { NbOwnerIndex, type K8sOwner, type NatOwnerResolver } from './k8s-owner';

export type Tables = ReadonlyMap<string, readonly DbRow[]>;

export interface DetraceSnapshot {
  nb: Tables;
  sb: Tables;
  /** Open_vSwitch tables of the node the trace ran on (Bridge, Port, Interface) */
  ovs?: Tables;
  /** owners of untagged NAT rows, from the cluster's or lab's Kubernetes objects */
  natOwner?: NatOwnerResolver;
}

export interface NbObject {
  table: string;
  uuid: string;
  /** one line like ovn-detrace prints, e.g. "NAT: external IP 192.168.100.101 …" */
  summary: string;
  row: DbRow;
  owner?: K8sOwner;
  /** for NAT/route/policy rows: the router holding it */
  router?: string;
}

export interface LogicalFlowInfo {
  uuid: string;
  pipeline: string;
  table: number;
  stage: string;
  priority: number;
  match: string;
  actions: string;
  datapaths: string[];
  stageHint?: string;
  nbObjects: NbObject[];
}

export interface SbRecord {
  table: 'Port_Binding' | 'MAC_Binding' | 'Multicast_Group' | 'Chassis' | 'Load_Balancer';
  uuid: string;
  summary: string;
  row: DbRow;
}

export interface CookieExplanation {
  cookie: string;
  logicalFlows: LogicalFlowInfo[];
  records: SbRecord[];
}

const NB_HINT_TABLES = [
  'ACL', 'DHCP_Options', 'Forwarding_Group', 'Logical_Switch_Port', 'Logical_Router_Port',
  'Logical_Router_Policy', 'Load_Balancer', 'NAT', 'Logical_Router_Static_Route', 'QoS',
] as const;

const SB_RECORD_TABLES = ['Port_Binding', 'MAC_Binding', 'Multicast_Group', 'Chassis', 'Load_Balancer'] as const;

export class Detracer {
  private readonly sbIndex = new Map<string, CookieIndex<DbRow>>();
  private readonly nbIndex = new Map<string, CookieIndex<DbRow>>();
  private readonly dpNames = new Map<string, string>();
  private readonly dpGroups = new Map<string, string[]>();
  private readonly chassisNames = new Map<string, string>();
  private readonly pbNames = new Map<string, string>();
  private readonly owners: NbOwnerIndex;

  constructor(private readonly snap: DetraceSnapshot) {
    for (const t of ['Logical_Flow', ...SB_RECORD_TABLES]) this.sbIndex.set(t, new CookieIndex(snap.sb.get(t) ?? []));
    for (const t of NB_HINT_TABLES) this.nbIndex.set(t, new CookieIndex(snap.nb.get(t) ?? []));
    for (const dp of snap.sb.get('Datapath_Binding') ?? []) {
      const ids = asMap(dp.external_ids);
      this.dpNames.set(dp._uuid, ids.name ?? ids['name2'] ?? dp._uuid);
    }
    for (const g of snap.sb.get('Logical_DP_Group') ?? []) this.dpGroups.set(g._uuid, asList(g.datapaths).map(String));
    for (const c of snap.sb.get('Chassis') ?? []) this.chassisNames.set(c._uuid, String(c.name));
    for (const pb of snap.sb.get('Port_Binding') ?? []) this.pbNames.set(pb._uuid, String(pb.logical_port));
    this.owners = new NbOwnerIndex(snap.nb, snap.natOwner);
  }

  explain(cookie: string): CookieExplanation {
    const hex = cookieHex(cookie);
    const out: CookieExplanation = { cookie: `0x${hex}`, logicalFlows: [], records: [] };
    if (hex === '0') return out;
    for (const lf of this.sbIndex.get('Logical_Flow')!.find(hex)) out.logicalFlows.push(this.logicalFlow(lf));
    for (const t of SB_RECORD_TABLES) {
      for (const r of this.sbIndex.get(t)!.find(hex)) out.records.push({ table: t, uuid: r._uuid, summary: this.sbSummary(t, r), row: r });
    }
    return out;
  }

  /** The OVN stage name of the logical flow a cookie came from (for grouping and filtering). */
  stageOfCookie(cookie: string): string | undefined {
    const hex = cookieHex(cookie);
    if (hex === '0') return undefined;
    const lf = this.sbIndex.get('Logical_Flow')!.find(hex)[0];
    return lf ? asMap(lf.external_ids)['stage-name'] : undefined;
  }

  /** OpenFlow port number on the node's integration bridge → OVS Interface name and iface-id. */
  interfaceOfOfport(ofport: number, bridge = 'br-int'): { name: string; ifaceId?: string } | undefined {
    const ovs = this.snap.ovs;
    if (!ovs) return undefined;
    const br = (ovs.get('Bridge') ?? []).find((b) => b.name === bridge);
    if (!br) return undefined;
    const ports = new Set(asList(br.ports).map(String));
    const ifaces = new Set(
      (ovs.get('Port') ?? []).filter((p) => ports.has(p._uuid)).flatMap((p) => asList(p.interfaces).map(String)),
    );
    const iface = (ovs.get('Interface') ?? []).find((i) => ifaces.has(i._uuid) && asList(i.ofport)[0] === ofport);
    if (!iface) return undefined;
    return { name: String(iface.name), ifaceId: asMap(iface.external_ids)['iface-id'] };
  }

  private logicalFlow(lf: DbRow): LogicalFlowInfo {
    const ids = asMap(lf.external_ids);
    const dps = asList(lf.logical_datapath).map(String);
    for (const g of asList(lf.logical_dp_group)) dps.push(...(this.dpGroups.get(String(g)) ?? []));
    const hint = ids['stage-hint'];
    const nbObjects: NbObject[] = [];
    if (hint) {
      for (const t of NB_HINT_TABLES) {
        for (const row of this.nbIndex.get(t)!.find(hint)) nbObjects.push(this.nbObject(t, row));
      }
    }
    return {
      uuid: lf._uuid,
      pipeline: String(lf.pipeline),
      table: Number(lf.table_id),
      stage: ids['stage-name'] ?? '',
      priority: Number(lf.priority),
      match: String(lf.match),
      actions: String(lf.actions),
      datapaths: dps.map((d) => this.dpNames.get(d) ?? d),
      stageHint: hint,
      nbObjects,
    };
  }

  private nbObject(table: string, row: DbRow): NbObject {
    const router = table === 'NAT' ? this.owners.routerOfNat(row._uuid) : undefined;
    return { table, uuid: row._uuid, summary: nbSummary(table, row), row, owner: this.owners.ownerOf(table, row), router };
  }

  private sbSummary(table: SbRecord['table'], r: DbRow): string {
    switch (table) {
      case 'Port_Binding': {
        const ch = asList(r.chassis).map((c) => this.chassisNames.get(String(c)) ?? String(c));
        return `Port Binding: logical_port "${String(r.logical_port)}", tunnel_key ${String(r.tunnel_key)}` +
          `${ch.length ? `, chassis "${ch.join(',')}"` : ''}, datapath ${this.dpNames.get(String(r.datapath)) ?? String(r.datapath)}`;
      }
      case 'MAC_Binding':
        return `MAC Binding: ip "${String(r.ip)}", logical_port "${String(r.logical_port)}", mac "${String(r.mac)}"`;
      case 'Multicast_Group': {
        const ports = asList(r.ports).map((p) => this.pbNames.get(String(p)) ?? String(p));
        return `Multicast Group: name "${String(r.name)}", tunnel_key ${String(r.tunnel_key)} ports: (${ports.join(', ')})`;
      }
      case 'Chassis':
        return `Chassis: "${String(r.name)}" (${String(r.hostname)})`;
      case 'Load_Balancer':
        return `Load Balancer: ${String(r.name)} protocol ${String(r.protocol)}`;
    }
  }
}

function fmtList(v: DbRow[string]): string {
  return `[${asList(v).join(', ')}]`;
}

/** One line per NB row, in the words `ovn-detrace` uses, so users recognise it. */
export function nbSummary(table: string, r: DbRow): string {
  switch (table) {
    case 'ACL':
      return `ACL: ${String(r.direction)}, priority=${String(r.priority)}, match=(${String(r.match)}), ${String(r.action)}${r.log === true ? ' (log)' : ''}`;
    case 'DHCP_Options':
      return `DHCP Options: cidr ${String(r.cidr)}`;
    case 'Forwarding_Group':
      return `Forwarding Group: name ${String(r.name)} vip ${String(r.vip)}`;
    case 'Logical_Switch_Port':
      return `Logical Switch Port: ${String(r.name)} type ${String(r.type) || '""'} (addresses ${fmtList(r.addresses)}, security ${fmtList(r.port_security)})`;
    case 'Logical_Router_Port':
      return `Logical Router Port: ${String(r.name)} mac ${String(r.mac)} networks ${fmtList(r.networks)}`;
    case 'Logical_Router_Policy':
      return `Logical Router Policy: priority ${String(r.priority)} match ${String(r.match)} action ${String(r.action)} nexthop ${fmtList(r.nexthops ?? r.nexthop)}`;
    case 'Load_Balancer':
      return `Load Balancer: ${String(r.name)} protocol ${fmtList(r.protocol)}`;
    case 'NAT':
      return `NAT: external IP ${String(r.external_ip)} external_mac ${fmtList(r.external_mac)} logical_ip ${String(r.logical_ip)} logical_port ${fmtList(r.logical_port)} type ${String(r.type)}`;
    case 'Logical_Router_Static_Route':
      return `Route: ${String(r.ip_prefix)} via ${String(r.nexthop)} (port ${fmtList(r.output_port)}), policy=${fmtList(r.policy)}`;
    case 'QoS':
      return `QoS: priority ${String(r.priority)} direction ${String(r.direction)} match ${String(r.match)}`;
    default:
      return `${table} ${r._uuid}`;
  }
}

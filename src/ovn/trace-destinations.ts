// The IPs a trace from a port can go to, read from the NB database, for a picker instead of a
// blank box: the external IPs of NAT rules (EIPs and FIPs, the paths people debug most), the
// other ports' IPs, and the router ports (subnet gateways). Each says what owns the IP, so the
// user picks "EIP of vm1" rather than remembering 192.168.100.101.
import { asList, asMap } from './ctl-json';
import type { Tables } from './detrace';
import type { OvnTarget } from './ovn-target';
import { parseIpv4 } from './names';
import { parseLspAddress } from './trace-request';

export interface TraceDestination {
  ip: string;
  /** what owns the IP, e.g. "EIP → 10.16.0.15 (dnat_and_snat on ovn-cluster)" */
  owner: string;
  kind: 'nat' | 'port' | 'gateway';
  /** on the source port's own switch (no router hop) */
  sameSwitch: boolean;
}

/** The NB tables the picker needs, read through the target. */
export const DESTINATION_TABLES = ['Logical_Switch', 'Logical_Switch_Port', 'Logical_Router', 'Logical_Router_Port', 'NAT'];

export async function readTraceDestinations(target: OvnTarget, fromPort?: string): Promise<TraceDestination[]> {
  const rows = await Promise.all(DESTINATION_TABLES.map((t) => target.listRows('nb', t)));
  return traceDestinations(new Map(DESTINATION_TABLES.map((t, i) => [t, rows[i]])), fromPort);
}

/** NAT external IPs first, then ports on the source's switch, then other ports, then gateways. */
export function traceDestinations(nb: Tables, fromPort?: string): TraceDestination[] {
  const lsps = nb.get('Logical_Switch_Port') ?? [];
  const switchOf = switchOfPorts(nb);
  const from = lsps.find((p) => p.name === fromPort);
  const fromSwitch = from ? switchOf.get(from._uuid) : undefined;
  const out: TraceDestination[] = [];
  const seen = new Set<string>();
  const add = (d: TraceDestination) => {
    if (seen.has(d.ip)) return;
    seen.add(d.ip);
    out.push(d);
  };

  const routerOfNat = new Map<string, string>();
  for (const lr of nb.get('Logical_Router') ?? []) for (const n of asList(lr.nat)) routerOfNat.set(String(n), String(lr.name));
  for (const nat of nb.get('NAT') ?? []) {
    const type = String(nat.type);
    if (type !== 'dnat_and_snat' && type !== 'dnat') continue;
    const ip = String(nat.external_ip);
    if (!isIpv4(ip)) continue;
    const router = routerOfNat.get(nat._uuid);
    add({ ip, owner: `EIP → ${String(nat.logical_ip)} (${type}${router ? ` on ${router}` : ''})`, kind: 'nat', sameSwitch: false });
  }

  const ports: TraceDestination[] = [];
  for (const p of lsps) {
    if (p.name === fromPort || (p.type !== undefined && p.type !== '')) continue;
    const a = parseLspAddress(asList(p.addresses).map(String));
    if (!a?.ip) continue;
    const sw = switchOf.get(p._uuid);
    ports.push({ ip: a.ip, owner: `port ${String(p.name)}${sw ? ` on ${sw}` : ''}`, kind: 'port', sameSwitch: sw !== undefined && sw === fromSwitch });
  }
  ports.sort((x, y) => Number(y.sameSwitch) - Number(x.sameSwitch) || compareIp(x.ip, y.ip));
  ports.forEach(add);

  const gateways: TraceDestination[] = [];
  const lrpSwitch = new Map<string, string>();
  for (const p of lsps) {
    if (p.type !== 'router') continue;
    const lrp = asMap(p.options)['router-port'];
    const sw = switchOf.get(p._uuid);
    if (lrp && sw) lrpSwitch.set(lrp, sw);
  }
  for (const lrp of nb.get('Logical_Router_Port') ?? []) {
    for (const net of asList(lrp.networks)) {
      const ip = String(net).split('/')[0];
      if (!isIpv4(ip)) continue;
      const sw = lrpSwitch.get(String(lrp.name));
      gateways.push({ ip, owner: `router port ${String(lrp.name)}${sw ? ` (gateway of ${sw})` : ''}`, kind: 'gateway', sameSwitch: sw !== undefined && sw === fromSwitch });
    }
  }
  gateways.sort((x, y) => Number(y.sameSwitch) - Number(x.sameSwitch) || compareIp(x.ip, y.ip));
  gateways.forEach(add);
  return out;
}

/** A port a trace can start from: a VM's or pod's port (Kube-OVN names them `name.namespace`). */
export interface TraceSource {
  port: string;
  ip: string;
  /** e.g. "10.16.0.15 on ovn-default" */
  where: string;
}

export async function readTraceSources(target: OvnTarget): Promise<TraceSource[]> {
  const tables = ['Logical_Switch', 'Logical_Switch_Port'];
  const rows = await Promise.all(tables.map((t) => target.listRows('nb', t)));
  return traceSources(new Map(tables.map((t, i) => [t, rows[i]])));
}

/** The VM/pod ports with an IPv4 address, by switch then IP. */
export function traceSources(nb: Tables): TraceSource[] {
  const switchOf = switchOfPorts(nb);
  const out: (TraceSource & { sw: string })[] = [];
  for (const p of nb.get('Logical_Switch_Port') ?? []) {
    if (p.type !== undefined && p.type !== '') continue;
    const name = String(p.name);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\.[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) continue;
    const a = parseLspAddress(asList(p.addresses).map(String));
    if (!a?.ip) continue;
    const sw = switchOf.get(p._uuid) ?? '';
    out.push({ port: name, ip: a.ip, where: `${a.ip}${sw ? ` on ${sw}` : ''}`, sw });
  }
  out.sort((x, y) => x.sw.localeCompare(y.sw) || compareIp(x.ip, y.ip));
  return out.map(({ port, ip, where }) => ({ port, ip, where }));
}

/** Logical_Switch_Port uuid → the name of the switch that holds it. */
function switchOfPorts(nb: Tables): Map<string, string> {
  const out = new Map<string, string>();
  for (const ls of nb.get('Logical_Switch') ?? []) for (const p of asList(ls.ports)) out.set(String(p), String(ls.name));
  return out;
}

const isIpv4 = (s: string): boolean => parseIpv4(s) !== undefined;
const compareIp = (a: string, b: string): number => (parseIpv4(a) ?? 0) - (parseIpv4(b) ?? 0);

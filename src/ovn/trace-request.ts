// Builds a trace the way `kubectl ko trace` does: the source port's MAC and IP from its NB
// addresses, the destination MAC from the port owning the IP on the same switch or else the
// switch's router port (the subnet gateway), then one ovn-trace microflow and one
// ofproto/trace flow (in_port = the port's ofport on the chassis it is bound to).
import { asList, asMap, asOptional, type DbRow } from './ctl-json';
import { assertIpv4, assertOvnName, ipv4InCidr } from './names';
import type { Tables } from './detrace';

export type TraceProtocol = { kind: 'icmp' } | { kind: 'tcp'; port: number } | { kind: 'udp'; port: number };

export interface TraceEndpoints {
  port: string;
  datapath: string;
  srcMac: string;
  srcIp: string;
  dstIp: string;
  dstMac: string;
  /** how dstMac was chosen */
  dstMacFrom: string;
  protocol: TraceProtocol;
}

/** "0a:58:0a:10:00:0f 10.16.0.15 fd00::f" → mac + IPv4 */
export function parseLspAddress(addresses: string[]): { mac: string; ip?: string } | undefined {
  for (const a of addresses) {
    const parts = a.trim().split(/\s+/);
    if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(parts[0] ?? '')) {
      return { mac: parts[0].toLowerCase(), ip: parts.slice(1).find((p) => /^\d+\.\d+\.\d+\.\d+$/.test(p)) };
    }
  }
  return undefined;
}

export const SOURCE_PORT = 10000;

export function resolveTraceEndpoints(nb: Tables, port: string, dstIp: string, protocol: TraceProtocol): TraceEndpoints {
  assertOvnName('port', port);
  assertIpv4(dstIp);
  if (protocol.kind !== 'icmp' && !(Number.isInteger(protocol.port) && protocol.port > 0 && protocol.port < 65536)) {
    throw new Error(`invalid ${protocol.kind} port ${protocol.port}: use 1-65535`);
  }
  const lsps = nb.get('Logical_Switch_Port') ?? [];
  const lsp = lsps.find((p) => p.name === port);
  if (!lsp) {
    const near = lsps.map((p) => String(p.name)).filter((n) => n.split('.')[0] === port.split('.')[0]).slice(0, 3);
    throw new Error(`no logical switch port "${port}"${near.length ? `; did you mean ${near.join(', ')}?` : ' (Kube-OVN names VM ports <vm>.<namespace>)'}`);
  }
  const src = parseLspAddress(asList(lsp.addresses).map(String));
  if (!src?.ip) throw new Error(`port ${port} has no IPv4 address in its addresses (${asList(lsp.addresses).join(', ') || 'none'})`);
  const ls = (nb.get('Logical_Switch') ?? []).find((s) => asList(s.ports).includes(lsp._uuid));
  if (!ls) throw new Error(`port ${port} is on no logical switch`);
  const portsOfLs = new Set(asList(ls.ports).map(String));
  const swPorts = lsps.filter((p) => portsOfLs.has(p._uuid));
  const gw = gatewayOf(nb, swPorts);

  let dstMac: string | undefined;
  let dstMacFrom = '';
  const sameSubnet = gw ? ipv4InCidr(dstIp, gw.cidr) : true;
  if (sameSubnet) {
    for (const p of swPorts) {
      const a = parseLspAddress(asList(p.addresses).map(String));
      if (a?.ip === dstIp) {
        dstMac = a.mac;
        dstMacFrom = `port ${String(p.name)} owns ${dstIp}`;
        break;
      }
    }
    if (!dstMac && gw && dstIp === gw.ip) {
      dstMac = gw.mac;
      dstMacFrom = `gateway ${gw.lrp}`;
    }
    if (!dstMac) throw new Error(`no port on switch ${String(ls.name)} owns ${dstIp}: nothing answers ARP for it, so a packet to it would be dropped`);
  } else if (gw) {
    dstMac = gw.mac;
    dstMacFrom = `${dstIp} is outside ${gw.cidr}: to the gateway ${gw.lrp}`;
  }
  if (!dstMac) throw new Error(`switch ${String(ls.name)} has no router port: cannot route to ${dstIp}`);
  return { port, datapath: String(ls.name), srcMac: src.mac, srcIp: src.ip, dstIp, dstMac, dstMacFrom, protocol };
}

function gatewayOf(nb: Tables, swPorts: DbRow[]): { lrp: string; mac: string; ip: string; cidr: string } | undefined {
  for (const p of swPorts) {
    if (p.type !== 'router') continue;
    const lrpName = asMap(p.options)['router-port'];
    const lrp = (nb.get('Logical_Router_Port') ?? []).find((r) => r.name === lrpName);
    const net = asOptional(lrp?.networks);
    if (lrp && net) {
      const [ip, len] = net.split('/');
      return { lrp: String(lrp.name), mac: String(lrp.mac), ip, cidr: `${ip}/${len}` };
    }
  }
  return undefined;
}

/** The ovn-trace microflow for these endpoints. */
export function ovnMicroflow(e: TraceEndpoints): string {
  const l4 = e.protocol.kind === 'icmp'
    ? 'icmp4.type == 8'
    : `${e.protocol.kind}.src == ${SOURCE_PORT} && ${e.protocol.kind}.dst == ${e.protocol.port}`;
  return `inport == "${e.port}" && eth.src == ${e.srcMac} && ip4.src == ${e.srcIp} && eth.dst == ${e.dstMac} && ip4.dst == ${e.dstIp} && ip.ttl == 64 && ${l4}`;
}

/** The ofproto/trace flow for these endpoints entering at `ofport`. */
export function ofprotoFlow(e: TraceEndpoints, ofport: number): string {
  const l4 = e.protocol.kind === 'icmp'
    ? 'icmp,icmp_type=8,icmp_code=0'
    : `${e.protocol.kind},tp_src=${SOURCE_PORT},tp_dst=${e.protocol.port}`;
  return `in_port=${ofport},${l4},dl_src=${e.srcMac},dl_dst=${e.dstMac},nw_src=${e.srcIp},nw_dst=${e.dstIp},nw_ttl=64`;
}

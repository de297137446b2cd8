// `ovnlab trace` and the trace panel: ovn-trace + ofproto/trace + detrace in one answer.
// Reads the NB/SB snapshot through the OvnTarget, resolves the endpoints like `kubectl ko trace`,
// runs both traces on the node the source port is bound to, and explains every cookie.
import { asList, asMap, type DbRow } from './ctl-json';
import { Detracer, type CookieExplanation, type Tables } from './detrace';
import type { NatOwnerResolver } from './k8s-owner';
import type { OvnTarget } from './ovn-target';
import { ofprotoFlow, ovnMicroflow, resolveTraceEndpoints, type TraceEndpoints, type TraceProtocol } from './trace-request';
import { parseOvnTrace, type OvnTrace } from './ovn-trace';
import { parseOfprotoTrace, ofprotoSteps, type OfprotoTrace } from './ofproto-trace';

export const NB_TABLES = [
  'Logical_Switch', 'Logical_Switch_Port', 'Logical_Router', 'Logical_Router_Port', 'NAT', 'ACL',
  'Logical_Router_Policy', 'Logical_Router_Static_Route', 'Load_Balancer', 'DHCP_Options', 'QoS', 'Gateway_Chassis',
];
export const SB_TABLES = [
  'Logical_Flow', 'Port_Binding', 'Chassis', 'Encap', 'Datapath_Binding', 'Logical_DP_Group', 'MAC_Binding',
  'Multicast_Group', 'Load_Balancer',
];
export const OVS_TABLES = ['Bridge', 'Port', 'Interface'];

async function readTables(names: string[], read: (t: string) => Promise<DbRow[]>): Promise<Map<string, DbRow[]>> {
  const m = new Map<string, DbRow[]>();
  for (const t of names) m.set(t, await read(t));
  return m;
}

export interface TraceStep {
  /** line number in the ofproto/trace text */
  line: number;
  table: number;
  priority?: number;
  match: string;
  /** nesting of resubmits, 0 for the top level */
  depth: number;
  cookie?: string;
  explanation?: CookieExplanation;
}

export interface ChassisHop {
  node: string;
  /** why the packet reaches this node: "source port bound here", "geneve tunnel to 172.31.255.1" */
  via: string;
}

export interface TraceResult {
  endpoints: TraceEndpoints;
  node: string;
  ofport: number;
  microflow: string;
  ofprotoFlow: string;
  ovnTraceText: string;
  ofprotoText: string;
  ovnTrace: OvnTrace;
  ofproto: OfprotoTrace;
  steps: TraceStep[];
  datapathActions: string[];
  chassisHops: ChassisHop[];
  /** every distinct cookie of the OpenFlow steps, explained */
  cookies: CookieExplanation[];
}

const TUNNEL_DST = /(?:tunnel\(|tnl_push\().*?dst=(\d+\.\d+\.\d+\.\d+)/g;

/** Finds the node a port is bound to from the SB Port_Binding and Chassis rows. */
export function boundNode(sb: Tables, port: string): string | undefined {
  const pb = (sb.get('Port_Binding') ?? []).find((p) => p.logical_port === port);
  const ch = asList(pb?.chassis)[0];
  const chassis = (sb.get('Chassis') ?? []).find((c) => c._uuid === ch);
  // Kube-OVN's chassis name is a uuid and its hostname the node name; the local lab uses the node name for both
  return chassis ? String(chassis.hostname || chassis.name) : undefined;
}

export async function runTrace(target: OvnTarget, from: string, dstIp: string, protocol: TraceProtocol, opts: { natOwner?: NatOwnerResolver } = {}): Promise<TraceResult> {
  const nb = await readTables(NB_TABLES, (t) => target.listRows('nb', t));
  const sb = await readTables(SB_TABLES, (t) => target.listRows('sb', t));
  const endpoints = resolveTraceEndpoints(nb, from, dstIp, protocol);
  const node = boundNode(sb, from);
  if (!node) throw new Error(`port ${from} is not bound to any chassis: is its VM running (ovs Interface with external_ids:iface-id=${from})?`);
  const known = await target.nodes();
  if (!known.includes(node)) throw new Error(`port ${from} is bound to ${node}, which ${target.describe()} cannot reach (nodes: ${known.join(', ')})`);
  const ovs = await readTables(OVS_TABLES, (t) => target.listOvsRows(node, t));
  const iface = (ovs.get('Interface') ?? []).find((i) => asMap(i.external_ids)['iface-id'] === from);
  const ofport = Number(asList(iface?.ofport)[0]);
  if (!iface || !Number.isInteger(ofport) || ofport <= 0) throw new Error(`no OpenFlow port for ${from} on node ${node}`);

  const microflow = ovnMicroflow(endpoints);
  const flow = ofprotoFlow(endpoints, ofport);
  const ovnTraceText = await target.ovnTrace(endpoints.datapath, microflow);
  const ofprotoText = await target.ofprotoTrace(node, 'br-int', flow);

  const detracer = new Detracer({ nb, sb, ovs, natOwner: opts.natOwner });
  const ovnTrace = parseOvnTrace(ovnTraceText);
  const ofproto = parseOfprotoTrace(ofprotoText);
  const depthOf = stepDepths(ofproto);
  const cache = new Map<string, CookieExplanation>();
  const steps: TraceStep[] = ofprotoSteps(ofproto).map((st) => {
    let explanation: CookieExplanation | undefined;
    if (st.cookie) {
      const key = st.cookie.toLowerCase();
      explanation = cache.get(key) ?? detracer.explain(key);
      cache.set(key, explanation);
    }
    return { line: st.line, table: st.table, priority: st.priority, match: st.match, depth: depthOf.get(st.line) ?? 0, cookie: st.cookie, explanation };
  });
  const datapathActions = ofproto.passes.map((p) => p.datapathActions).filter((a): a is string => a !== undefined);
  return {
    endpoints, node, ofport, microflow, ofprotoFlow: flow, ovnTraceText, ofprotoText, ovnTrace, ofproto, steps, datapathActions,
    chassisHops: chassisHops(sb, node, datapathActions),
    cookies: [...cache.values()].filter((c) => c.logicalFlows.length > 0 || c.records.length > 0),
  };
}

/** Resubmit nesting of every step, keyed by its line number. */
function stepDepths(trace: OfprotoTrace): Map<number, number> {
  const depth = new Map<number, number>();
  const walk = (steps: OfprotoTrace['passes'][number]['bridges'][number]['steps'], d: number) => {
    for (const s of steps) {
      depth.set(s.line, d);
      for (const a of s.actions) walk(a.steps, d + 1);
    }
  };
  for (const p of trace.passes) for (const b of p.bridges) walk(b.steps, 0);
  return depth;
}

/** The source node, then every node a geneve tunnel in the datapath actions leads to. */
export function chassisHops(sb: Tables, sourceNode: string, datapathActions: string[]): ChassisHop[] {
  const hops: ChassisHop[] = [{ node: sourceNode, via: 'source port bound here' }];
  const byIp = new Map<string, string>();
  const chassis = sb.get('Chassis') ?? [];
  for (const e of sb.get('Encap') ?? []) {
    const c = chassis.find((x) => x.name === e.chassis_name);
    byIp.set(String(e.ip), String(c?.hostname || e.chassis_name));
  }
  for (const a of datapathActions) {
    for (const m of a.matchAll(TUNNEL_DST)) {
      const node = byIp.get(m[1]) ?? `unknown chassis at ${m[1]}`;
      if (!hops.some((h) => h.node === node)) hops.push({ node, via: `geneve tunnel to ${m[1]}` });
    }
  }
  return hops;
}

/** Plain-text rendering of a trace for the terminal, in the order a reader follows a packet. */
export function formatTrace(r: TraceResult): string {
  const out: string[] = [];
  const e = r.endpoints;
  out.push(`trace ${e.port} (${e.srcIp}, ${e.srcMac}) → ${e.dstIp} [${e.protocol.kind}${'port' in e.protocol ? ` ${e.protocol.port}` : ''}] on ${r.node}`);
  out.push(`  dst MAC ${e.dstMac}: ${e.dstMacFrom}`);
  out.push(`  chassis: ${r.chassisHops.map((h) => `${h.node} (${h.via})`).join(' → ')}`);
  out.push('', '== ovn-trace (logical) ==', r.ovnTraceText.trimEnd(), '', '== ofproto/trace on ' + r.node + ' (OpenFlow, detraced) ==');
  const lines = r.ofprotoText.split('\n');
  for (const s of r.steps) {
    const pad = ' '.repeat(s.depth * 4);
    out.push(pad + (lines[s.line - 1] ?? '').trim());
    for (const lf of s.explanation?.logicalFlows ?? []) {
      out.push(`${pad}  * Logical flow: table=${lf.table} (${lf.stage}), priority=${lf.priority}, match=(${lf.match}), actions=(${lf.actions}) [${lf.pipeline} ${lf.datapaths.join(',')}]`);
      for (const o of lf.nbObjects) {
        out.push(`${pad}   * ${o.summary}${o.router ? ` on router ${o.router}` : ''}`);
        if (o.owner) out.push(`${pad}     ↳ Kubernetes: ${o.owner.kinds.join('/')} ${o.owner.namespace ? o.owner.namespace + '/' : ''}${o.owner.name || '?'} (${o.owner.why})`);
      }
    }
    for (const rec of s.explanation?.records ?? []) out.push(`${pad}  * ${rec.summary}`);
  }
  out.push('', `Datapath actions: ${r.datapathActions.join(' | ')}`);
  return out.join('\n');
}

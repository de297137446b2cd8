// A trace as the Trace panel shows it: the logical path as hops (one per datapath pass) with their
// stages, each stage with the OpenFlow steps that ran for it (ofproto steps are matched to stages
// by cookie = the first 32 bits of the logical flow's uuid, which ovn-trace prints), chassis hops,
// datapath actions and the drops explained. Pure and serialisable (posted to the webview).
import { asList, type DbRow } from '../ovn/ctl-json';
import { cookieHex } from '../ovn/cookie-index';
import type { CookieExplanation, LogicalFlowInfo } from '../ovn/detrace';
import type { K8sOwner } from '../ovn/k8s-owner';
import type { OvnTraceNode, OvnTraceTable } from '../ovn/ovn-trace';
import type { TraceResult } from '../ovn/trace-run';
import type { FlowDetailView, PanelLink, TraceQuery } from './panel-messages';

export interface OfStepView {
  table: number;
  priority?: number;
  match: string;
  cookie?: string;
  depth: number;
}

export interface StageView {
  table: number;
  stage: string;
  priority: number;
  match: string;
  uuid: string;
  actions: string[];
  ofSteps: OfStepView[];
  nbObjects: FlowDetailView['logicalFlows'][number]['nbObjects'];
  drop: boolean;
}

export interface HopView {
  direction: 'ingress' | 'egress';
  datapath: string;
  kind: 'switch' | 'router' | 'datapath';
  inport?: string;
  outport?: string;
  branches: string[];
  stages: StageView[];
}

export interface TraceView {
  query: TraceQuery;
  title: string;
  node: string;
  endpoints: { srcIp: string; srcMac: string; dstIp: string; dstMac: string; dstMacFrom: string };
  chassisHops: { node: string; via: string }[];
  hops: HopView[];
  outcomes: string[];
  drops: string[];
  datapathActions: string[];
  /** OpenFlow steps whose cookie names no stage of the ovn-trace (e.g. physical tables, cookie 0) */
  unmatchedSteps: number;
  parseErrors: string[];
  ovnTraceText: string;
  ofprotoText: string;
}

export function ownerLabel(o: K8sOwner): string {
  return `${o.kinds.join('/')} ${o.namespace ? `${o.namespace}/` : ''}${o.name || '?'}`;
}

export function ownerLink(o: K8sOwner): PanelLink | undefined {
  if (!o.name) return undefined;
  return { kind: 'k8s', kinds: o.kinds, name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}) };
}

export function nbObjectsView(lf: LogicalFlowInfo): StageView['nbObjects'] {
  return lf.nbObjects.map((o) => ({
    table: o.table, uuid: o.uuid, summary: o.summary, router: o.router,
    owner: o.owner ? { label: ownerLabel(o.owner), why: o.owner.why, link: ownerLink(o.owner) } : undefined,
  }));
}

function actionsOf(children: OvnTraceNode[]): string[] {
  const out: string[] = [];
  for (const c of children) {
    if (c.kind === 'action') out.push(`${c.text};`);
    else if (c.kind === 'comment') out.push(`/* ${c.text} */`);
  }
  return out;
}

/** The datapath's kind, from the NB names Kube-OVN uses (a router is a Vpc, a switch a Subnet). */
function hopKind(datapath: string, stages: OvnTraceTable[]): HopView['kind'] {
  const s = stages[0]?.stage ?? '';
  if (s.startsWith('ls_')) return 'switch';
  if (s.startsWith('lr_')) return 'router';
  return datapath ? 'datapath' : 'datapath';
}

export function buildTraceView(query: TraceQuery, r: TraceResult): TraceView {
  // cookie (8 hex digits) → the OpenFlow steps carrying it, in trace order
  const byCookie = new Map<string, OfStepView[]>();
  const explained = new Map<string, CookieExplanation>();
  let matched = 0;
  const stagePrefixes = new Set(r.ovnTrace.hops.flatMap((h) => h.stages.map((s) => s.uuid.slice(0, 8))));
  for (const st of r.steps) {
    const key = st.cookie ? cookieHex(st.cookie).padStart(8, '0') : '';
    if (st.explanation) explained.set(key, st.explanation);
    if (!key || !stagePrefixes.has(key)) continue;
    matched++;
    const l = byCookie.get(key) ?? [];
    l.push({ table: st.table, priority: st.priority, match: st.match, cookie: st.cookie, depth: st.depth });
    byCookie.set(key, l);
  }
  // A logical flow can run in several passes (lr_in_admission on the way out and back in): each
  // occurrence takes the next OpenFlow step with its cookie, the last occurrence the rest.
  const occurrences = new Map<string, number>();
  for (const h of r.ovnTrace.hops) for (const s of h.stages) occurrences.set(s.uuid.slice(0, 8), (occurrences.get(s.uuid.slice(0, 8)) ?? 0) + 1);
  const takeSteps = (key: string): OfStepView[] => {
    const left = (occurrences.get(key) ?? 1) - 1;
    occurrences.set(key, left);
    const q = byCookie.get(key) ?? [];
    return left > 0 ? q.splice(0, 1) : q.splice(0);
  };
  const drops: string[] = [];
  const hops: HopView[] = r.ovnTrace.hops.map((h) => ({
    direction: h.direction, datapath: h.datapath, kind: hopKind(h.datapath, h.stages), inport: h.inport, outport: h.outport, branches: h.branches,
    stages: h.stages.map((s) => {
      const key = s.uuid.slice(0, 8);
      const actions = actionsOf(s.children);
      const drop = actions.includes('drop;');
      if (drop) drops.push(`dropped on ${h.datapath} (${h.direction}) in ${s.stage}, table ${s.table}: logical flow ${s.uuid} matched "${s.match}" at priority ${s.priority} and its action is drop`);
      const lf = explained.get(key)?.logicalFlows.find((x) => x.uuid.startsWith(s.uuid));
      return {
        table: s.table, stage: s.stage, priority: s.priority, match: s.match, uuid: s.uuid, actions,
        ofSteps: takeSteps(key), nbObjects: lf ? nbObjectsView(lf) : [], drop,
      };
    }),
  }));
  const outcomes = r.ovnTrace.outcomes.map((o) => {
    switch (o.kind) {
      case 'output': return `output to ${o.port}${o.type ? ` (${o.type})` : ''}${o.datapath ? ` on ${o.datapath}` : ''}`;
      case 'drop': return `drop${o.datapath ? ` on ${o.datapath}` : ''}${o.stage ? ` in ${o.stage}` : ''}`;
      case 'no-output': return `no output: ${o.reason}`;
    }
  });
  if (drops.length === 0 && r.ovnTrace.outcomes.some((o) => o.kind === 'drop')) drops.push('ovn-trace ends in a drop with no logical flow printed for it: the packet matched no flow of a stage (implicit drop)');
  for (const a of r.datapathActions) if (a.trim() === 'drop') drops.push(`OpenFlow on ${r.node} drops the packet (datapath actions: drop)`);
  const e = r.endpoints;
  return {
    query,
    title: `${e.port} → ${e.dstIp} ${query.protocol}${query.port ? ` ${query.port}` : ''}`,
    node: r.node,
    endpoints: { srcIp: e.srcIp, srcMac: e.srcMac, dstIp: e.dstIp, dstMac: e.dstMac, dstMacFrom: e.dstMacFrom },
    chassisHops: r.chassisHops,
    hops, outcomes, drops,
    datapathActions: r.datapathActions,
    unmatchedSteps: r.steps.length - matched,
    parseErrors: [...r.ovnTrace.errors.map((x) => `ovn-trace line ${x.line}: ${x.reason}`), ...r.ofproto.errors.map((x) => `ofproto/trace line ${x.line}: ${x.reason}`)],
    ovnTraceText: r.ovnTraceText,
    ofprotoText: r.ofprotoText,
  };
}

/** The logical port holding an IPv4 address (for the reply trace), from NB Logical_Switch_Port addresses. */
export function portOfIp(lsps: readonly DbRow[], ip: string): string | undefined {
  for (const p of lsps) {
    if (p.type !== undefined && String(p.type) !== '') continue;
    if (asList(p.addresses).some((a) => String(a).split(/\s+/).includes(ip))) return String(p.name);
  }
  return undefined;
}

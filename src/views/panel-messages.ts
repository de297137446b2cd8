// The messages between the Flows/Trace webviews and their hosts. The webview is untrusted input
// (a script that could be anything): every message the host receives goes through
// `parseFlowsRequest` / `parseTraceRequest` first, and anything malformed is refused with the
// reason instead of reaching a command line or an OVSDB read. No vscode import: unit-tested.

export type FlowGroupingChoice = 'none' | 'table' | 'stage' | 'block';
export type DeltaMode = 'refresh' | 'mark';

/** What a link in a detail or a trace opens. */
export type PanelLink =
  | { kind: 'k8s'; kinds: string[]; name: string; namespace?: string }
  | { kind: 'nb'; table: string; uuid: string };

/** Persisted by the webview (setState) and handed back to the serializer after a reload. */
export interface FlowsPanelState {
  node: string;
  bridge: string;
  filter: string;
  group: FlowGroupingChoice;
  intervalMs: number;
  paused: boolean;
  deltaMode: DeltaMode;
}

export type FlowsRequest =
  | { type: 'ready' }
  | { type: 'window'; start: number; count: number }
  | { type: 'filter'; text: string }
  | { type: 'group'; by: FlowGroupingChoice }
  | { type: 'toggleGroup'; key: string }
  | { type: 'pause'; paused: boolean }
  | { type: 'interval'; ms: number }
  | { type: 'mark' }
  | { type: 'deltaMode'; mode: DeltaMode }
  | { type: 'select'; id: number }
  | { type: 'open'; link: PanelLink };

/** One displayed row: a group header or a flow (id = the flow's index in the snapshot). */
export type FlowRowView =
  | { kind: 'group'; key: string; label: string; count: number; packets: number; delta: number; collapsed: boolean }
  | { kind: 'flow'; id: number; table: number; priority: number; cookie: string; match: string; actions: string; packets: number; delta: number; heat: number };

export interface FlowDetailView {
  id: number;
  flow: { table: number; priority: number; cookie: string; match: string; actions: string; packets: number; bytes: number; delta: number };
  stage?: string;
  logicalFlows: {
    uuid: string; pipeline: string; table: number; stage: string; priority: number; match: string; actions: string; datapaths: string[];
    nbObjects: { table: string; uuid: string; summary: string; router?: string; owner?: { label: string; why: string; link?: PanelLink } }[];
  }[];
  records: string[];
  note?: string;
}

export type FlowsMessage =
  | { type: 'init'; state: FlowsPanelState; target: string }
  | { type: 'status'; text: string; error?: string; paused: boolean; flowCount: number; hitCount: number; refreshedAt?: number }
  | { type: 'rows'; version: number; total: number; start: number; rows: FlowRowView[]; heat: number[] }
  | { type: 'filterError'; message: string; column: number }
  | { type: 'detail'; detail: FlowDetailView };

export type TraceProtocolChoice = 'icmp' | 'tcp' | 'udp';
export type TraceSlot = 'a' | 'b';

export interface TraceQuery {
  from: string;
  dst: string;
  protocol: TraceProtocolChoice;
  port?: number;
}

export interface TracePanelState {
  a?: TraceQuery;
  b?: TraceQuery;
}

export type TraceRequest =
  | { type: 'ready' }
  | { type: 'run'; slot: TraceSlot; query: TraceQuery }
  | { type: 'clear'; slot: TraceSlot }
  | { type: 'open'; link: PanelLink };

const GROUPINGS: readonly FlowGroupingChoice[] = ['none', 'table', 'stage', 'block'];
const DELTA_MODES: readonly DeltaMode[] = ['refresh', 'mark'];
const PROTOCOLS: readonly TraceProtocolChoice[] = ['icmp', 'tcp', 'udp'];
/** Kubernetes names, OVN port names (vm.ns), node names: no spaces, quotes or shell characters */
const NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,252})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const NB_TABLE = /^[A-Z][A-Za-z_]{1,40}$/;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

export function isName(v: unknown): v is string {
  return typeof v === 'string' && NAME.test(v);
}

export function isIpv4(v: unknown): v is string {
  return typeof v === 'string' && IPV4.test(v);
}

export function parseLink(v: unknown): Parsed<PanelLink> {
  if (!isRecord(v)) return fail('link: not an object');
  if (v.kind === 'k8s') {
    if (!Array.isArray(v.kinds) || v.kinds.length === 0 || v.kinds.length > 8 || !v.kinds.every((k) => typeof k === 'string' && /^[A-Za-z]{1,64}$/.test(k))) return fail('link: bad kinds');
    if (!isName(v.name)) return fail('link: bad name');
    if (v.namespace !== undefined && !isName(v.namespace)) return fail('link: bad namespace');
    return ok({ kind: 'k8s', kinds: v.kinds as string[], name: v.name, ...(v.namespace !== undefined ? { namespace: v.namespace as string } : {}) });
  }
  if (v.kind === 'nb') {
    if (typeof v.table !== 'string' || !NB_TABLE.test(v.table)) return fail('link: bad NB table');
    if (typeof v.uuid !== 'string' || !UUID.test(v.uuid)) return fail('link: bad uuid');
    return ok({ kind: 'nb', table: v.table, uuid: v.uuid });
  }
  return fail(`link: unknown kind ${String(v.kind)}`);
}

/** Validates a message from the Flows webview. */
export function parseFlowsRequest(v: unknown): Parsed<FlowsRequest> {
  if (!isRecord(v) || typeof v.type !== 'string') return fail('message without a type');
  switch (v.type) {
    case 'ready':
    case 'mark':
      return ok({ type: v.type });
    case 'window':
      if (!isInt(v.start, 0, 10_000_000) || !isInt(v.count, 0, 2000)) return fail('window: start must be an integer ≥ 0 and count 0..2000');
      return ok({ type: 'window', start: v.start, count: v.count });
    case 'filter':
      if (typeof v.text !== 'string' || v.text.length > 2000) return fail('filter: text must be a string of at most 2000 characters');
      return ok({ type: 'filter', text: v.text });
    case 'group':
      if (!GROUPINGS.includes(v.by as FlowGroupingChoice)) return fail(`group: by must be one of ${GROUPINGS.join(', ')}`);
      return ok({ type: 'group', by: v.by as FlowGroupingChoice });
    case 'toggleGroup':
      if (typeof v.key !== 'string' || v.key.length > 4000) return fail('toggleGroup: bad key');
      return ok({ type: 'toggleGroup', key: v.key });
    case 'pause':
      if (typeof v.paused !== 'boolean') return fail('pause: paused must be a boolean');
      return ok({ type: 'pause', paused: v.paused });
    case 'interval':
      if (!isInt(v.ms, 250, 60_000)) return fail('interval: ms must be an integer 250..60000');
      return ok({ type: 'interval', ms: v.ms });
    case 'deltaMode':
      if (!DELTA_MODES.includes(v.mode as DeltaMode)) return fail('deltaMode: mode must be refresh or mark');
      return ok({ type: 'deltaMode', mode: v.mode as DeltaMode });
    case 'select':
      if (!isInt(v.id, 0, 10_000_000)) return fail('select: id must be a row id');
      return ok({ type: 'select', id: v.id });
    case 'open': {
      const l = parseLink(v.link);
      return l.ok ? ok({ type: 'open', link: l.value }) : l;
    }
    default:
      return fail(`unknown message type ${v.type}`);
  }
}

export function parseTraceQuery(v: unknown): Parsed<TraceQuery> {
  if (!isRecord(v)) return fail('query: not an object');
  if (!isName(v.from) || !String(v.from).includes('.')) return fail('from: a logical port name like testvm.default (VM name.namespace)');
  if (!isIpv4(v.dst)) return fail('destination: an IPv4 address like 192.168.100.101');
  if (!PROTOCOLS.includes(v.protocol as TraceProtocolChoice)) return fail('protocol: icmp, tcp or udp');
  const protocol = v.protocol as TraceProtocolChoice;
  if (protocol === 'icmp') return ok({ from: v.from, dst: v.dst, protocol });
  if (!isInt(v.port, 1, 65535)) return fail(`port: ${protocol} needs a port 1..65535`);
  return ok({ from: v.from, dst: v.dst, protocol, port: v.port });
}

/** Validates a message from the Trace webview. */
export function parseTraceRequest(v: unknown): Parsed<TraceRequest> {
  if (!isRecord(v) || typeof v.type !== 'string') return fail('message without a type');
  const slotOk = v.slot === 'a' || v.slot === 'b';
  switch (v.type) {
    case 'ready':
      return ok({ type: 'ready' });
    case 'run': {
      if (!slotOk) return fail('run: slot must be a or b');
      const q = parseTraceQuery(v.query);
      return q.ok ? ok({ type: 'run', slot: v.slot as TraceSlot, query: q.value }) : q;
    }
    case 'clear':
      if (!slotOk) return fail('clear: slot must be a or b');
      return ok({ type: 'clear', slot: v.slot as TraceSlot });
    case 'open': {
      const l = parseLink(v.link);
      return l.ok ? ok({ type: 'open', link: l.value }) : l;
    }
    default:
      return fail(`unknown message type ${v.type}`);
  }
}

/** The persisted Flows state, or defaults for what is missing or malformed (state is webview data too). */
export function parseFlowsState(v: unknown, fallbackNode?: string): FlowsPanelState | undefined {
  const r = isRecord(v) ? v : {};
  const node = isName(r.node) ? r.node : fallbackNode;
  if (!node) return undefined;
  return {
    node,
    bridge: isName(r.bridge) ? r.bridge : 'br-int',
    filter: typeof r.filter === 'string' && r.filter.length <= 2000 ? r.filter : '',
    group: GROUPINGS.includes(r.group as FlowGroupingChoice) ? (r.group as FlowGroupingChoice) : 'none',
    intervalMs: isInt(r.intervalMs, 250, 60_000) ? r.intervalMs : 1000,
    paused: r.paused === true,
    deltaMode: r.deltaMode === 'mark' ? 'mark' : 'refresh',
  };
}

export function parseTraceState(v: unknown): TracePanelState {
  const r = isRecord(v) ? v : {};
  const out: TracePanelState = {};
  for (const s of ['a', 'b'] as const) {
    const q = parseTraceQuery(r[s]);
    if (q.ok) out[s] = q.value;
  }
  return out;
}

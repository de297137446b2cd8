// Parser for `ovs-ofctl dump-flows` output (OpenFlow 1.0 to 1.5, with or without `--names`
// and `--no-stats`), built to read 100k-flow dumps quickly:
//  - each line is cut once: the `actions=` boundary, then the stats words before the match;
//  - the match field list and the top-level action list are split lazily, on first access,
//    because a counter diff only needs the raw match and actions strings;
//  - a reader takes chunks (`push`) so a dump can be parsed while it streams in.
// Every line that is not a flow or a reply header is reported with its line number.

/** One `field=value` of a match; protocol shorthands such as `ip` or `tcp` have no value. */
export interface MatchField {
  field: string;
  value?: string;
}

export interface Flow {
  /** 1-based line number in the dump */
  line: number;
  /** as printed, e.g. "0x3b3ccb6f"; "0x0" when the dump omitted it (--no-stats prints no zero cookie) */
  cookie: string;
  table: number;
  /** OpenFlow priority; 32768 (the default) when the dump does not print one */
  priority: number;
  /** seconds; undefined with --no-stats */
  duration?: number;
  nPackets?: number;
  nBytes?: number;
  idleAge?: number;
  hardAge?: number;
  idleTimeout?: number;
  hardTimeout?: number;
  importance?: number;
  /** flow-mod flags printed as words: send_flow_rem, check_overlap, reset_counts, no_packet_counts, no_byte_counts */
  flags: string[];
  /** the match as printed, without the leading `priority=N`; "" matches everything */
  match: string;
  /** the actions as printed after `actions=` */
  actions: string;
  /** the match split into fields, in printed order (computed on first access) */
  readonly matchFields: MatchField[];
  /** the top-level actions (`ct(commit,nat(src=…))` stays one action), computed on first access */
  readonly actionList: string[];
}

export interface FlowParseError {
  line: number;
  text: string;
  reason: string;
}

export interface FlowDump {
  flows: Flow[];
  errors: FlowParseError[];
}

export const DEFAULT_PRIORITY = 32768;

const FLAG_WORDS = new Set(['send_flow_rem', 'check_overlap', 'reset_counts', 'no_packet_counts', 'no_byte_counts']);

class ParsedFlow implements Flow {
  line = 0;
  cookie = '0x0';
  table = 0;
  priority = DEFAULT_PRIORITY;
  duration?: number;
  nPackets?: number;
  nBytes?: number;
  idleAge?: number;
  hardAge?: number;
  idleTimeout?: number;
  hardTimeout?: number;
  importance?: number;
  flags: string[] = [];
  match = '';
  actions = '';
  #fields?: MatchField[];
  #actionList?: string[];

  get matchFields(): MatchField[] {
    this.#fields ??= splitMatch(this.match);
    return this.#fields;
  }

  get actionList(): string[] {
    this.#actionList ??= splitActions(this.actions);
    return this.#actionList;
  }

  toJSON(): Record<string, unknown> {
    return {
      line: this.line, cookie: this.cookie, table: this.table, priority: this.priority,
      duration: this.duration, nPackets: this.nPackets, nBytes: this.nBytes,
      idleAge: this.idleAge, hardAge: this.hardAge, idleTimeout: this.idleTimeout, hardTimeout: this.hardTimeout,
      importance: this.importance, flags: this.flags,
      match: this.match, matchFields: this.matchFields, actions: this.actions, actionList: this.actionList,
    };
  }
}

/** True for the `NXST_FLOW reply (xid=0x4):` / `OFPST_FLOW reply (OF1.3) (xid=0x2):` lines big dumps repeat. */
export function isReplyHeader(trimmed: string): boolean {
  return (trimmed.startsWith('NXST_FLOW reply') || trimmed.startsWith('OFPST_FLOW reply')) && trimmed.includes(':');
}

/**
 * Parses one dump line. Returns a Flow, `undefined` for blank and header lines, or a reason string
 * when the line is not a flow.
 */
export function parseFlowLine(raw: string, lineNo: number): Flow | undefined | string {
  // tolerate CRLF and leading indentation (ovs-ofctl prints one space)
  let end = raw.length;
  if (end > 0 && raw.charCodeAt(end - 1) === 13) end--;
  let start = 0;
  while (start < end && raw.charCodeAt(start) === 32) start++;
  if (start === end) return undefined;
  const line = start === 0 && end === raw.length ? raw : raw.slice(start, end);
  const c0 = line.charCodeAt(0);
  if ((c0 === 78 || c0 === 79) && isReplyHeader(line)) return undefined; // 'N' or 'O'

  const act = findActions(line);
  if (act < 0) return 'no "actions=" in this line: not a flow (truncated line or other output?)';
  const f = new ParsedFlow();
  f.line = lineNo;
  f.actions = line.slice(act + 8);
  if (f.actions.length === 0) return 'empty actions';

  // stats words: `key=value,` pairs and bare flag words, then the match
  let p = 0;
  const headEnd = act;
  let matchStart = -1;
  while (p < headEnd) {
    while (p < headEnd && line.charCodeAt(p) === 32) p++;
    if (p >= headEnd) break;
    let q = line.indexOf(' ', p);
    if (q < 0 || q > headEnd) q = headEnd;
    const token = line.slice(p, q);
    const eq = token.indexOf('=');
    const comma = token.length > 0 && token.charCodeAt(token.length - 1) === 44;
    if (eq < 0) {
      if (FLAG_WORDS.has(token)) {
        f.flags.push(token);
        p = q;
        continue;
      }
      matchStart = p;
      break;
    }
    if (!comma) {
      matchStart = p;
      break;
    }
    const key = token.slice(0, eq);
    const value = token.slice(eq + 1, token.length - 1);
    let bad = false;
    switch (key) {
      case 'cookie':
        bad = !/^0x[0-9a-fA-F]+$/.test(value);
        f.cookie = value;
        break;
      case 'duration': {
        const v = value.endsWith('s') ? Number(value.slice(0, -1)) : Number.NaN;
        bad = Number.isNaN(v);
        f.duration = v;
        break;
      }
      case 'table': {
        const v = toInt(value);
        if (v === undefined) return `bad table "${value}" (named tables are not supported: dump without --names or with numeric tables)`;
        f.table = v;
        break;
      }
      case 'n_packets': bad = (f.nPackets = toInt(value)) === undefined; break;
      case 'n_bytes': bad = (f.nBytes = toInt(value)) === undefined; break;
      case 'idle_age': bad = (f.idleAge = toInt(value)) === undefined; break;
      case 'hard_age': bad = (f.hardAge = toInt(value)) === undefined; break;
      case 'idle_timeout': bad = (f.idleTimeout = toInt(value)) === undefined; break;
      case 'hard_timeout': bad = (f.hardTimeout = toInt(value)) === undefined; break;
      case 'importance': bad = (f.importance = toInt(value)) === undefined; break;
      default:
        // a match field that ends in a comma cannot happen; anything else unknown is the match
        matchStart = p;
    }
    if (matchStart >= 0) break;
    if (bad) return `bad ${key} value "${value}"`;
    p = q;
  }
  if (matchStart >= 0) {
    let m = line.slice(matchStart, headEnd);
    if (m.charCodeAt(m.length - 1) === 32) m = m.trimEnd();
    if (m.charCodeAt(m.length - 1) === 44) m = m.slice(0, -1);
    if (m.startsWith('priority=')) {
      const c = m.indexOf(',');
      const pv = toInt(c < 0 ? m.slice(9) : m.slice(9, c));
      if (pv === undefined) return `bad priority in "${m}"`;
      f.priority = pv;
      m = c < 0 ? '' : m.slice(c + 1);
    }
    if (m.indexOf(' ') >= 0 && m.indexOf('"') < 0) return `unexpected text in the match: "${m}"`;
    f.match = m;
  }
  return f;
}

/** Index of `actions=` that starts the actions (after a space or at the line start), -1 if none. */
function findActions(line: string): number {
  let i = line.indexOf('actions=');
  while (i >= 0) {
    if (i === 0 || line.charCodeAt(i - 1) === 32) {
      // a quoted port name before it could contain the text: fall back to a quote-aware scan
      const quote = line.indexOf('"');
      if (quote < 0 || quote > i) return i;
      return findActionsQuoted(line);
    }
    i = line.indexOf('actions=', i + 1);
  }
  return -1;
}

function findActionsQuoted(line: string): number {
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34) inQuote = !inQuote;
    else if (!inQuote && c === 97 && (i === 0 || line.charCodeAt(i - 1) === 32) && line.startsWith('actions=', i)) return i;
  }
  return -1;
}

function toInt(s: string): number | undefined {
  if (s.length === 0) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(s);
}

/** Splits a match on top-level commas (quoted port names may hold commas). */
export function splitMatch(match: string): MatchField[] {
  if (match.length === 0) return [];
  const out: MatchField[] = [];
  for (const part of splitTopLevel(match)) {
    const eq = part.indexOf('=');
    out.push(eq < 0 ? { field: part } : { field: part.slice(0, eq), value: part.slice(eq + 1) });
  }
  return out;
}

/**
 * Splits an action string on the commas that are not inside parentheses or quotes:
 * `ct(commit,zone=NXM_NX_REG13[0..15],nat(src=10.0.0.1)),resubmit(,8)` gives two actions.
 */
export function splitActions(actions: string): string[] {
  return splitTopLevel(actions);
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inQuote = false;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) inQuote = !inQuote;
    else if (inQuote) continue;
    else if (c === 40) depth++;
    else if (c === 41) depth--;
    else if (c === 44 && depth === 0) {
      out.push(s.slice(from, i));
      from = i + 1;
    }
  }
  if (from < s.length) out.push(s.slice(from));
  return out;
}

/** The name of an action: `resubmit` for `resubmit(,8)`, `load` for `load:0x1->NXM_NX_REG14[]`, `drop` for `drop`. */
export function actionName(action: string): string {
  for (let i = 0; i < action.length; i++) {
    const c = action.charCodeAt(i);
    if (c === 40 || c === 58) return action.slice(0, i);
  }
  return action;
}

/** Incremental reader: feed chunks as they arrive, call end() for the result. */
export class FlowDumpReader {
  readonly flows: Flow[] = [];
  readonly errors: FlowParseError[] = [];
  #partial = '';
  #lineNo = 0;

  push(chunk: string): void {
    const text = this.#partial.length > 0 ? this.#partial + chunk : chunk;
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      this.#line(text.slice(from, nl));
      from = nl + 1;
    }
    this.#partial = from === 0 ? text : text.slice(from);
  }

  end(): FlowDump {
    if (this.#partial.length > 0) {
      this.#line(this.#partial);
      this.#partial = '';
    }
    return { flows: this.flows, errors: this.errors };
  }

  #line(raw: string): void {
    const n = ++this.#lineNo;
    const r = parseFlowLine(raw, n);
    if (r === undefined) return;
    if (typeof r === 'string') this.errors.push({ line: n, text: raw, reason: r });
    else this.flows.push(r);
  }
}

export function parseFlowDump(text: string): FlowDump {
  const r = new FlowDumpReader();
  r.push(text);
  return r.end();
}

/** The identity OpenFlow gives a flow: table, priority and match (cookie and actions may change). */
export function flowKey(f: Pick<Flow, 'table' | 'priority' | 'match'>): string {
  return `${f.table}/${f.priority}/${f.match}`;
}

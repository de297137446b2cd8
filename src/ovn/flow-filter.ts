// The Flows panel's filter language, compiled once into a predicate so filtering 100k flows
// stays cheap:  n_packets>0 && nw_dst=192.168.100.101 && table=12,  actions~=ct(,
// !(table=0) || priority>=100,  a bare word matches the match or actions text.
// Fields: table, priority, cookie, n_packets, n_bytes, delta (packets since the last refresh),
// duration, match, actions, stage (the OVN stage of the cookie's logical flow, when known), and
// any match field (nw_dst, in_port, reg15, metadata…). Operators: = == != > >= < <= ~= (contains).
import type { Flow } from './flow-dump';

export interface FilterContext {
  /** Δ packets since the last refresh, when known */
  delta?(f: Flow): number | undefined;
  /** OVN stage name for the flow's cookie, when known */
  stage?(f: Flow): string | undefined;
}

export type FlowPredicate = (f: Flow) => boolean;

export class FilterSyntaxError extends Error {
  constructor(message: string, readonly column: number) {
    super(`${message} at column ${column + 1}`);
    this.name = 'FilterSyntaxError';
  }
}

type Tok = { kind: 'and' | 'or' | 'not' | 'lp' | 'rp'; at: number } | { kind: 'cmp'; field: string; op: string; value: string; at: number } | { kind: 'word'; text: string; at: number };

const OPS = ['~=', '==', '!=', '>=', '<=', '=', '>', '<'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t') { i++; continue; }
    if (src.startsWith('&&', i)) { out.push({ kind: 'and', at: i }); i += 2; continue; }
    if (src.startsWith('||', i)) { out.push({ kind: 'or', at: i }); i += 2; continue; }
    if (c === '!' && src[i + 1] !== '=') { out.push({ kind: 'not', at: i }); i++; continue; }
    if (c === '(') { out.push({ kind: 'lp', at: i }); i++; continue; }
    if (c === ')') { out.push({ kind: 'rp', at: i }); i++; continue; }
    // a term runs to the next top-level space, && or ||; its value may hold parentheses (actions~=ct()
    const start = i;
    let depth = 0;
    while (i < src.length) {
      const d = src[i];
      if (depth === 0 && (d === ' ' || d === '\t' || src.startsWith('&&', i) || src.startsWith('||', i))) break;
      if (d === '(') depth++;
      else if (d === ')') {
        if (depth === 0) break;
        depth--;
      }
      i++;
    }
    const term = src.slice(start, i);
    const m = /^([A-Za-z_][A-Za-z0-9_.[\]]*)\s*(~=|==|!=|>=|<=|=|>|<)(.*)$/.exec(term);
    if (m && OPS.includes(m[2])) {
      if (m[3] === '') throw new FilterSyntaxError(`"${m[1]}${m[2]}" needs a value`, start);
      out.push({ kind: 'cmp', field: m[1], op: m[2], value: m[3], at: start });
    } else {
      out.push({ kind: 'word', text: term, at: start });
    }
  }
  return out;
}

function num(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const n = /^0x[0-9a-f]+$/i.test(s) ? Number.parseInt(s, 16) : Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function compare(actual: string | number | undefined, op: string, want: string): boolean {
  if (actual === undefined) return op === '!=';
  if (op === '~=') return String(actual).includes(want);
  const a = typeof actual === 'number' ? actual : num(actual);
  const w = num(want);
  if (a !== undefined && w !== undefined) {
    switch (op) {
      case '=': case '==': return a === w;
      case '!=': return a !== w;
      case '>': return a > w;
      case '>=': return a >= w;
      case '<': return a < w;
      case '<=': return a <= w;
    }
  }
  const s = String(actual);
  switch (op) {
    case '=': case '==': return s === want;
    case '!=': return s !== want;
    case '>': return s > want;
    case '>=': return s >= want;
    case '<': return s < want;
    case '<=': return s <= want;
  }
  return false;
}

function fieldGetter(field: string, ctx: FilterContext): (f: Flow) => string | number | undefined {
  switch (field) {
    case 'table': return (f) => f.table;
    case 'priority': return (f) => f.priority;
    case 'cookie': return (f) => num(f.cookie);
    case 'n_packets': case 'packets': return (f) => f.nPackets;
    case 'n_bytes': case 'bytes': return (f) => f.nBytes;
    case 'duration': return (f) => f.duration;
    case 'delta': return (f) => ctx.delta?.(f);
    case 'stage': return (f) => ctx.stage?.(f);
    case 'match': return (f) => f.match;
    case 'actions': return (f) => f.actions;
    default:
      // a match field: its printed value ("" for a bare field like `ip` or `arp`)
      return (f) => {
        for (const m of f.matchFields) if (m.field === field) return m.value ?? '';
        return undefined;
      };
  }
}

/** Compiles a filter; an empty filter keeps every flow. Throws FilterSyntaxError with the column. */
export function compileFlowFilter(src: string, ctx: FilterContext = {}): FlowPredicate {
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos];
  const parseOr = (): FlowPredicate => {
    let left = parseAnd();
    while (peek()?.kind === 'or') {
      pos++;
      const l = left, r = parseAnd();
      left = (f) => l(f) || r(f);
    }
    return left;
  };
  const parseAnd = (): FlowPredicate => {
    let left = parseUnary();
    // two terms side by side mean "and", like a search box
    while (peek() && (peek().kind === 'and' || peek().kind === 'cmp' || peek().kind === 'word' || peek().kind === 'not' || peek().kind === 'lp')) {
      if (peek().kind === 'and') pos++;
      const l = left, r = parseUnary();
      left = (f) => l(f) && r(f);
    }
    return left;
  };
  const parseUnary = (): FlowPredicate => {
    const t = toks[pos++];
    if (!t) throw new FilterSyntaxError('the filter ends where a term is expected', src.length);
    switch (t.kind) {
      case 'not': {
        const inner = parseUnary();
        return (f) => !inner(f);
      }
      case 'lp': {
        const inner = parseOr();
        if (toks[pos]?.kind !== 'rp') throw new FilterSyntaxError('missing ")"', toks[pos]?.at ?? src.length);
        pos++;
        return inner;
      }
      case 'cmp': {
        const get = fieldGetter(t.field, ctx);
        return (f) => compare(get(f), t.op, t.value);
      }
      case 'word':
        return (f) => f.match.includes(t.text) || f.actions.includes(t.text);
      default:
        throw new FilterSyntaxError(`unexpected "${src.slice(t.at, t.at + 2).trim()}"`, t.at);
    }
  };
  if (toks.length === 0) return () => true;
  const pred = parseOr();
  if (pos < toks.length) throw new FilterSyntaxError('unexpected text', toks[pos].at);
  return pred;
}

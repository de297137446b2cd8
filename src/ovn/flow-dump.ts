// Parser for `ovs-ofctl dump-flows` output (OpenFlow 1.0 to 1.5, with or without `--names`
// and `--no-stats`), built to read 100k-flow dumps quickly:
//  - each line is read once, in place in the dump text: the `actions=` boundary, then the stats
//    words before the match; numbers are read digit by digit, no token strings are made;
//  - rows go into typed-array columns (FlowColumns): a dump is a handful of arrays, not 100k
//    objects for the garbage collector to copy; a Flow is a two-field view of one row, and its
//    cookie, match and actions strings are sliced from the dump when asked for;
//  - the match field list and the top-level action list are split on first access, because a
//    counter diff only needs the raw match and actions;
//  - a reader takes chunks (`push`) so a dump can be parsed while it streams in.
// Every line that is not a flow or a reply header is reported with its line number.

/** One `field=value` of a match; protocol shorthands such as `ip` or `tcp` have no value. */
export interface MatchField {
  field: string;
  value?: string;
}

export interface Flow {
  /** 1-based line number in the dump */
  readonly line: number;
  /** as printed, e.g. "0x3b3ccb6f"; "0x0" when the dump omitted it (--no-stats prints no zero cookie) */
  readonly cookie: string;
  readonly table: number;
  /** OpenFlow priority; 32768 (the default) when the dump does not print one */
  readonly priority: number;
  /** seconds; undefined with --no-stats */
  readonly duration?: number;
  readonly nPackets?: number;
  readonly nBytes?: number;
  readonly idleAge?: number;
  readonly hardAge?: number;
  readonly idleTimeout?: number;
  readonly hardTimeout?: number;
  readonly importance?: number;
  /** flow-mod flags printed as words: send_flow_rem, check_overlap, reset_counts, no_packet_counts, no_byte_counts */
  readonly flags: readonly string[];
  /** the match as printed, without the leading `priority=N`; "" matches everything */
  readonly match: string;
  /** the actions as printed after `actions=` */
  readonly actions: string;
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

const FLAG_WORDS = ['send_flow_rem', 'check_overlap', 'reset_counts', 'no_packet_counts', 'no_byte_counts'];
/** shared by the flows without flags (almost all of them), replaced on the first flag */
const NO_FLAGS: readonly string[] = Object.freeze([]);

/** The rarely printed fields, kept out of the columns. */
interface RareFields {
  hardAge?: number;
  idleTimeout?: number;
  hardTimeout?: number;
  importance?: number;
  flags: readonly string[];
}

function grow<T extends Int32Array | Uint32Array | Float64Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * The flows of a dump as columns: row i is flow i. Spans point into the text the row was read
 * from (`text(i)`: the dump, or the chunk a streaming read got it in). Absent numbers are NaN.
 */
export class FlowColumns {
  count = 0;
  /** the texts rows were read from, and the first row read from each (most dumps: one text) */
  readonly chunks: string[] = [];
  readonly chunkFirstRow: number[] = [];
  line = new Int32Array(1024);
  table = new Int32Array(1024);
  priority = new Int32Array(1024);
  duration: Float64Array = new Float64Array(1024);
  nPackets: Float64Array = new Float64Array(1024);
  nBytes: Float64Array = new Float64Array(1024);
  idleAge: Float64Array = new Float64Array(1024);
  /** cookie span (start -1: no cookie printed, i.e. 0x0), match span, actions span */
  cookieStart = new Int32Array(1024);
  cookieEnd = new Int32Array(1024);
  /** the cookie's value as two 32-bit halves (0 when none printed), to compare without strings */
  cookieHi = new Uint32Array(1024);
  cookieLo = new Uint32Array(1024);
  matchStart = new Int32Array(1024);
  matchEnd = new Int32Array(1024);
  actionsStart = new Int32Array(1024);
  actionsEnd = new Int32Array(1024);
  /** timeouts, importance, hard_age and flag words of the few rows that print them */
  rare = new Map<number, RareFields>();

  /** Grows every column to hold at least `rows` rows. */
  reserve(rows: number): void {
    if (rows <= this.line.length) return;
    const n = rows;
    this.line = grow(this.line, n);
    this.table = grow(this.table, n);
    this.priority = grow(this.priority, n);
    this.duration = grow(this.duration, n);
    this.nPackets = grow(this.nPackets, n);
    this.nBytes = grow(this.nBytes, n);
    this.idleAge = grow(this.idleAge, n);
    this.cookieStart = grow(this.cookieStart, n);
    this.cookieEnd = grow(this.cookieEnd, n);
    this.cookieHi = grow(this.cookieHi, n);
    this.cookieLo = grow(this.cookieLo, n);
    this.matchStart = grow(this.matchStart, n);
    this.matchEnd = grow(this.matchEnd, n);
    this.actionsStart = grow(this.actionsStart, n);
    this.actionsEnd = grow(this.actionsEnd, n);
  }

  /** Makes room for row `count` and resets it; the parser fills it and then bumps `count`. */
  open(text: string, lineNo: number): number {
    const i = this.count;
    if (i === this.line.length) this.reserve(i * 2);
    const last = this.chunks.length - 1;
    if (last < 0 || this.chunks[last] !== text) {
      // a failed line may have opened this row with the previous text: forget that one
      if (last >= 0 && this.chunkFirstRow[last] === i) {
        this.chunks.pop();
        this.chunkFirstRow.pop();
      }
      this.chunks.push(text);
      this.chunkFirstRow.push(i);
    }
    this.line[i] = lineNo;
    this.table[i] = 0;
    this.priority[i] = DEFAULT_PRIORITY;
    this.duration[i] = Number.NaN;
    this.nPackets[i] = Number.NaN;
    this.nBytes[i] = Number.NaN;
    this.idleAge[i] = Number.NaN;
    this.cookieStart[i] = -1;
    this.cookieHi[i] = 0;
    this.cookieLo[i] = 0;
    this.matchStart[i] = 0;
    this.matchEnd[i] = 0;
    // a row is reopened only after a line failed half-way; it may have left rare fields
    if (this.rare.size !== 0) this.rare.delete(i);
    return i;
  }

  /** The text row i was read from. */
  text(i: number): string {
    const c = this.chunkFirstRow;
    if (c.length === 1 || i >= c[c.length - 1]) return this.chunks[c.length - 1];
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (c[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.chunks[lo];
  }

  rareOf(i: number): RareFields {
    let r = this.rare.get(i);
    if (r === undefined) this.rare.set(i, (r = { flags: NO_FLAGS }));
    return r;
  }

  cookie(i: number): string {
    const s = this.cookieStart[i];
    return s < 0 ? '0x0' : this.text(i).slice(s, this.cookieEnd[i]);
  }

  match(i: number): string {
    const s = this.matchStart[i];
    const e = this.matchEnd[i];
    return s === e ? '' : this.text(i).slice(s, e);
  }

  actions(i: number): string {
    return this.text(i).slice(this.actionsStart[i], this.actionsEnd[i]);
  }

  /** True when rows i (here) and j (of `other`) have the same match, compared in place. */
  sameMatch(i: number, other: FlowColumns, j: number): boolean {
    return sameSpan(this.text(i), this.matchStart[i], this.matchEnd[i], other.text(j), other.matchStart[j], other.matchEnd[j]);
  }

  sameCookie(i: number, other: FlowColumns, j: number): boolean {
    return this.cookieLo[i] === other.cookieLo[j] && this.cookieHi[i] === other.cookieHi[j];
  }

  sameActions(i: number, other: FlowColumns, j: number): boolean {
    return sameSpan(this.text(i), this.actionsStart[i], this.actionsEnd[i], other.text(j), other.actionsStart[j], other.actionsEnd[j]);
  }

  /**
   * True when rows i and j have the same match and the same actions: one compare of the line
   * from the match to the end (the text between them is ` actions=` in both when the matches agree).
   */
  sameMatchAndActions(i: number, other: FlowColumns, j: number): boolean {
    if (this.matchEnd[i] - this.matchStart[i] !== other.matchEnd[j] - other.matchStart[j]) return false;
    if (this.actionsStart[i] - this.matchStart[i] !== other.actionsStart[j] - other.matchStart[j]) return false;
    return sameSpan(this.text(i), this.matchStart[i], this.actionsEnd[i], other.text(j), other.matchStart[j], other.actionsEnd[j]);
  }

  /**
   * The same rows with other counters (a newer read of the same flow table, e.g. binary flow
   * statistics aligned row by row): every identity column and the text are shared, not copied.
   */
  withCounters(duration: Float64Array, nPackets: Float64Array, nBytes: Float64Array, idleAge: Float64Array): FlowColumns {
    if (duration.length < this.count || nPackets.length < this.count || nBytes.length < this.count || idleAge.length < this.count) {
      throw new RangeError(`counters for ${Math.min(duration.length, nPackets.length, nBytes.length, idleAge.length)} rows given to ${this.count} rows`);
    }
    const c = new FlowColumns();
    c.count = this.count;
    c.chunks.push(...this.chunks);
    c.chunkFirstRow.push(...this.chunkFirstRow);
    c.line = this.line;
    c.table = this.table;
    c.priority = this.priority;
    c.cookieStart = this.cookieStart;
    c.cookieEnd = this.cookieEnd;
    c.cookieHi = this.cookieHi;
    c.cookieLo = this.cookieLo;
    c.matchStart = this.matchStart;
    c.matchEnd = this.matchEnd;
    c.actionsStart = this.actionsStart;
    c.actionsEnd = this.actionsEnd;
    c.rare = this.rare;
    c.duration = duration;
    c.nPackets = nPackets;
    c.nBytes = nBytes;
    c.idleAge = idleAge;
    return c;
  }

  /**
   * Rows taken from other columns, segment after segment (e.g. the unchanged tables of the last
   * read with the re-read tables in between). Texts are shared, not copied.
   */
  static concat(segments: { from: FlowColumns; start: number; end: number }[]): FlowColumns {
    const c = new FlowColumns();
    c.reserve(Math.max(1024, segments.reduce((n, g) => n + g.end - g.start, 0)));
    for (const { from, start, end } of segments) {
      if (end <= start) continue;
      const at = c.count;
      const copy = <T extends Int32Array | Uint32Array | Float64Array>(dst: T, src: T) => dst.set(src.subarray(start, end), at);
      copy(c.line, from.line);
      copy(c.table, from.table);
      copy(c.priority, from.priority);
      copy(c.duration, from.duration);
      copy(c.nPackets, from.nPackets);
      copy(c.nBytes, from.nBytes);
      copy(c.idleAge, from.idleAge);
      copy(c.cookieStart, from.cookieStart);
      copy(c.cookieEnd, from.cookieEnd);
      copy(c.cookieHi, from.cookieHi);
      copy(c.cookieLo, from.cookieLo);
      copy(c.matchStart, from.matchStart);
      copy(c.matchEnd, from.matchEnd);
      copy(c.actionsStart, from.actionsStart);
      copy(c.actionsEnd, from.actionsEnd);
      // the texts of the segment: every chunk that starts before `end` and ends after `start`
      for (let k = 0; k < from.chunks.length; k++) {
        const first = from.chunkFirstRow[k];
        const next = k + 1 < from.chunks.length ? from.chunkFirstRow[k + 1] : from.count;
        if (next <= start || first >= end) continue;
        const row = at + Math.max(first, start) - start;
        if (c.chunks.length > 0 && c.chunks[c.chunks.length - 1] === from.chunks[k]) continue;
        c.chunks.push(from.chunks[k]);
        c.chunkFirstRow.push(row);
      }
      for (const [i, r] of from.rare) if (i >= start && i < end) c.rare.set(at + i - start, r);
      c.count += end - start;
    }
    return c;
  }

  /** True when `other` holds the very same rows (made by withCounters from one parse). */
  sharesRowsWith(other: FlowColumns): boolean {
    return this.count === other.count && this.matchStart === other.matchStart && this.actionsEnd === other.actionsEnd
      && this.chunks.length === other.chunks.length && this.chunks.every((t, k) => t === other.chunks[k]);
  }

  /** The Flow view of row i. */
  flow(i: number): Flow {
    return new FlowRow(this, i);
  }

  /** Every row as a Flow. */
  flows(): Flow[] {
    const out = new Array<Flow>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = new FlowRow(this, i);
    return out;
  }
}

function sameSpan(ta: string, as: number, ae: number, tb: string, bs: number, be: number): boolean {
  const len = ae - as;
  if (be - bs !== len) return false;
  // two throw-away slices compared with === beat startsWith(slice) and a char loop by 5-8x in V8
  return len === 0 || ta.slice(as, ae) === tb.slice(bs, be);
}

const orUndefined = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);

/** One row of FlowColumns seen as a Flow: two fields, everything else read from the columns. */
class FlowRow implements Flow {
  #lazy: { fields?: MatchField[]; actions?: string[] } | undefined = undefined;

  constructor(readonly columns: FlowColumns, readonly row: number) {}

  get line(): number { return this.columns.line[this.row]; }
  get table(): number { return this.columns.table[this.row]; }
  get priority(): number { return this.columns.priority[this.row]; }
  get duration(): number | undefined { return orUndefined(this.columns.duration[this.row]); }
  get nPackets(): number | undefined { return orUndefined(this.columns.nPackets[this.row]); }
  get nBytes(): number | undefined { return orUndefined(this.columns.nBytes[this.row]); }
  get idleAge(): number | undefined { return orUndefined(this.columns.idleAge[this.row]); }
  get hardAge(): number | undefined { return this.columns.rare.get(this.row)?.hardAge; }
  get idleTimeout(): number | undefined { return this.columns.rare.get(this.row)?.idleTimeout; }
  get hardTimeout(): number | undefined { return this.columns.rare.get(this.row)?.hardTimeout; }
  get importance(): number | undefined { return this.columns.rare.get(this.row)?.importance; }
  get flags(): readonly string[] { return this.columns.rare.get(this.row)?.flags ?? NO_FLAGS; }
  get cookie(): string { return this.columns.cookie(this.row); }
  get match(): string { return this.columns.match(this.row); }
  get actions(): string { return this.columns.actions(this.row); }

  get matchFields(): MatchField[] {
    const l = (this.#lazy ??= {});
    l.fields ??= splitMatch(this.match);
    return l.fields;
  }

  get actionList(): string[] {
    const l = (this.#lazy ??= {});
    l.actions ??= splitActions(this.actions);
    return l.actions;
  }

  toJSON(): Record<string, unknown> {
    return {
      line: this.line, cookie: this.cookie, table: this.table, priority: this.priority,
      duration: this.duration, nPackets: this.nPackets, nBytes: this.nBytes,
      idleAge: this.idleAge, hardAge: this.hardAge, idleTimeout: this.idleTimeout, hardTimeout: this.hardTimeout,
      importance: this.importance, flags: [...this.flags],
      match: this.match, matchFields: this.matchFields, actions: this.actions, actionList: this.actionList,
    };
  }
}

/** The row behind a Flow when it came from a parse, for in-place comparisons. */
export function flowRow(f: Flow): { columns: FlowColumns; row: number } | undefined {
  return f instanceof FlowRow ? f : undefined;
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
  const cols = new FlowColumns();
  const r = parseFlowSpan(cols, raw, 0, raw.length, lineNo, newScan());
  return typeof r === 'number' ? cols.flow(r) : r;
}

/**
 * Where the next `"` and `actions=` are in the text being parsed. Searching the whole text
 * again for every line would be quadratic when they are rare (no quotes without --names).
 */
interface Scan {
  quote: number;
  quoteFrom: number;
}

function newScan(): Scan {
  return { quote: -1, quoteFrom: Number.MAX_SAFE_INTEGER };
}

/** True when a `"` lies in text[from, to). */
function hasQuote(text: string, from: number, to: number, scan: Scan): boolean {
  if (from < scan.quoteFrom || (scan.quote >= 0 && scan.quote < from)) {
    scan.quoteFrom = from;
    scan.quote = text.indexOf('"', from);
  }
  return scan.quote >= 0 && scan.quote < to;
}

/**
 * Parses text[from, to) as one dump line into the next row of `cols`. Returns the row, undefined
 * for blank and header lines, or why the line is not a flow (the row is then not kept).
 */
function parseFlowSpan(cols: FlowColumns, text: string, from: number, to: number, lineNo: number, scan: Scan): number | undefined | string {
  // tolerate CRLF and leading indentation (ovs-ofctl prints one space)
  let end = to;
  if (end > from && text.charCodeAt(end - 1) === 13) end--;
  let start = from;
  while (start < end && text.charCodeAt(start) === 32) start++;
  if (start === end) return undefined;
  const c0 = text.charCodeAt(start);
  if ((c0 === 78 || c0 === 79) && isReplyHeader(text.slice(start, end))) return undefined; // 'N' or 'O'

  const f = cols.open(text, lineNo);
  const line = text;
  // One walk over the words: `key=value,` stats and bare flag words, then the match, then
  // `actions=`. Keys are recognised by first letter and length and numbers read in place, so
  // no token strings are made; the match is one word (quoted port names aside), so the actions
  // start right after it.
  let p = start;
  let matchStart = -1;
  let act = -1;
  while (p < end) {
    while (p < end && line.charCodeAt(p) === 32) p++;
    if (p >= end) break;
    if (line.charCodeAt(p) === 97 && spells(line, p, 'actions=')) {
      act = p; // no match printed: everything matches
      break;
    }
    let q = line.indexOf(' ', p);
    if (q < 0 || q > end) q = end;
    const eq = line.indexOf('=', p);
    if (eq < 0 || eq >= q || line.charCodeAt(q - 1) !== 44) {
      // no `key=value,`: a flag word, or the match starts here
      const flag = eq < 0 || eq >= q ? flagAt(line, p, q) : undefined;
      if (flag === undefined) {
        matchStart = p;
        act = q + 1 < end && spells(line, q + 1, 'actions=') ? q + 1 : findActions(line, p, end, scan);
        break;
      }
      const rare = cols.rareOf(f);
      rare.flags = [...rare.flags, flag];
      p = q;
      continue;
    }
    const key = statKey(line, p, eq);
    if (key === undefined) {
      matchStart = p;
      act = findActions(line, p, end, scan);
      break;
    }
    const vs = eq + 1;
    const ve = q - 1;
    if (key === 'cookie') {
      if (!readCookie(line, vs, ve, cols, f)) return `bad cookie value "${line.slice(vs, ve)}"`;
      cols.cookieStart[f] = vs;
      cols.cookieEnd[f] = ve;
    } else if (key === 'duration') {
      const v = line.charCodeAt(ve - 1) === 115 ? decimalAt(line, vs, ve - 1) : Number.NaN; // "1.948s"
      if (Number.isNaN(v)) return `bad duration value "${line.slice(vs, ve)}"`;
      cols.duration[f] = v;
    } else {
      const v = intAt(line, vs, ve);
      if (v < 0) {
        if (key === 'table') return `bad table "${line.slice(vs, ve)}" (named tables are not supported: dump with numeric tables)`;
        return `bad ${key} value "${line.slice(vs, ve)}"`;
      }
      switch (key) {
        case 'table': cols.table[f] = v; break;
        case 'n_packets': cols.nPackets[f] = v; break;
        case 'n_bytes': cols.nBytes[f] = v; break;
        case 'idle_age': cols.idleAge[f] = v; break;
        case 'hard_age': cols.rareOf(f).hardAge = v; break;
        case 'idle_timeout': cols.rareOf(f).idleTimeout = v; break;
        case 'hard_timeout': cols.rareOf(f).hardTimeout = v; break;
        case 'importance': cols.rareOf(f).importance = v; break;
      }
    }
    p = q;
  }
  if (act < 0) return 'no "actions=" in this line: not a flow (truncated line or other output?)';
  if (act + 8 >= end) return 'empty actions';
  cols.actionsStart[f] = act + 8;
  cols.actionsEnd[f] = end;
  if (matchStart >= 0) {
    let ms = matchStart;
    let me = act;
    while (me > ms && line.charCodeAt(me - 1) === 32) me--;
    if (me > ms && line.charCodeAt(me - 1) === 44) me--;
    if (spells(line, ms, 'priority=')) {
      let c = line.indexOf(',', ms);
      if (c < 0 || c > me) c = me;
      const pv = intAt(line, ms + 9, c);
      if (pv < 0 || pv > 65535) return `bad priority in "${line.slice(ms, me)}"`;
      cols.priority[f] = pv;
      ms = c < me ? c + 1 : me;
    }
    const sp = line.indexOf(' ', ms);
    if (sp >= 0 && sp < me && !hasQuote(line, ms, me, scan)) return `unexpected text in the match: "${line.slice(ms, me)}"`;
    cols.matchStart[f] = ms;
    cols.matchEnd[f] = me;
  }
  cols.count++;
  return f;
}

/** Index of the `actions=` that starts the actions of text[from, to) (after a space or at the start), -1 if none. */
function findActions(text: string, from: number, to: number, scan: Scan): number {
  let i = text.indexOf('actions=', from);
  while (i >= 0 && i + 8 <= to) {
    if (i === from || text.charCodeAt(i - 1) === 32) {
      // a quoted port name before it could contain the text: fall back to a quote-aware scan
      if (!hasQuote(text, from, i, scan)) return i;
      return findActionsQuoted(text, from, to);
    }
    i = text.indexOf('actions=', i + 1);
  }
  return -1;
}

function findActionsQuoted(text: string, from: number, to: number): number {
  let inQuote = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) inQuote = !inQuote;
    else if (!inQuote && c === 97 && (i === from || text.charCodeAt(i - 1) === 32) && spells(text, i, 'actions=') && i + 8 <= to) return i;
  }
  return -1;
}

type StatKey = 'cookie' | 'duration' | 'table' | 'n_packets' | 'n_bytes' | 'idle_age' | 'hard_age' | 'idle_timeout' | 'hard_timeout' | 'importance';

/**
 * True when `word` is spelled at line[at…]. A char loop: V8's startsWith(word, position) on a
 * multi-megabyte dump costs several times more (it was a third of the parse time).
 */
function spells(line: string, at: number, word: string): boolean {
  if (at + word.length > line.length) return false;
  for (let k = 0; k < word.length; k++) if (line.charCodeAt(at + k) !== word.charCodeAt(k)) return false;
  return true;
}

/** The stats key spelled at line[from, eq), found by first letter and length (one compare, no string made). */
function statKey(line: string, from: number, eq: number): StatKey | undefined {
  const len = eq - from;
  let k: StatKey;
  switch (line.charCodeAt(from)) {
    case 99: k = 'cookie'; break; // c
    case 100: k = 'duration'; break; // d
    case 116: k = 'table'; break; // t
    case 110: k = len === 9 ? 'n_packets' : 'n_bytes'; break; // n
    case 105: k = len === 8 ? 'idle_age' : len === 12 ? 'idle_timeout' : 'importance'; break; // i
    case 104: k = len === 8 ? 'hard_age' : 'hard_timeout'; break; // h
    default: return undefined;
  }
  return k.length === len && spells(line, from, k) ? k : undefined;
}

/** `12.345` in line[from, to) as a number, NaN if it is not a plain decimal. */
function decimalAt(line: string, from: number, to: number): number {
  if (to <= from) return Number.NaN;
  let n = 0;
  let i = from;
  for (; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c === 46) break;
    if (c < 48 || c > 57) return Number.NaN;
    n = n * 10 + (c - 48);
  }
  if (i === to) return n;
  let scale = 1;
  let frac = 0;
  for (i++; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
    frac = frac * 10 + (c - 48);
    scale *= 10;
  }
  // integer over a power of ten is one correctly rounded division: exactly Number("1.961")
  return scale === 1 ? n : (n * scale + frac) / scale;
}

function flagAt(line: string, from: number, to: number): string | undefined {
  for (const w of FLAG_WORDS) if (w.length === to - from && spells(line, from, w)) return w;
  return undefined;
}

/** Checks `0x…` (1 to 16 hex digits) in line[from, to) and stores its value in row f's cookie halves. */
function readCookie(line: string, from: number, to: number, cols: FlowColumns, f: number): boolean {
  const digits = to - from - 2;
  if (digits < 1 || digits > 16 || line.charCodeAt(from) !== 48 || line.charCodeAt(from + 1) !== 120) return false;
  let hi = 0;
  let lo = 0;
  for (let i = from + 2; i < to; i++) {
    const c = line.charCodeAt(i) | 32;
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else return false;
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | d) >>> 0;
  }
  cols.cookieHi[f] = hi;
  cols.cookieLo[f] = lo;
  return true;
}

/** Non-negative decimal integer in line[from, to), -1 if it is not one. */
function intAt(line: string, from: number, to: number): number {
  if (to <= from || to - from > 20) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
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

/** Incremental reader: feed chunks as they arrive, call end() (Flow objects) or columns(). */
export class FlowDumpReader {
  readonly cols = new FlowColumns();
  readonly errors: FlowParseError[] = [];
  #partial = '';
  #lineNo = 0;

  push(chunk: string): void {
    // the lines are parsed in place in the chunk; only an unfinished last line is kept
    const text = this.#partial.length > 0 ? this.#partial + chunk : chunk;
    // size the columns once from the first lines' length instead of doubling them again and again
    const sample = text.indexOf('\n', Math.min(text.length, 65536));
    if (sample > 0) {
      let lines = 0;
      for (let i = text.indexOf('\n'); i >= 0 && i <= sample; i = text.indexOf('\n', i + 1)) lines++;
      this.cols.reserve(this.cols.count + Math.ceil((text.length / (sample + 1)) * lines * 1.05) + 16);
    }
    const scan = newScan();
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl < 0) break;
      this.#span(text, from, nl, scan);
      from = nl + 1;
    }
    this.#partial = from === 0 ? text : text.slice(from);
  }

  /** The rows and errors, after the last line (the one without a final newline) is read. */
  columns(): { columns: FlowColumns; errors: FlowParseError[] } {
    if (this.#partial.length > 0) {
      this.#span(this.#partial, 0, this.#partial.length, newScan());
      this.#partial = '';
    }
    return { columns: this.cols, errors: this.errors };
  }

  end(): FlowDump {
    const { columns, errors } = this.columns();
    return { flows: columns.flows(), errors };
  }

  #span(text: string, from: number, to: number, scan: Scan): void {
    const n = ++this.#lineNo;
    const r = parseFlowSpan(this.cols, text, from, to, n, scan);
    if (typeof r === 'string') this.errors.push({ line: n, text: text.slice(from, to), reason: r });
  }
}

export function parseFlowDump(text: string): FlowDump {
  const r = new FlowDumpReader();
  r.push(text);
  return r.end();
}

/** The dump as columns, without a Flow object per row (the fastest way to diff two dumps). */
export function parseFlowColumns(text: string): { columns: FlowColumns; errors: FlowParseError[] } {
  const r = new FlowDumpReader();
  r.push(text);
  return r.columns();
}

/** The identity OpenFlow gives a flow: table, priority and match (cookie and actions may change). */
export function flowKey(f: Pick<Flow, 'table' | 'priority' | 'match'>): string {
  return `${f.table}/${f.priority}/${f.match}`;
}

// A line-oriented scanner for the block YAML that people write for Kubernetes: block maps and
// sequences (indentless ones too), one-line flow collections, quoted and plain one-line scalars,
// block scalars (`|`, `>`), comments, CRLF. It is ~30x faster than a full YAML parse, which is what
// lets lenses and diagnostics stay under the editor's budget on files with thousands of
// documents. Whenever it meets anything outside that subset (anchors, aliases, tags, multi-line
// flow or quoted scalars, plain-scalar continuation lines, complex keys, bad indentation) it
// returns undefined and the caller hands the document to the `yaml` package instead, so it
// never has to be right about the hard parts of YAML.
import type { YMap, YNode, YPair, YScalar, YSeq } from './yaml-tree';

/** One document region: from its `---` line (or the file start) up to the next marker line. */
export interface DocRegion {
  start: number;
  end: number;
}

const SP = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const HASH = 35;

function isMarkerAt(text: string, i: number, ch: string): boolean {
  if (text.charCodeAt(i) !== ch.charCodeAt(0) || !text.startsWith(ch.repeat(3), i)) return false;
  const c = text.charCodeAt(i + 3);
  return Number.isNaN(c) || c === SP || c === TAB || c === LF || c === CR;
}

/**
 * Splits a stream at `---` / `...` lines. A directive line (`%YAML`) makes the split unsafe, so it
 * returns undefined and the caller parses the whole stream with the `yaml` package.
 */
export function splitDocuments(text: string): DocRegion[] | undefined {
  const regions: DocRegion[] = [];
  let start = 0;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    const c = text.charCodeAt(pos);
    if (c === 37 /* % */) return undefined;
    if (pos > start && (isMarkerAt(text, pos, '-') || isMarkerAt(text, pos, '.'))) {
      regions.push({ start, end: pos });
      start = pos;
    }
    const nl = text.indexOf('\n', pos);
    pos = nl < 0 ? n : nl + 1;
  }
  regions.push({ start, end: n });
  return regions;
}

interface MapFrame {
  type: 'map';
  indent: number;
  node: YMap;
  pending: YPair | null;
}

interface SeqFrame {
  type: 'seq';
  indent: number;
  node: YSeq;
  pendingItem: boolean;
}

type Frame = MapFrame | SeqFrame;

interface BlockState {
  node: YScalar;
  parentIndent: number;
  folded: boolean;
  chomp: '' | '-' | '+';
  lines: { start: number; end: number; indent: number; blank: boolean }[];
}

class Decline extends Error {}

function decline(): never {
  throw new Decline();
}

/** Scans one document region; undefined means "not in the subset, use the yaml package". */
export function scanDocument(text: string, region: DocRegion): { root: YNode | null } | undefined {
  try {
    return { root: new Scanner(text).run(region) };
  } catch (e) {
    if (e instanceof Decline) return undefined;
    throw e;
  }
}

class Scanner {
  private stack: Frame[] = [];
  private root: YNode | null = null;
  private block: BlockState | null = null;
  private ended = false;

  constructor(private readonly text: string) {}

  run(region: DocRegion): YNode | null {
    const { text } = this;
    let pos = region.start;
    const n = region.end;
    let first = true;
    while (pos < n) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0 || nl > n) nl = n;
      let le = nl;
      if (le > pos && text.charCodeAt(le - 1) === CR) le--;
      this.line(pos, le, first);
      first = false;
      pos = nl + 1;
    }
    if (this.block) this.closeBlock();
    this.stack.length = 0;
    if (this.root) fixEnds(this.root);
    return this.root;
  }

  private line(ls: number, le: number, first: boolean): void {
    const { text } = this;
    let p = ls;
    while (p < le && text.charCodeAt(p) === SP) p++;
    const blank = p >= le || isBlankFrom(text, p, le);
    const col = p - ls;
    if (this.block) {
      if (blank || col > this.block.parentIndent) {
        this.block.lines.push({ start: ls, end: le, indent: col, blank });
        return;
      }
      this.closeBlock();
    }
    if (blank) return;
    const c = text.charCodeAt(p);
    if (c === HASH) return;
    if (c === TAB || this.ended) decline();
    if (col === 0 && (isMarkerAt(text, p, '-') || isMarkerAt(text, p, '.'))) {
      // only the region's own first line can be a marker, and only a comment may follow it;
      // after `...` (end of the previous document) nothing but comments may come
      if (!first) decline();
      if (text.charCodeAt(p) === 46 /* . */) this.ended = true;
      let q = p + 3;
      while (q < le && (text.charCodeAt(q) === SP || text.charCodeAt(q) === TAB)) q++;
      if (q < le && text.charCodeAt(q) !== HASH) decline();
      return;
    }
    this.entry(col, p, le);
  }

  private popTo(col: number): void {
    const s = this.stack;
    while (s.length > 0 && s[s.length - 1].indent > col) s.pop();
  }

  private entry(col: number, p: number, le: number): void {
    const { text } = this;
    const s = this.stack;
    this.popTo(col);
    const isDash = text.charCodeAt(p) === 45 /* - */ && (p + 1 >= le || text.charCodeAt(p + 1) === SP || text.charCodeAt(p + 1) === TAB);
    if (isDash) {
      let top = s[s.length - 1];
      let frame: SeqFrame;
      if (top && top.type === 'seq' && top.indent === col) {
        if (top.pendingItem) top.node.items.push(null);
        frame = top;
      } else if (top && top.type === 'map' && top.pending && col >= top.indent) {
        const seq: YSeq = { kind: 'seq', start: p, end: p + 1, flow: false, items: [], indent: col };
        top.pending.value = seq;
        top.pending = null;
        frame = { type: 'seq', indent: col, node: seq, pendingItem: false };
        s.push(frame);
      } else if (top && top.type === 'seq' && top.pendingItem && col > top.indent) {
        const seq: YSeq = { kind: 'seq', start: p, end: p + 1, flow: false, items: [], indent: col };
        top.node.items.push(seq);
        top.pendingItem = false;
        frame = { type: 'seq', indent: col, node: seq, pendingItem: false };
        s.push(frame);
      } else if (s.length === 0 && this.root === null) {
        const seq: YSeq = { kind: 'seq', start: p, end: p + 1, flow: false, items: [], indent: col };
        this.root = seq;
        frame = { type: 'seq', indent: col, node: seq, pendingItem: false };
        s.push(frame);
      } else {
        decline();
      }
      top = frame;
      let q = p + 1;
      while (q < le && text.charCodeAt(q) === SP) q++;
      if (q < le && text.charCodeAt(q) === TAB) decline();
      if (q >= le || text.charCodeAt(q) === HASH) {
        frame.pendingItem = true;
        return;
      }
      const col2 = col + (q - p);
      const c = text.charCodeAt(q);
      if ((c === 45 && (q + 1 >= le || text.charCodeAt(q + 1) === SP)) || this.keyEnd(q, le) !== undefined) {
        frame.pendingItem = true;
        this.entry(col2, q, le);
        return;
      }
      if (c === 124 || c === 62) {
        frame.node.items.push(this.openBlock(q, le, col));
        return;
      }
      frame.node.items.push(this.value(q, le));
      return;
    }
    // a block sequence cannot go on with a line that is not an item
    while (s.length > 0 && s[s.length - 1].type === 'seq' && s[s.length - 1].indent >= col) s.pop();
    const key = this.keyEnd(p, le);
    if (key === undefined) decline();
    const top = s[s.length - 1];
    let map: YMap;
    if (top && top.type === 'map' && top.indent === col) {
      top.pending = null;
      map = top.node;
    } else if (top && top.type === 'map' && top.pending && col > top.indent) {
      map = { kind: 'map', start: p, end: p, flow: false, pairs: [], indent: col };
      top.pending.value = map;
      top.pending = null;
      s.push({ type: 'map', indent: col, node: map, pending: null });
    } else if (top && top.type === 'seq' && top.pendingItem && col > top.indent) {
      map = { kind: 'map', start: p, end: p, flow: false, pairs: [], indent: col };
      top.node.items.push(map);
      top.pendingItem = false;
      s.push({ type: 'map', indent: col, node: map, pending: null });
    } else if (s.length === 0 && this.root === null) {
      map = { kind: 'map', start: p, end: p, flow: false, pairs: [], indent: col };
      this.root = map;
      s.push({ type: 'map', indent: col, node: map, pending: null });
    } else {
      decline();
    }
    const pair: YPair = { key: key.key, value: null, colonEnd: key.colonEnd };
    map.pairs.push(pair);
    let q = key.colonEnd;
    while (q < le && text.charCodeAt(q) === SP) q++;
    if (q < le && text.charCodeAt(q) === TAB) {
      while (q < le && (text.charCodeAt(q) === SP || text.charCodeAt(q) === TAB)) q++;
    }
    const frame = s[s.length - 1] as MapFrame;
    if (q >= le || text.charCodeAt(q) === HASH) {
      frame.pending = pair;
      return;
    }
    const c = text.charCodeAt(q);
    if (c === 124 || c === 62) {
      pair.value = this.openBlock(q, le, col);
      return;
    }
    pair.value = this.value(q, le);
  }

  /** If a block-map key starts at p, its scalar and the offset after its `:`. */
  private keyEnd(p: number, le: number): { key: YScalar; colonEnd: number } | undefined {
    const { text } = this;
    const c = text.charCodeAt(p);
    if (c === 34 || c === 39) {
      const q = quotedEnd(text, p, le);
      if (q === undefined) return undefined;
      let r = q;
      while (r < le && text.charCodeAt(r) === SP) r++;
      if (text.charCodeAt(r) !== 58 /* : */ || !(r + 1 >= le || text.charCodeAt(r + 1) === SP || text.charCodeAt(r + 1) === TAB)) return undefined;
      return { key: quotedScalar(text, p, q), colonEnd: r + 1 };
    }
    if (isIndicator(c)) return undefined;
    for (let i = p; i < le; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 58) {
        const nx = i + 1 >= le ? SP : text.charCodeAt(i + 1);
        if (nx === SP || nx === TAB) {
          let e = i;
          while (e > p && text.charCodeAt(e - 1) === SP) e--;
          if (e === p) return undefined;
          return { key: { kind: 'scalar', start: p, end: e, value: text.slice(p, e), style: 'plain' }, colonEnd: i + 1 };
        }
      } else if (ch === HASH && (text.charCodeAt(i - 1) === SP || text.charCodeAt(i - 1) === TAB)) {
        return undefined;
      }
    }
    return undefined;
  }

  /** A one-line value starting at q: a flow collection, a quoted or a plain scalar. */
  private value(q: number, le: number): YNode {
    const { text } = this;
    const c = text.charCodeAt(q);
    let node: YNode;
    let after: number;
    if (c === 91 || c === 123) {
      const r = new FlowParser(text, q, le).parse();
      node = r.node;
      after = r.end;
    } else if (c === 34 || c === 39) {
      const e = quotedEnd(text, q, le);
      if (e === undefined) decline();
      node = quotedScalar(text, q, e);
      after = e;
    } else {
      if (isIndicator(c) || (c === 45 && (q + 1 >= le || text.charCodeAt(q + 1) === SP))) decline();
      let e = q;
      for (; e < le; e++) {
        const ch = text.charCodeAt(e);
        if (ch === HASH && (text.charCodeAt(e - 1) === SP || text.charCodeAt(e - 1) === TAB)) break;
        if (ch === 58) {
          const nx = e + 1 >= le ? SP : text.charCodeAt(e + 1);
          if (nx === SP || nx === TAB) decline();
        }
      }
      while (e > q && (text.charCodeAt(e - 1) === SP || text.charCodeAt(e - 1) === TAB)) e--;
      node = { kind: 'scalar', start: q, end: e, value: text.slice(q, e), style: 'plain' };
      return node;
    }
    let r = after;
    while (r < le && (text.charCodeAt(r) === SP || text.charCodeAt(r) === TAB)) r++;
    if (r < le && !(text.charCodeAt(r) === HASH && r > after)) decline();
    return node;
  }

  private openBlock(q: number, le: number, parentIndent: number): YScalar {
    const { text } = this;
    const folded = text.charCodeAt(q) === 62;
    let r = q + 1;
    let chomp: '' | '-' | '+' = '';
    const ch = text[r];
    if (ch === '-' || ch === '+') { chomp = ch; r++; }
    // explicit indentation indicators are rare; the yaml package handles them
    if (r < le && text.charCodeAt(r) !== SP && text.charCodeAt(r) !== TAB) decline();
    while (r < le && (text.charCodeAt(r) === SP || text.charCodeAt(r) === TAB)) r++;
    if (r < le && text.charCodeAt(r) !== HASH) decline();
    const node: YScalar = { kind: 'scalar', start: q, end: q + 1 + (chomp ? 1 : 0), value: '', style: 'block' };
    this.block = { node, parentIndent, folded, chomp, lines: [] };
    return node;
  }

  private closeBlock(): void {
    const b = this.block;
    if (!b) return;
    this.block = null;
    const { text } = this;
    let lastContent = -1;
    for (let i = 0; i < b.lines.length; i++) if (!b.lines[i].blank) lastContent = i;
    if (lastContent < 0) {
      b.node.value = '';
      return;
    }
    const indent = b.lines.find((l) => !l.blank)!.indent;
    const body: string[] = [];
    for (let i = 0; i <= lastContent; i++) {
      const l = b.lines[i];
      if (!l.blank && l.indent < indent) decline();
      body.push(l.blank ? '' : text.slice(l.start + indent, l.end));
    }
    b.node.end = b.lines[lastContent].end;
    let value: string;
    if (b.folded) {
      // folding: a line break between two non-empty, not more-indented lines becomes a space
      value = '';
      for (let i = 0; i < body.length; i++) {
        const cur = body[i];
        if (i === 0) { value = cur; continue; }
        const prev = body[i - 1];
        const moreIndented = (s: string) => s.startsWith(' ') || s.startsWith('\t');
        value += prev !== '' && cur !== '' && !moreIndented(prev) && !moreIndented(cur) ? ' ' + cur : '\n' + cur;
      }
    } else {
      value = body.join('\n');
    }
    const trailing = b.lines.length - 1 - lastContent;
    if (b.chomp === '') value += '\n';
    else if (b.chomp === '+') value += '\n' + '\n'.repeat(trailing);
    b.node.value = value;
  }
}

function isBlankFrom(text: string, p: number, le: number): boolean {
  for (let i = p; i < le; i++) {
    const c = text.charCodeAt(i);
    if (c !== SP && c !== TAB) return false;
  }
  return true;
}

/** Characters that cannot start a plain scalar or key in this subset (anchors, tags, aliases…). */
function isIndicator(c: number): boolean {
  // & * ! | > % @ ` ? , [ ] { } #
  return c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 37 || c === 64 || c === 96 || c === 63 || c === 44 || c === 91 || c === 93 || c === 123 || c === 125 || c === HASH;
}

/** Offset just after the closing quote of a quoted scalar starting at p, on this line only. */
function quotedEnd(text: string, p: number, le: number): number | undefined {
  const q = text.charCodeAt(p);
  for (let i = p + 1; i < le; i++) {
    const c = text.charCodeAt(i);
    if (q === 34 && c === 92 /* \ */) { i++; continue; }
    if (c === q) {
      if (q === 39 && text.charCodeAt(i + 1) === 39) { i++; continue; }
      return i + 1;
    }
  }
  return undefined;
}

const ESCAPES: Record<string, string> = { '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029' };

function quotedScalar(text: string, s: number, e: number): YScalar {
  const raw = text.slice(s + 1, e - 1);
  if (text.charCodeAt(s) === 39) return { kind: 'scalar', start: s, end: e, value: raw.replaceAll("''", "'"), style: 'single' };
  let value = raw;
  if (raw.includes('\\')) {
    value = '';
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i];
      if (c !== '\\') { value += c; continue; }
      const x = raw[++i];
      const len = x === 'x' ? 2 : x === 'u' ? 4 : x === 'U' ? 8 : 0;
      if (len) {
        const hex = raw.slice(i + 1, i + 1 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) decline();
        value += String.fromCodePoint(parseInt(hex, 16));
        i += len;
      } else if (x in ESCAPES) {
        value += ESCAPES[x];
      } else {
        decline();
      }
    }
  }
  return { kind: 'scalar', start: s, end: e, value, style: 'double' };
}

/** One-line flow collections: `{}`, `[a, "b"]`, `{name: x, pod: {}}`. */
class FlowParser {
  constructor(private readonly text: string, private pos: number, private readonly le: number) {}

  parse(): { node: YNode; end: number } {
    const node = this.node();
    return { node, end: this.pos };
  }

  private ws(): void {
    while (this.pos < this.le) {
      const c = this.text.charCodeAt(this.pos);
      if (c === SP || c === TAB) this.pos++;
      else break;
    }
  }

  private node(): YNode {
    this.ws();
    if (this.pos >= this.le) decline();
    const c = this.text.charCodeAt(this.pos);
    if (c === 123) return this.map();
    if (c === 91) return this.seq();
    return this.scalar();
  }

  private scalar(): YScalar {
    const { text } = this;
    const c = text.charCodeAt(this.pos);
    if (c === 34 || c === 39) {
      const e = quotedEnd(text, this.pos, this.le);
      if (e === undefined) decline();
      const s = quotedScalar(text, this.pos, e);
      this.pos = e;
      return s;
    }
    if (isIndicator(c) || c === 45 && text.charCodeAt(this.pos + 1) === SP) decline();
    const start = this.pos;
    let e = start;
    for (; e < this.le; e++) {
      const ch = text.charCodeAt(e);
      if (ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125) break;
      if (ch === 58) {
        const nx = text.charCodeAt(e + 1);
        if (nx === SP || nx === 44 || nx === 93 || nx === 125 || e + 1 >= this.le) break;
      }
      if (ch === HASH && (text.charCodeAt(e - 1) === SP)) decline();
    }
    this.pos = e;
    while (e > start && (text.charCodeAt(e - 1) === SP || text.charCodeAt(e - 1) === TAB)) e--;
    if (e === start) decline();
    return { kind: 'scalar', start, end: e, value: text.slice(start, e), style: 'plain' };
  }

  private map(): YMap {
    const start = this.pos++;
    const pairs: YPair[] = [];
    for (;;) {
      this.ws();
      if (this.pos >= this.le) decline();
      if (this.text.charCodeAt(this.pos) === 125) { this.pos++; break; }
      const key = this.scalar();
      this.ws();
      if (this.text.charCodeAt(this.pos) !== 58) decline();
      this.pos++;
      const colonEnd = this.pos;
      this.ws();
      let value: YNode | null = null;
      const c = this.text.charCodeAt(this.pos);
      if (c !== 44 && c !== 125) value = this.node();
      pairs.push({ key, value, colonEnd });
      this.ws();
      const d = this.text.charCodeAt(this.pos);
      if (d === 44) { this.pos++; continue; }
      if (d === 125) { this.pos++; break; }
      decline();
    }
    return { kind: 'map', start, end: this.pos, flow: true, pairs, indent: -1 };
  }

  private seq(): YSeq {
    const start = this.pos++;
    const items: YNode[] = [];
    for (;;) {
      this.ws();
      if (this.pos >= this.le) decline();
      if (this.text.charCodeAt(this.pos) === 93) { this.pos++; break; }
      items.push(this.node());
      this.ws();
      const d = this.text.charCodeAt(this.pos);
      // `[a: b]` (implicit single-pair maps) is left to the yaml package
      if (d === 44) { this.pos++; continue; }
      if (d === 93) { this.pos++; break; }
      decline();
    }
    return { kind: 'seq', start, end: this.pos, flow: true, items, indent: -1 };
  }
}

/** Block collections end where their last child ends; computed once the tree is complete. */
export function fixEnds(node: YNode): number {
  if (node.kind === 'scalar') return node.end;
  if (node.flow) {
    if (node.kind === 'map') for (const p of node.pairs) { fixEnds(p.key); if (p.value) fixEnds(p.value); }
    else for (const i of node.items) if (i) fixEnds(i);
    return node.end;
  }
  let end = node.start + 1;
  if (node.kind === 'map') {
    for (const p of node.pairs) end = p.value ? fixEnds(p.value) : p.colonEnd;
    if (node.pairs.length > 0) {
      const last = node.pairs[node.pairs.length - 1];
      end = last.value ? last.value.end : last.colonEnd;
    }
  } else {
    for (const i of node.items) if (i) end = fixEnds(i);
    // a trailing `-` with nothing after it still belongs to the sequence
    end = Math.max(end, node.start + 1);
  }
  node.end = Math.max(node.end, end);
  return node.end;
}

// A line-oriented scanner for the block YAML that people write for Kubernetes: block maps and
// sequences (indentless ones too), one-line flow collections, quoted and plain one-line scalars,
// block scalars (`|`, `>`), comments, CRLF. It is ~30x faster than a full YAML parse, which is what
// lets lenses and diagnostics stay under the editor's budget on files with thousands of
// documents. Whenever it meets anything outside that subset (anchors, aliases, tags, multi-line
// flow or quoted scalars, plain-scalar continuation lines, complex keys, bad indentation) it
// returns undefined and the caller hands the document to the `yaml` package instead, so it
// never has to be right about the hard parts of YAML.
import { CommentFinder } from './comment-finder';
import type { ScalarStyle, YMap, YNode, YOpaque, YPair, YScalar, YSeq } from './yaml-tree';

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

export function isMarkerAt(text: string, i: number, ch: string): boolean {
  if (text.charCodeAt(i) !== ch.charCodeAt(0) || !text.startsWith(ch === '-' ? '---' : ch === '.' ? '...' : ch.repeat(3), i)) return false;
  const c = text.charCodeAt(i + 3);
  return Number.isNaN(c) || c === SP || c === TAB || c === LF || c === CR;
}

/**
 * Splits a stream at `---` / `...` lines. A directive line (`%YAML`) makes the split unsafe, so it
 * returns undefined and the caller parses the whole stream with the `yaml` package.
 */
export function splitDocuments(text: string): DocRegion[] | undefined {
  if (text.charCodeAt(0) === 37 /* % */ || text.includes('\n%')) return undefined;
  const regions: DocRegion[] = [];
  let start = 0;
  // only lines starting `---` or `...` can be markers: found with indexOf, not line by line
  let dash = text.indexOf('\n---');
  let dot = text.indexOf('\n...');
  while (dash >= 0 || dot >= 0) {
    let i: number;
    if (dot < 0 || (dash >= 0 && dash < dot)) {
      i = dash;
      dash = text.indexOf('\n---', dash + 1);
    } else {
      i = dot;
      dot = text.indexOf('\n...', dot + 1);
    }
    const pos = i + 1;
    if (pos > start && (isMarkerAt(text, pos, '-') || isMarkerAt(text, pos, '.'))) {
      regions.push({ start, end: pos });
      start = pos;
    }
  }
  regions.push({ start, end: text.length });
  return regions;
}

/**
 * Which keys a reader needs, as a tree: `true` keeps everything below. Values of other keys are
 * skipped by indentation without building nodes (an opaque node keeps their extent), which is
 * most of a VM document (disks, volumes, cloud-init, resources, labels).
 */
export interface Selection {
  [key: string]: Selection | true;
}

/** What VM analysis reads (vm-documents.ts) and what its quick fixes touch. */
export const VM_SELECTION: Selection = {
  apiVersion: true,
  kind: true,
  metadata: { name: true, namespace: true, annotations: true },
  spec: {
    running: true,
    runStrategy: true,
    template: { metadata: { annotations: true }, spec: { networks: true, evictionStrategy: true, domain: { devices: { interfaces: true } } } },
  },
};
// List items are documents of their own
VM_SELECTION.items = VM_SELECTION;

/**
 * A Selection ready for matching: a key is compared with the names in place in the text
 * (length, then characters), so the scanner never slices a key string just to look it up —
 * that slice and its hash were the scanner's largest single cost. It also keeps a key like
 * `constructor` from matching Object.prototype.
 */
export class CompiledSelection {
  private readonly names: string[] = [];
  private readonly children: Sel[] = [];

  private constructor() {}

  static from(sel: Selection, seen: Map<Selection, CompiledSelection> = new Map()): CompiledSelection {
    const hit = seen.get(sel);
    if (hit) return hit;
    const c = new CompiledSelection();
    seen.set(sel, c);
    for (const [name, child] of Object.entries(sel)) {
      c.names.push(name);
      c.children.push(child === true ? true : CompiledSelection.from(child, seen));
    }
    return c;
  }

  /** The selection below `key`, or undefined when nobody reads its value. */
  child(text: string, key: YScalar): Sel | undefined {
    const { names } = this;
    if (key.style === 'plain') {
      const len = key.end - key.start;
      for (let i = 0; i < names.length; i++) {
        const n = names[i];
        if (n.length === len && text.startsWith(n, key.start)) return this.children[i];
      }
      return undefined;
    }
    const v = key.value;
    for (let i = 0; i < names.length; i++) if (names[i] === v) return this.children[i];
    return undefined;
  }
}

type Sel = CompiledSelection | true;

function compile(select: Selection | CompiledSelection | undefined): Sel {
  if (select === undefined) return true;
  return select instanceof CompiledSelection ? select : CompiledSelection.from(select);
}

interface MapFrame {
  type: 'map';
  indent: number;
  node: YMap;
  pending: YPair | null;
  sel: Sel;
  /** selection for the pending pair's value */
  pendingSel: Sel;
}

interface SeqFrame {
  type: 'seq';
  indent: number;
  node: YSeq;
  pendingItem: boolean;
  sel: Sel;
}

/** A skipped value: lines deeper than `col` (or `- ` lines at `col` right after an empty key). */
interface SkipState {
  node: YOpaque;
  col: number;
  /** the key line had nothing after the colon, so an indentless `- ` sequence may follow */
  mayIndentless: boolean;
  /** inside a block scalar of the skipped value: lines deeper than this are its content */
  blockIndent: number;
}

type Frame = MapFrame | SeqFrame;

interface BlockState {
  node: ScanScalar;
  parentIndent: number;
  /** indentation of the first non-blank content line (-1 until seen) */
  indent: number;
  /** start of the first content line, end of the last non-blank one */
  firstLine: number;
  lastEnd: number;
  /** blank lines after the last non-blank one (for `|+`) */
  trailing: number;
}

interface BlockShape {
  firstLine: number;
  indent: number;
  trailing: number;
  folded: boolean;
  chomp: '' | '-' | '+';
}

/**
 * Every scalar the scanner makes is one of these (one object shape keeps property access fast):
 * plain and block scalars compute their string from the text only when someone reads it.
 */
class ScanScalar implements YScalar {
  readonly kind = 'scalar' as const;
  private v: string | undefined;
  /** block scalars only: where the content is and how to fold it */
  blk: BlockShape | undefined;

  constructor(private readonly src: string, public start: number, public end: number, readonly style: ScalarStyle, value?: string) {
    this.v = value;
    this.blk = undefined;
  }

  get value(): string {
    if (this.v === undefined) this.v = this.style === 'block' ? this.block() : this.src.slice(this.start, this.end);
    return this.v;
  }

  private block(): string {
    const b = this.blk;
    if (!b || b.firstLine < 0) return '';
    const body = this.src.slice(b.firstLine, this.end).split('\n').map((l) => {
      const line = l.endsWith('\r') ? l.slice(0, -1) : l;
      return line.trim() === '' ? '' : line.slice(b.indent);
    });
    let value: string;
    if (b.folded) {
      // folding: a line break between two non-empty, not more-indented lines becomes a space
      const moreIndented = (x: string) => x.startsWith(' ') || x.startsWith('\t');
      value = body[0];
      for (let i = 1; i < body.length; i++) {
        const prev = body[i - 1];
        const cur = body[i];
        value += prev !== '' && cur !== '' && !moreIndented(prev) && !moreIndented(cur) ? ' ' + cur : '\n' + cur;
      }
    } else {
      value = body.join('\n');
    }
    if (b.chomp === '') value += '\n';
    else if (b.chomp === '+') value += '\n' + '\n'.repeat(b.trailing);
    return value;
  }
}

/** Thrown inside the scanners when a document leaves the subset they read. */
export class Decline extends Error {}

export function decline(): never {
  throw new Decline();
}

/** Scans one document region; undefined means "not in the subset, use the yaml package". */
export function scanDocument(text: string, region: DocRegion, select?: Selection | CompiledSelection): { root: YNode | null } | undefined {
  return new DocumentScanner(text, select).scan(region);
}

/**
 * Scans the regions of one text in file order; one instance serves a whole stream so what it
 * learns about the text (where the next `#` is) carries from one document to the next.
 */
export class DocumentScanner {
  private readonly scanner: Scanner;

  constructor(text: string, select?: Selection | CompiledSelection) {
    this.scanner = new Scanner(text, compile(select));
  }

  /** undefined means "not in the subset, use the yaml package". */
  scan(region: DocRegion): { root: YNode | null } | undefined {
    try {
      return { root: this.scanner.run(region) };
    } catch (e) {
      if (e instanceof Decline) return undefined;
      throw e;
    }
  }
}

class Scanner {
  private stack: Frame[] = [];
  private root: YNode | null = null;
  private block: BlockState | null = null;
  private ended = false;
  private skip: SkipState | null = null;
  private readonly comments: CommentFinder;

  constructor(private readonly text: string, private readonly select: Sel) {
    this.comments = new CommentFinder(text);
  }

  run(region: DocRegion): YNode | null {
    const { text } = this;
    this.stack.length = 0;
    this.root = null;
    this.block = null;
    this.ended = false;
    this.skip = null;
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
    this.skip = null;
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
    const k = this.skip;
    if (k) {
      if (blank) return;
      const dash = text.charCodeAt(p) === 45 && (p + 1 >= le || text.charCodeAt(p + 1) === SP);
      if (col > k.col || (col === k.col && dash && k.mayIndentless)) {
        this.skipLine(k, col, p, le);
        return;
      }
      this.skip = null;
    }
    const b = this.block;
    if (b) {
      if (blank) {
        if (b.indent >= 0) b.trailing++;
        return;
      }
      if (col > b.parentIndent) {
        if (b.indent < 0) { b.indent = col; b.firstLine = ls; }
        else if (col < b.indent) decline();
        b.lastEnd = le;
        b.trailing = 0;
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
        frame = { type: 'seq', indent: col, node: seq, pendingItem: false, sel: top.pendingSel };
        s.push(frame);
      } else if (top && top.type === 'seq' && top.pendingItem && col > top.indent) {
        const seq: YSeq = { kind: 'seq', start: p, end: p + 1, flow: false, items: [], indent: col };
        top.node.items.push(seq);
        top.pendingItem = false;
        frame = { type: 'seq', indent: col, node: seq, pendingItem: false, sel: top.sel };
        s.push(frame);
      } else if (s.length === 0 && this.root === null) {
        const seq: YSeq = { kind: 'seq', start: p, end: p + 1, flow: false, items: [], indent: col };
        this.root = seq;
        frame = { type: 'seq', indent: col, node: seq, pendingItem: false, sel: this.select };
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
    let frame: MapFrame;
    if (top && top.type === 'map' && top.indent === col) {
      top.pending = null;
      map = top.node;
      frame = top;
    } else if (top && top.type === 'map' && top.pending && col > top.indent) {
      map = { kind: 'map', start: p, end: p, flow: false, pairs: [], indent: col };
      top.pending.value = map;
      top.pending = null;
      frame = { type: 'map', indent: col, node: map, pending: null, sel: top.pendingSel, pendingSel: true };
      s.push(frame);
    } else if (top && top.type === 'seq' && top.pendingItem && col > top.indent) {
      map = { kind: 'map', start: p, end: p, flow: false, pairs: [], indent: col };
      top.node.items.push(map);
      top.pendingItem = false;
      frame = { type: 'map', indent: col, node: map, pending: null, sel: top.sel, pendingSel: true };
      s.push(frame);
    } else if (s.length === 0 && this.root === null) {
      map = { kind: 'map', start: p, end: p, flow: false, pairs: [], indent: col };
      this.root = map;
      frame = { type: 'map', indent: col, node: map, pending: null, sel: this.select, pendingSel: true };
      s.push(frame);
    } else {
      decline();
    }
    const pair: YPair = { key, value: null, colonEnd: this.colonEnd };
    map.pairs.push(pair);
    let q = this.colonEnd;
    while (q < le && text.charCodeAt(q) === SP) q++;
    if (q < le && text.charCodeAt(q) === TAB) {
      while (q < le && (text.charCodeAt(q) === SP || text.charCodeAt(q) === TAB)) q++;
    }
    const childSel = frame.sel === true ? true : frame.sel.child(text, key);
    if (childSel === undefined) {
      // nobody reads this value: skip it by indentation
      pair.value = this.startSkip(q, le, col);
      return;
    }
    frame.pendingSel = childSel;
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
  /** set by keyEnd: the offset after the key's `:` */
  private colonEnd = 0;

  private keyEnd(p: number, le: number): YScalar | undefined {
    const { text } = this;
    const c = text.charCodeAt(p);
    if (c === 34 || c === 39) {
      const q = quotedEnd(text, p, le);
      if (q === undefined) return undefined;
      let r = q;
      while (r < le && text.charCodeAt(r) === SP) r++;
      if (text.charCodeAt(r) !== 58 /* : */ || !(r + 1 >= le || text.charCodeAt(r + 1) === SP || text.charCodeAt(r + 1) === TAB)) return undefined;
      this.colonEnd = r + 1;
      return quotedScalar(text, p, q);
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
          this.colonEnd = i + 1;
          return new ScanScalar(text, p, e, 'plain');
        }
      } else if (ch === HASH && (text.charCodeAt(i - 1) === SP || text.charCodeAt(i - 1) === TAB)) {
        return undefined;
      }
    }
    return undefined;
  }

  private value(q: number, le: number): YNode {
    return oneLineValue(this.text, q, le);
  }

  private startSkip(q: number, le: number, col: number): YOpaque {
    const node: YOpaque = { kind: 'opaque', start: q, end: q };
    const k: SkipState = { node, col, mayIndentless: q >= le || this.text.charCodeAt(q) === HASH, blockIndent: -1 };
    if (!k.mayIndentless) this.skipLine(k, col, q, le, true);
    this.skip = k;
    return node;
  }

  /** Extends a skipped value over one of its lines, telling comments from block-scalar content. */
  private skipLine(k: SkipState, col: number, p: number, le: number, sameLine = false): void {
    const { text } = this;
    const inBlock = k.blockIndent >= 0 && col > k.blockIndent;
    if (!inBlock) k.blockIndent = -1;
    if (!inBlock && text.charCodeAt(p) === HASH) return;
    if (k.node.end === k.node.start && k.mayIndentless) k.node.start = p;
    // drop a trailing comment when no quote could hide a `#` (edits only need the line)
    let e = inBlock ? le : this.comments.start(p, le);
    while (e > p && (text.charCodeAt(e - 1) === SP || text.charCodeAt(e - 1) === TAB)) e--;
    if (e > p) k.node.end = e;
    if (!inBlock && e > p) {
      // a block scalar header ends the line: deeper lines are its content, `#` lines included
      let h = e - 1;
      const last = text.charCodeAt(h);
      if (last === 45 || last === 43) h--;
      const c = text.charCodeAt(h);
      if ((c === 124 || c === 62) && (h === p || text.charCodeAt(h - 1) === SP)) k.blockIndent = sameLine ? k.col : col;
    }
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
    const node = new ScanScalar(text, q, q + 1 + (chomp ? 1 : 0), 'block');
    node.blk = { firstLine: -1, indent: 0, trailing: 0, folded, chomp };
    this.block = { node, parentIndent, indent: -1, firstLine: -1, lastEnd: -1, trailing: 0 };
    return node;
  }

  private closeBlock(): void {
    const b = this.block;
    if (!b) return;
    this.block = null;
    if (b.indent < 0) return;
    b.node.blk = { firstLine: b.firstLine, indent: b.indent, trailing: b.trailing, folded: b.node.blk!.folded, chomp: b.node.blk!.chomp };
    b.node.end = b.lastEnd;
  }
}

/**
 * A one-line value starting at q: a flow collection, a quoted or a plain scalar (declines, i.e.
 * throws, on anything else). Shared with the direct VM reader (vm-fast-read.ts).
 */
export function oneLineValue(text: string, q: number, le: number): YNode {
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
    return new ScanScalar(text, q, e, 'plain');
  }
  let r = after;
  while (r < le && (text.charCodeAt(r) === SP || text.charCodeAt(r) === TAB)) r++;
  if (r < le && !(text.charCodeAt(r) === HASH && r > after)) decline();
  return node;
}

export function isBlankFrom(text: string, p: number, le: number): boolean {
  for (let i = p; i < le; i++) {
    const c = text.charCodeAt(i);
    if (c !== SP && c !== TAB) return false;
  }
  return true;
}

/** Characters that cannot start a plain scalar or key in this subset (anchors, tags, aliases…). */
export function isIndicator(c: number): boolean {
  // & * ! | > % @ ` ? , [ ] { } #
  return c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 37 || c === 64 || c === 96 || c === 63 || c === 44 || c === 91 || c === 93 || c === 123 || c === 125 || c === HASH;
}

/** Offset just after the closing quote of a quoted scalar starting at p, on this line only. */
export function quotedEnd(text: string, p: number, le: number): number | undefined {
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
  if (text.charCodeAt(s) === 39) return new ScanScalar(text, s, e, 'single', raw.replaceAll("''", "'"));
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
  return new ScanScalar(text, s, e, 'double', value);
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
    return new ScanScalar(text, start, e, 'plain');
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
  if (node.kind === 'scalar' || node.kind === 'opaque') return node.end;
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

// Reads a VM document's facts (VmDocInfo) straight from the text, without building a tree: the
// first thing a cold analysis of a big file does for each document. It walks the lines once,
// keeping only a small stack of where it is (which map of the VM, which list item), and reads
// just the keys VM analysis needs (see VM_SELECTION in fast-scan.ts); everything else is skipped
// by indentation as the selective scanner skips it. It reads a narrower subset than the scanner
// (plain keys, one-line values, no Lists, no block scalars where a value is read): on anything
// else it declines and the caller uses the scanner's tree (and the yaml package after it). Its
// results equal describeVm's on the scanner's tree for every document it accepts
// (test/unit/yaml/vm-fast-read.test.ts). Quick fixes of such documents are built later, when
// asked for (lazy-fix.ts), from a tree of that one document.
import type { AnnotationKeys } from './annotation-catalogue';
import { CommentFinder } from './comment-finder';
import { BINDINGS, migrationOf, VM_API, type OffsetRange, type VmAnnotation, type VmDocInfo, type VmNetwork } from './vm-documents';
import { Decline, decline, isBlankFrom, isMarkerAt, oneLineValue, type DocRegion } from './fast-scan';

const SP = 32;
const TAB = 9;
const HASH = 35;

/** As fast-scan's isIndicator; kept here because a call into another module costs a getter per call under tsx. */
function isIndicator(c: number): boolean {
  // & * ! | > % @ ` ? , [ ] { } #
  return c === 38 || c === 42 || c === 33 || c === 124 || c === 62 || c === 37 || c === 64 || c === 96 || c === 63 || c === 44 || c === 91 || c === 93 || c === 123 || c === 125 || c === HASH;
}

/** The value of a template annotation, as describeVm's tmplValue gives it. */
function templateValue(annotations: VmAnnotation[], key: string): { value: string; range: OffsetRange } | undefined {
  for (const a of annotations) {
    if (a.on === 'template' && a.key === key) return a.valueRange ? { value: a.value, range: a.valueRange } : undefined;
  }
  return undefined;
}

// where a map is: which keys are read there
const ROOT = 0, META = 1, ANN = 2, SPEC = 3, TMPL = 4, TMETA = 5, TSPEC = 6, DOMAIN = 7, DEVICES = 8, IFACE = 9, BINDING = 10, NET = 11, MULTUS = 12, TANN = 13;

// what a key is; SKIP: its value is skipped; OTHER: not read, but its value must be one line
const SKIP = -1, OTHER = 0;
const K_API = 1, K_KIND = 2, K_META = 3, K_SPEC = 4, K_NAME = 5, K_NS = 6, K_ANN = 7, K_RUNNING = 8, K_RUNSTRAT = 9, K_TMPL = 10,
  K_TMETA = 11, K_TSPEC = 12, K_TANN = 13, K_EVICT = 14, K_NETS = 15, K_DOMAIN = 16, K_DEVICES = 17, K_IFACES = 18, K_IFNAME = 19,
  K_MAC = 20, K_BINDING = 21, K_BINDKEY = 22, K_BNAME = 23, K_NETNAME = 24, K_POD = 25, K_MULTUS = 26, K_NETWORKNAME = 27, K_DEFAULT = 28,
  K_ANNKEY = 29;

/** the map a container key opens (-1: a sequence, see SEQ_ITEM; -2: not a container) */
const CHILD: number[] = [];
CHILD[K_META] = META; CHILD[K_SPEC] = SPEC; CHILD[K_ANN] = ANN; CHILD[K_TMPL] = TMPL; CHILD[K_TMETA] = TMETA; CHILD[K_TSPEC] = TSPEC;
CHILD[K_TANN] = TANN; CHILD[K_DOMAIN] = DOMAIN; CHILD[K_DEVICES] = DEVICES; CHILD[K_BINDING] = BINDING; CHILD[K_MULTUS] = MULTUS;
/** the item maps of the two sequences read */
const SEQ_ITEM: number[] = [];
SEQ_ITEM[K_NETS] = NET; SEQ_ITEM[K_IFACES] = IFACE;

const KEYS: [string, number][][] = [];
KEYS[ROOT] = [['apiVersion', K_API], ['kind', K_KIND], ['metadata', K_META], ['spec', K_SPEC]];
KEYS[META] = [['name', K_NAME], ['namespace', K_NS], ['annotations', K_ANN]];
KEYS[SPEC] = [['running', K_RUNNING], ['runStrategy', K_RUNSTRAT], ['template', K_TMPL]];
KEYS[TMPL] = [['metadata', K_TMETA], ['spec', K_TSPEC]];
KEYS[TMETA] = [['annotations', K_TANN]];
KEYS[TSPEC] = [['networks', K_NETS], ['evictionStrategy', K_EVICT], ['domain', K_DOMAIN]];
KEYS[DOMAIN] = [['devices', K_DEVICES]];
KEYS[DEVICES] = [['interfaces', K_IFACES]];
KEYS[IFACE] = [['name', K_IFNAME], ['macAddress', K_MAC], ['binding', K_BINDING], ...[...BINDINGS].map((b): [string, number] => [b, K_BINDKEY])];
KEYS[BINDING] = [['name', K_BNAME]];
KEYS[NET] = [['name', K_NETNAME], ['pod', K_POD], ['multus', K_MULTUS]];
KEYS[MULTUS] = [['networkName', K_NETWORKNAME], ['default', K_DEFAULT]];
/** maps under a `true` selection: every key is built by the scanner, so none is skipped here */
const FULL = new Set([IFACE, BINDING, NET, MULTUS]);

interface Frame {
  seq: boolean;
  indent: number;
  /** maps: where (ROOT, META, …); sequences: the item maps' place */
  at: number;
  /** maps: role of the last key while its value may still follow on deeper lines (0: none) */
  pending: number;
  /** sequences: a `-` was seen whose item may follow on deeper lines */
  pendingItem: boolean;
  /** keys read in this map so far (a repeated one makes the last win: left to the tree) */
  seen: number;
}

interface IfaceRec {
  name: string | undefined;
  start: number;
  end: number;
  bindKey: string | undefined;
  bindingName: string | undefined;
  mac: { value: string; range: OffsetRange } | undefined;
}

interface NetRec {
  name: string | undefined;
  pod: boolean;
  multus: boolean;
  networkName: string | undefined;
  multusDefault: string | undefined;
}

/** What the reader found in one document region; undefined from read() means "use the tree". */
export interface FastRead {
  /** the region holds a document with content (not only comments) */
  hasRoot: boolean;
  /** line breaks in the region */
  newlines: number;
  vms: VmDocInfo[];
}

export class VmFastReader {
  private readonly stack: Frame[] = [];
  private depth = 0;
  private readonly comments: CommentFinder;
  /** end of the last content read (a node's end is that of the last content inside it) */
  private lastEnd = 0;
  // skipping a value nobody reads (as Scanner.startSkip / skipLine)
  private skipping = false;
  private skipCol = 0;
  private skipMayIndentless = false;
  private skipBlockIndent = -1;
  // the document
  private rootStart = -1;
  private apiVersion: string | undefined;
  private kind: string | undefined;
  private name: string | undefined;
  private nameRange: OffsetRange | undefined;
  private namespace: string | undefined;
  private readonly tmplAnn: VmAnnotation[] = [];
  private readonly vmAnn: VmAnnotation[] = [];
  private tannStart = -1;
  private tannEnd = -1;
  private running: VmDocInfo['running'];
  private runStrategy: string | undefined;
  private evictionStrategy: string | undefined;
  private netsSeen = false;
  private readonly nets: NetRec[] = [];
  private readonly ifaces: IfaceRec[] = [];
  private nTmpl = 0;
  private nVm = 0;
  private nNets = 0;
  private nIfaces = 0;

  /**
   * short values seen in this text, shared: V8 copies a slice shorter than 13 characters, and a
   * big file repeats the same few (namespaces, subnets, bindings, "Always") thousands of times
   */
  private readonly short = new Map<string, string>();

  constructor(private readonly text: string, private readonly keys?: AnnotationKeys) {
    this.comments = new CommentFinder(text);
  }

  private slice(s: number, e: number, always = false): string {
    const v = this.text.slice(s, e);
    if (e - s >= 13 && !always) return v;
    const hit = this.short.get(v);
    if (hit !== undefined) return hit;
    if (this.short.size < 4096) this.short.set(v, v);
    return v;
  }

  read(region: DocRegion, docIndex: number): FastRead | undefined {
    try {
      return this.run(region, docIndex);
    } catch (e) {
      if (e instanceof Decline) return undefined;
      throw e;
    }
  }

  private reset(): void {
    this.depth = 0;
    this.lastEnd = 0;
    this.skipping = false;
    this.rootStart = -1;
    this.apiVersion = this.kind = this.name = this.namespace = this.runStrategy = this.evictionStrategy = undefined;
    this.nameRange = undefined;
    this.running = undefined;
    // scratch lists reused from document to document with their own counts (setting an
    // array's length to 0 gives its room back), info() copies what it keeps
    this.nTmpl = this.nVm = this.nNets = this.nIfaces = 0;
    this.tannStart = this.tannEnd = -1;
    this.netsSeen = false;
  }

  private run(region: DocRegion, docIndex: number): FastRead {
    const { text } = this;
    this.reset();
    let pos = region.start;
    const n = region.end;
    let first = true;
    let newlines = 0;
    while (pos < n) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0 || nl > n) nl = n;
      else newlines++;
      let le = nl;
      if (le > pos && text.charCodeAt(le - 1) === 13) le--;
      this.line(pos, le, first);
      first = false;
      pos = nl + 1;
    }
    this.popTo(-1);
    if (this.rootStart < 0) return { hasRoot: false, newlines, vms: [] };
    if (this.kind !== 'VirtualMachine' || !VM_API.test(this.apiVersion ?? '')) return { hasRoot: true, newlines, vms: [] };
    return { hasRoot: true, newlines, vms: [this.info(region, docIndex)] };
  }

  private line(ls: number, le: number, first: boolean): void {
    const { text } = this;
    let p = ls;
    while (p < le && text.charCodeAt(p) === SP) p++;
    // only a tab can follow the spaces on a blank line
    const blank = p >= le || (text.charCodeAt(p) === TAB && isBlankFrom(text, p, le));
    const col = p - ls;
    if (this.skipping) {
      if (blank) return;
      const dash = text.charCodeAt(p) === 45 && (p + 1 >= le || text.charCodeAt(p + 1) === SP);
      if (col > this.skipCol || (col === this.skipCol && dash && this.skipMayIndentless)) {
        this.skipLine(col, p, le, false);
        return;
      }
      this.skipping = false;
    }
    if (blank) return;
    const c = text.charCodeAt(p);
    if (c === HASH) return;
    if (c === TAB) decline();
    if (col === 0 && (isMarkerAt(text, p, '-') || isMarkerAt(text, p, '.'))) {
      // `...` (end of document) is left to the tree
      if (!first || text.charCodeAt(p) === 46) decline();
      let q = p + 3;
      while (q < le && (text.charCodeAt(q) === SP || text.charCodeAt(q) === TAB)) q++;
      if (q < le && text.charCodeAt(q) !== HASH) decline();
      return;
    }
    this.entry(col, p, le);
  }

  private push(seq: boolean, indent: number, at: number): Frame {
    let f = this.stack[this.depth];
    if (!f) this.stack[this.depth] = f = { seq, indent, at, pending: 0, pendingItem: false, seen: 0 };
    else { f.seq = seq; f.indent = indent; f.at = at; f.pending = 0; f.pendingItem = false; f.seen = 0; }
    this.depth++;
    return f;
  }

  /** Pops frames deeper than col, noting where the maps whose extent is reported end. */
  private popTo(col: number): void {
    while (this.depth > 0 && this.stack[this.depth - 1].indent > col) this.pop();
  }

  private pop(): void {
    const f = this.stack[--this.depth];
    // a `-` with nothing after it (a null item) is left to the tree
    if (f.seq && f.pendingItem) decline();
    if (f.seq) return;
    if (f.at === TANN) this.tannEnd = this.lastEnd;
    else if (f.at === IFACE) this.ifaces[this.nIfaces - 1].end = this.lastEnd;
  }

  private entry(col: number, p: number, le: number): void {
    const { text } = this;
    this.popTo(col);
    const isDash = text.charCodeAt(p) === 45 && (p + 1 >= le || text.charCodeAt(p + 1) === SP || text.charCodeAt(p + 1) === TAB);
    if (isDash) {
      const top = this.depth > 0 ? this.stack[this.depth - 1] : undefined;
      let frame: Frame;
      if (top && top.seq && top.indent === col) {
        if (top.pendingItem) decline();
        frame = top;
      } else if (top && !top.seq && top.pending && col >= top.indent) {
        const item = SEQ_ITEM[top.pending];
        if (item === undefined) decline();
        if (top.pending === K_NETS) this.netsSeen = true;
        top.pending = 0;
        frame = this.push(true, col, item);
        this.lastEnd = p + 1;
      } else {
        decline();
      }
      let q = p + 1;
      while (q < le && text.charCodeAt(q) === SP) q++;
      if (q < le && text.charCodeAt(q) === TAB) decline();
      frame.pendingItem = true;
      if (q >= le || text.charCodeAt(q) === HASH) return;
      // only maps are read as items; the item's first key is on the dash's line
      if (text.charCodeAt(q) === 45 || this.keyEnd(q, le) < 0) decline();
      this.entry(col + (q - p), q, le);
      return;
    }
    // a block sequence cannot go on with a line that is not an item
    while (this.depth > 0 && this.stack[this.depth - 1].seq && this.stack[this.depth - 1].indent >= col) this.pop();
    const ke = this.keyEnd(p, le);
    if (ke < 0) decline();
    const colonEnd = this.colonEnd;
    const top = this.depth > 0 ? this.stack[this.depth - 1] : undefined;
    let frame: Frame;
    if (top && !top.seq && top.indent === col) {
      top.pending = 0;
      frame = top;
    } else if (top && !top.seq && top.pending && col > top.indent) {
      const at = CHILD[top.pending];
      if (at === undefined) decline();
      top.pending = 0;
      frame = this.push(false, col, at);
      if (at === TANN) this.tannStart = p;
      else if (at === MULTUS) this.nets[this.nNets - 1].multus = true;
    } else if (top && top.seq && top.pendingItem && col > top.indent) {
      top.pendingItem = false;
      frame = this.push(false, col, top.at);
      // item records are reused from document to document (info() copies what it keeps)
      if (top.at === IFACE) {
        const r = this.ifaces[this.nIfaces];
        if (r) { r.name = r.bindKey = r.bindingName = undefined; r.mac = undefined; r.start = r.end = p; }
        else this.ifaces[this.nIfaces] = { name: undefined, start: p, end: p, bindKey: undefined, bindingName: undefined, mac: undefined };
        this.nIfaces++;
      } else {
        const r = this.nets[this.nNets];
        if (r) { r.name = r.networkName = r.multusDefault = undefined; r.pod = r.multus = false; }
        else this.nets[this.nNets] = { name: undefined, pod: false, multus: false, networkName: undefined, multusDefault: undefined };
        this.nNets++;
      }
    } else if (this.depth === 0 && this.rootStart < 0) {
      this.rootStart = p;
      frame = this.push(false, col, ROOT);
    } else {
      decline();
    }
    const role = this.role(frame.at, p, ke);
    if (role > 0 && role !== K_ANNKEY && role !== K_BINDKEY) {
      const bit = 1 << role;
      if (frame.seen & bit) decline();
      frame.seen |= bit;
    }
    this.lastEnd = colonEnd;
    let q = colonEnd;
    while (q < le && text.charCodeAt(q) === SP) q++;
    if (q < le && text.charCodeAt(q) === TAB) {
      while (q < le && (text.charCodeAt(q) === SP || text.charCodeAt(q) === TAB)) q++;
    }
    if (role === SKIP) {
      this.startSkip(q, le, col);
      return;
    }
    const empty = q >= le || text.charCodeAt(q) === HASH;
    if (CHILD[role] !== undefined || SEQ_ITEM[role] !== undefined) {
      // containers are read as block maps and sequences; a null one is as if absent
      if (!empty) decline();
      frame.pending = role;
      return;
    }
    if (empty) {
      // a null value; deeper lines after it (a nested value) are left to the tree
      frame.pending = -1;
      this.leaf(role, frame, p, ke, false, 0, 0, undefined);
      return;
    }
    const c = text.charCodeAt(q);
    if (c === 124 || c === 62) decline();
    if (c === 123 && text.charCodeAt(q + 1) === 125 && this.restIsComment(q + 2, le)) {
      // `{}` (bridge: {}, pod: {}): an empty map, read for its presence only
      if (role !== OTHER && role !== K_POD && role !== K_BINDKEY) decline();
      this.lastEnd = q + 2;
      this.leaf(role, frame, p, ke, false, 0, 0, undefined);
      return;
    }
    const pe = this.plainEnd(q, le);
    if (pe >= 0) {
      // most values: a plain scalar, its string sliced only where it is read
      this.lastEnd = pe;
      this.leaf(role, frame, p, ke, true, q, pe, undefined);
      return;
    }
    const node = oneLineValue(text, q, le);
    this.lastEnd = node.end;
    if (node.kind !== 'scalar') {
      // a flow collection: only where nothing reads the value
      if (role !== OTHER && role !== K_POD && role !== K_BINDKEY) decline();
      this.leaf(role, frame, p, ke, false, 0, 0, undefined);
      return;
    }
    this.leaf(role, frame, p, ke, true, node.start, node.end, node.value);
  }

  /** Whether only blanks, or blanks and a comment, follow r on its line (as oneLineValue checks after a flow value). */
  private restIsComment(r: number, le: number): boolean {
    const { text } = this;
    const after = r;
    while (r < le && (text.charCodeAt(r) === SP || text.charCodeAt(r) === TAB)) r++;
    return r >= le || (text.charCodeAt(r) === HASH && r > after);
  }

  /**
   * End of a plain one-line scalar at q (as oneLineValue reads it), or -1 when the value is not
   * one (quoted, flow, an indicator: oneLineValue reads or declines those).
   */
  private plainEnd(q: number, le: number): number {
    const { text } = this;
    const c = text.charCodeAt(q);
    if (c === 34 || c === 39 || isIndicator(c) || (c === 45 && (q + 1 >= le || text.charCodeAt(q + 1) === SP))) return -1;
    // the value ends at a ` #` comment or the line's end; a `: ` before that is left to the tree
    let e = this.comments.afterBlank(q, le);
    for (let i = text.indexOf(':', q); i >= 0 && i < e; i = text.indexOf(':', i + 1)) {
      const nx = i + 1 >= le ? SP : text.charCodeAt(i + 1);
      if (nx === SP || nx === TAB) decline();
    }
    while (e > q && (text.charCodeAt(e - 1) === SP || text.charCodeAt(e - 1) === TAB)) e--;
    return e;
  }

  /** A read key's value: has = false for null (or a flow collection), else [vs, ve) and its string (sliced when not given). */
  private leaf(role: number, frame: Frame, ks: number, ke: number, has: boolean, vs: number, ve: number, str: string | undefined): void {
    if (role === OTHER) return;
    // presence is all that is read of `pod` and of a binding key
    // names and MAC addresses are one per VM: not worth sharing
    const value = !has || role === K_POD || role === K_BINDKEY ? undefined
      : str ?? (role === K_NAME || role === K_MAC ? this.text.slice(vs, ve) : this.slice(vs, ve));
    switch (role) {
      case K_API: this.apiVersion = value; break;
      case K_KIND: this.kind = value; break;
      case K_NAME: this.name = value; this.nameRange = has ? { start: vs, end: ve } : undefined; break;
      case K_NS: this.namespace = value; break;
      case K_RUNNING: this.running = value !== undefined ? { value, range: { start: vs, end: ve }, keyRange: { start: ks, end: ke } } : undefined; break;
      case K_RUNSTRAT: this.runStrategy = value; break;
      case K_EVICT: this.evictionStrategy = value; break;
      case K_ANNKEY: {
        // keys repeat from VM to VM whatever their length
        const a: VmAnnotation = { key: this.slice(ks, ke, true), value: value ?? '', keyRange: { start: ks, end: ke }, valueRange: has ? { start: vs, end: ve } : undefined, on: frame.at === TANN ? 'template' : 'vm' };
        if (frame.at === TANN) this.tmplAnn[this.nTmpl++] = a;
        else this.vmAnn[this.nVm++] = a;
        break;
      }
      case K_IFNAME: this.ifaces[this.nIfaces - 1].name = value; break;
      case K_MAC: if (value !== undefined) this.ifaces[this.nIfaces - 1].mac = { value, range: { start: vs, end: ve } }; break;
      case K_BINDKEY: this.ifaces[this.nIfaces - 1].bindKey = this.slice(ks, ke); break;
      case K_BNAME: this.ifaces[this.nIfaces - 1].bindingName = value; break;
      case K_NETNAME: this.nets[this.nNets - 1].name = value; break;
      case K_POD: this.nets[this.nNets - 1].pod = true; break;
      case K_NETWORKNAME: this.nets[this.nNets - 1].networkName = value; break;
      case K_DEFAULT: this.nets[this.nNets - 1].multusDefault = value; break;
      default: break;
    }
  }


  /** The role of the plain key [p, ke) in a map at `at`. */
  private role(at: number, p: number, ke: number): number {
    if (at === ANN || at === TANN) return K_ANNKEY;
    const keys = KEYS[at];
    const len = ke - p;
    const c0 = this.text.charCodeAt(p);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      // length and first character first: a startsWith call for each candidate costs more
      if (k[0].length === len && k[0].charCodeAt(0) === c0 && this.text.startsWith(k[0], p)) return k[1];
    }
    // `items` of a List is left to the tree (it reads List items as VMs)
    if (at === ROOT && len === 5 && this.text.startsWith('items', p)) decline();
    return FULL.has(at) ? OTHER : SKIP;
  }

  private colonEnd = 0;

  /** End of a plain block-map key starting at p (and colonEnd after its `:`), or -1. */
  private keyEnd(p: number, le: number): number {
    const { text } = this;
    const c = text.charCodeAt(p);
    // quoted keys are left to the tree
    if (c === 34 || c === 39 || isIndicator(c)) return -1;
    // the first `:` followed by a blank or the line's end, unless a ` #` comment starts before it
    let i = text.indexOf(':', p);
    while (i >= 0 && i < le) {
      const nx = i + 1 >= le ? SP : text.charCodeAt(i + 1);
      if (nx === SP || nx === TAB) break;
      i = text.indexOf(':', i + 1);
    }
    if (i < 0 || i >= le) return -1;
    if (this.comments.afterBlank(p, i) < i) return -1;
    let e = i;
    while (e > p && text.charCodeAt(e - 1) === SP) e--;
    if (e === p) return -1;
    this.colonEnd = i + 1;
    return e;
  }

  private startSkip(q: number, le: number, col: number): void {
    this.skipping = true;
    this.skipCol = col;
    this.skipBlockIndent = -1;
    this.skipMayIndentless = q >= le || this.text.charCodeAt(q) === HASH;
    this.lastEnd = q;
    if (!this.skipMayIndentless) this.skipLine(col, q, le, true);
  }

  private skipLine(col: number, p: number, le: number, sameLine: boolean): void {
    const { text } = this;
    const inBlock = this.skipBlockIndent >= 0 && col > this.skipBlockIndent;
    if (!inBlock) this.skipBlockIndent = -1;
    if (!inBlock && text.charCodeAt(p) === HASH) return;
    let e = inBlock ? le : this.comments.start(p, le);
    while (e > p && (text.charCodeAt(e - 1) === SP || text.charCodeAt(e - 1) === TAB)) e--;
    if (e > p) this.lastEnd = e;
    if (!inBlock && e > p) {
      let h = e - 1;
      const last = text.charCodeAt(h);
      if (last === 45 || last === 43) h--;
      const c = text.charCodeAt(h);
      if ((c === 124 || c === 62) && (h === p || text.charCodeAt(h - 1) === SP)) this.skipBlockIndent = sameLine ? this.skipCol : col;
    }
  }

  /** As describeVm (vm-documents.ts) builds it from a tree. */
  private info(region: DocRegion, docIndex: number): VmDocInfo {
    // concat and slice copy without the spare room an array grown by push keeps
    // template annotations first, as describeVm lists them
    const annotations: VmAnnotation[] = new Array(this.nTmpl + this.nVm);
    for (let i = 0; i < this.nTmpl; i++) annotations[i] = this.tmplAnn[i];
    for (let i = 0; i < this.nVm; i++) annotations[this.nTmpl + i] = this.vmAnn[i];
    const networks: VmNetwork[] = new Array(this.nNets);
    for (let i = 0; i < this.nNets; i++) {
      const r = this.nets[i];
      const net: VmNetwork = { name: r.name ?? '', type: r.pod ? 'pod' : r.multus ? 'multus' : 'other' };
      if (r.multus) {
        const nn = r.networkName;
        net.networkName = nn;
        if (nn) {
          const [a, b] = nn.includes('/') ? nn.split('/', 2) : [this.namespace ?? 'default', nn];
          net.attachment = { nad: b, namespace: a };
        }
        net.multusDefault = r.multusDefault === 'true';
      }
      networks[i] = net;
    }
    for (let i = 0; i < this.nIfaces; i++) {
      const f = this.ifaces[i];
      const net = networks.find((x) => x.name === f.name);
      if (!net) continue;
      net.interfaceRange = { start: f.start, end: f.end };
      if (f.bindKey) net.binding = f.bindKey;
      if (!net.binding && f.bindingName) net.binding = f.bindingName;
      if (f.mac) net.macAddress = f.mac;
    }
    const usesPodNetwork = this.netsSeen ? networks.some((x) => x.type === 'pod') && !networks.some((x) => x.multusDefault) : true;
    const name = this.name ?? '';
    const range = { start: this.rootStart, end: this.lastEnd };
    return {
      ref: { name, namespace: this.namespace, offset: range.start },
      name,
      namespace: this.namespace,
      apiVersion: this.apiVersion ?? '',
      docIndex,
      itemIndex: undefined,
      range,
      docRange: { start: region.start, end: region.end },
      nameRange: this.nameRange,
      templateAnnotationsRange: this.tannStart >= 0 ? { start: this.tannStart, end: this.tannEnd } : undefined,
      annotations,
      pinnedIp: templateValue(annotations, 'ovn.kubernetes.io/ip_address'),
      logicalSwitch: templateValue(annotations, 'ovn.kubernetes.io/logical_switch'),
      networks,
      usesPodNetwork,
      migration: migrationOf(annotations, this.keys),
      running: this.running,
      runStrategy: this.runStrategy,
      evictionStrategy: this.evictionStrategy,
      viaYamlPackage: false,
    };
  }
}

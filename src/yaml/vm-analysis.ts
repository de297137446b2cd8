// analyzeVmDocuments: everything the editor adapters and `ovnlab vm lint` show for a YAML file —
// the VMs, their code lenses (with what each will write) and diagnostics with quick fixes as text
// edits. Pure: text + context in, plain data out.
import { AnnotationKeys, annotationKey, annotationSpec, KUBEVIRT_BRIDGE_MIGRATION_KEY, levenshtein, suggestAnnotationName } from './annotation-catalogue';
import type { AnalysisContext } from './cluster-facts';
import { checkIpInSubnet, formatIp, parseIp, type ParsedIp } from './ip-range';
import { parseVersion, usesLegacyMigration } from './kube-ovn-version';
import { lineIndex, type LineIndex, type Position } from './line-index';
import { SubnetBook, type ResolvedSubnet } from './subnet-facts';
import { shiftDiagnostic, shiftLens, shiftTextRange, shiftVmInfo, type Shift } from './analysis-shift';
import { removePair, replaceScalar, renameKey, type TextEdit, EditError } from './text-edits';
import { findVms, vmLabel, type FoundVm, type OffsetRange, type VmDocInfo, type VmRef } from './vm-documents';
import { annotationEdits, describeMigration, macAddressFix, runStrategyFix, type Attachment } from './vm-edits';
import { DocumentScanner, splitDocuments, VM_SELECTION } from './fast-scan';
import { parseRegionWithYaml, parseStreamWithYaml } from './tree-from-yaml';
import { asMap, getIn, getPair, type YDoc, type YScalar } from './yaml-tree';
import { LazyFix, type FixBuilder, type FixSource } from './lazy-fix';
import { VmFastReader, type FastRead } from './vm-fast-read';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface TextRange extends OffsetRange {
  startPos: Position;
  endPos: Position;
}

export type DiagnosticCode =
  | 'yaml-syntax'
  | 'cluster-checks-off'
  | 'ip-invalid'
  | 'ip-outside-cidr'
  | 'ip-reserved-address'
  | 'ip-gateway'
  | 'ip-excluded'
  | 'ip-in-use'
  | 'ip-duplicate-in-file'
  | 'annotation-on-vm-metadata'
  | 'unknown-annotation'
  | 'annotation-set-by-kube-ovn'
  | 'attachment-not-in-networks'
  | 'subnet-missing'
  | 'subnet-other-vpc'
  | 'live-migration-annotation-removed'
  | 'spec-running-deprecated'
  | 'running-and-run-strategy'
  | 'interface-mac-address'
  | 'bridge-without-migration';

export interface QuickFix {
  title: string;
  /**
   * text edits to apply as one WorkspaceEdit. Fixes of documents read without a tree are
   * LazyFix objects that build them when this is first read (an empty list: the edit could not
   * be made after all).
   */
  readonly edits?: TextEdit[];
  /** or a command to run (when the fix needs a choice or a version) */
  command?: { id: string; args: LensArgs[] };
  preferred?: boolean;
}

export interface VmDiagnostic {
  range: TextRange;
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  /** "ns/name" of the VM it is about */
  vm?: string;
  fixes: QuickFix[];
}

export const VM_COMMANDS = {
  pinIp: 'ovnlab.vm.pinIp',
  unpinIp: 'ovnlab.vm.unpinIp',
  chooseSubnet: 'ovnlab.vm.chooseSubnet',
  enableMigration: 'ovnlab.vm.enableMigration',
  applyToCluster: 'ovnlab.vm.applyToCluster',
} as const;

export interface LensArgs {
  vm: VmRef;
  attachment?: Attachment;
  /** next free IP of the subnet, for the pin picker's first entry */
  suggestedIp?: string;
  currentIp?: string;
  subnet?: string;
  /**
   * the subnet the VM gets without a logical_switch annotation (namespace or cluster default):
   * a picker passes `subnet` to pinIpEdits only when the user chose another one
   */
  defaultSubnet?: string;
  kubeOvnVersion?: string;
}

export interface LensModel {
  /** the VM's first line (lenses sit above it) */
  range: TextRange;
  kind: 'pin-ip' | 'unpin-ip' | 'subnet' | 'migration' | 'apply';
  title: string;
  /** command id; '' for an informational lens that does nothing when clicked */
  command: string;
  args: LensArgs[];
  /** what clicking it writes, for the tooltip */
  writes: string;
}

export interface VmAnalysis {
  vms: VmDocInfo[];
  lenses: LensModel[];
  diagnostics: VmDiagnostic[];
  clusterChecks: 'on' | 'off';
}

class Reporter {
  readonly diagnostics: VmDiagnostic[] = [];
  /** one VM's lenses while they are built (copied out at their exact size; see lensesFor) */
  readonly lenses: LensModel[] = [];
  lensCount = 0;

  /** lines: positions of the document being checked (one Reporter serves every document of an analysis) */
  constructor(public lines: LineIndex) {}

  lens(l: LensModel): void {
    this.lenses[this.lensCount++] = l;
  }

  range(r: OffsetRange): TextRange {
    const startPos = this.lines.positionAt(r.start);
    // an empty range (the lenses' place) holds one position object twice
    return { start: r.start, end: r.end, startPos, endPos: r.end === r.start ? startPos : this.lines.positionAt(r.end) };
  }

  add(r: OffsetRange, severity: Severity, code: DiagnosticCode, message: string, vm?: VmDocInfo, fixes: QuickFix[] = []): void {
    this.diagnostics.push({ range: this.range(r), severity, code, message, vm: vm ? vmLabel(vm) : undefined, fixes });
  }

  /** The diagnostics added since the last take. */
  take(): readonly VmDiagnostic[] {
    // most VMs have nothing to report: one shared empty list instead of thousands
    return this.diagnostics.length === 0 ? NONE : this.diagnostics.splice(0);
  }
}

/** Builds a quick fix, turning an edit builder's refusal into "no fix" rather than a crash. */
function fix(title: string, build: () => TextEdit[], preferred = false): QuickFix[] {
  try {
    const edits = build();
    return edits.length > 0 ? [{ title, edits, preferred }] : [];
  } catch (e) {
    if (e instanceof EditError) return [];
    throw e;
  }
}

/**
 * Makes the quick fixes of one VM: at once from the tree the document was read into, or, for a
 * document read without one (vm-fast-read.ts), as LazyFix objects that build their edits when
 * asked. A builder that finds nothing to edit gives no fix (eager) or no edits (lazy).
 */
class Fixer {
  private text = '';
  private found: FoundVm | undefined;
  private regionText = '';
  private offset = 0;
  private vm = 0;

  /**
   * Points the one Fixer of an analysis at a VM. found: the VM's tree (eager); else the VM is
   * `vm` of the document `regionText` at `offset` (lazy).
   */
  at(text: string, found: FoundVm | undefined, regionText: string, offset: number, vm: number): this {
    this.text = text;
    this.found = found;
    this.regionText = regionText;
    this.offset = offset;
    this.vm = vm;
    return this;
  }

  make(title: string, build: FixBuilder, preferred = false): QuickFix[] {
    const { found, text } = this;
    if (found) return fix(title, () => build(text, found), preferred);
    const src: FixSource = { text: this.regionText, offset: this.offset, vm: this.vm };
    return [new LazyFix(title, preferred, src, build)];
  }
}

const templateAnnotations = (f: FoundVm) => asMap(getIn(f.nodes.vm, ['spec', 'template', 'metadata', 'annotations']));
const vmAnnotations = (f: FoundVm) => asMap(getIn(f.nodes.vm, ['metadata', 'annotations']));

/** Quick fix builder: the value of a template annotation becomes `value`. */
function replaceAnnotationValue(key: string, value: string): FixBuilder {
  return (_text, f) => {
    const node = getPair(templateAnnotations(f), key)?.value;
    return node?.kind === 'scalar' ? [replaceScalar(node, value)] : [];
  };
}

function versionOf(ctx: AnalysisContext): string | undefined {
  return ctx.kubeOvnVersion ?? ctx.cluster?.kubeOvnVersion;
}

/**
 * Per-document results kept between analyses of one file (one editor document), so that after a
 * keystroke only the document it changed is read and checked again: every other document's
 * trees, checks and lenses are looked up by the document's text and, when an edit above moved
 * it, copied to its new place (analysis-shift.ts). What depends on the whole file (next free IP
 * of a subnet, duplicate pins, which VM comes first) is recomputed on every call, and a
 * document's lenses and IP checks are rebuilt only when those values changed for it.
 * Bound to one AnalysisContext object: passing another one starts afresh.
 */
export class VmAnalysisCache {
  /** @internal */ ctx: AnalysisContext | undefined;
  /** @internal */ book: SubnetBook | undefined;
  /** @internal the last analysis's entries by their text; see known() */
  entries: Map<string, DocEntry> | undefined;
  /**
   * @internal the entries of a first analysis, not yet keyed: hashing every document's text
   * (a few ms for a big file) is left to the first analysis that looks one up
   */
  unkeyed: DocEntry[] | undefined;
  /** documents of the last analysis taken from the cache, and read anew */
  stats = { reused: 0, analysed: 0 };
  /** @internal lens texts, built once per distinct value (thousands of VMs share a few) */
  texts = new TextMemo();
  /** @internal annotation keys parsed once */
  keys = new AnnotationKeys();

  /** @internal */ bind(ctx: AnalysisContext): SubnetBook {
    if (this.ctx !== ctx || !this.book) {
      this.ctx = ctx;
      this.book = new SubnetBook(ctx);
      this.entries = undefined;
      this.unkeyed = undefined;
      this.texts = new TextMemo();
      this.keys = new AnnotationKeys();
    }
    return this.book;
  }

  /** @internal entries by their text, or undefined when nothing is cached yet */
  known(): Map<string, DocEntry> | undefined {
    if (!this.entries && this.unkeyed) {
      this.entries = new Map();
      for (const e of this.unkeyed) this.entries.set(e.text, e);
      this.unkeyed = undefined;
    }
    return this.entries;
  }
}

const END = Symbol('end of parts');

function step(m: Map<unknown, unknown>, part: unknown): Map<unknown, unknown> {
  let next = m.get(part) as Map<unknown, unknown> | undefined;
  if (!next) m.set(part, (next = new Map()));
  return next;
}

/**
 * Texts many lenses share, built once: a first analysis of a big file keeps far fewer strings
 * alive (less to copy for the garbage collector), and equal lenses hold equal strings anyway.
 */

class TextMemo {
  // nested maps keyed by the parts themselves: no key string is built and hashed per lookup
  private root = new Map<unknown, unknown>();
  private size = 0;

  /**
   * The text for up to five parts (missing ones count as one more part), built by build(b, c, d,
   * last) when new: no array and no closure per lookup.
   */
  get5<B, C, D, L>(build: (b: B, c: C, d: D, last: L) => string, a: unknown, b?: B, c?: C, d?: D, last?: L): string {
    const m = step(step(step(step(this.root, a), b === undefined ? END : b), c === undefined ? END : c), d === undefined ? END : d);
    const lastKey = last === undefined ? END : last;
    let v = m.get(lastKey) as string | undefined;
    if (v === undefined) {
      // parts follow suggestions and namespaces; a long-lived cache must not grow without bound
      if (++this.size > 4096) {
        this.root = new Map();
        this.size = 0;
        return build(b as B, c as C, d as D, last as L);
      }
      v = build(b as B, c as C, d as D, last as L);
      m.set(lastKey, v);
    }
    return v;
  }
}

/** Where a document's results were computed, or where they are now. */
interface Place {
  offset: number;
  line: number;
  docIndex: number;
}

/** One document region's results, in the coordinates of `at`. */
interface DocEntry {
  at: Place;
  /** the region's text (also its key in the cache) and how many line breaks it holds */
  text: string;
  newlines: number;
  /** 1 when the region holds a document with content, 0 for comments only */
  contentDocs: number;
  vms: VmDocInfo[];
  /**
   * per VM, the value nodes of its pinned-IP annotations (the "use the next free IP" fixes
   * replace them). The document's tree itself is not kept: dropped as soon as the entry is
   * built, it dies young, which is what keeps a first analysis of a big file cheap on garbage
   * collection.
   */
  ipNodes: (Map<string, YScalar> | undefined)[];
  /** set when the document was read without a tree: its fixes are built lazily from this text */
  lazyText?: string;
  syntax: readonly VmDiagnostic[];
  /** per VM: annotation and spec diagnostics (they depend on the document and the context only) */
  local: (readonly VmDiagnostic[])[];
  /** the document's pinned IPs, which every document's next-free-IP suggestions must skip */
  pinned: { subnet: string; ip: ParsedIp }[];
  /** the duplicate-pin keys, in the order checkIps meets them */
  dupKeys: { key: string; vm: string }[];
  /** subnets whose next free IP appears in this document's lenses and fixes */
  suggestFor: ResolvedSubnet[];
  /** file-wide values the following were built with: duplicate pins, next free IPs of suggestFor */
  sigDups?: readonly (string | undefined)[];
  sigSuggest?: readonly (string | undefined)[];
  ipDiags?: (readonly VmDiagnostic[])[];
  lenses?: LensModel[][];
}

const NONE: readonly VmDiagnostic[] = Object.freeze([]);
/** a Reporter's positions before it is given a document */
const lineIndexNone: LineIndex = { positionAt: () => { throw new Error('internal: no document to report on'); } };

/**
 * The array itself, or a copy without spare room: an array grown by push from [] keeps room for
 * at least 17 elements, which for the thousands of one- to five-element arrays a first analysis
 * keeps (per document, per VM) was a third of what it keeps alive.
 */
function exact<T>(a: T[]): T[] {
  return a.length === 0 ? (EMPTY as unknown as T[]) : a.length > 1 && a.length < 16 ? a.slice() : a;
}
/** shared by every empty list kept (frozen: nobody adds to it) */
const EMPTY: readonly never[] = Object.freeze([]);

function exactDiags(a: (readonly VmDiagnostic[])[]): (readonly VmDiagnostic[])[] {
  return a.length === 1 && a[0] === NONE ? (ONE_NONE as (readonly VmDiagnostic[])[]) : exact(a);
}

/** per-VM lists of one VM without diagnostics, shared */
const ONE_NONE: readonly (readonly VmDiagnostic[])[] = Object.freeze([NONE]);

const NO_DUPS: (string | undefined)[] = [];

/** Whether the file-wide values an entry's lenses and IP checks show are those it was built with. */
function sameSignature(e: DocEntry, dups: readonly (string | undefined)[], book: SubnetBook): boolean {
  const d = e.sigDups;
  const s = e.sigSuggest;
  if (!d || !s || d.length !== dups.length || s.length !== e.suggestFor.length) return false;
  for (let i = 0; i < d.length; i++) if (d[i] !== dups[i]) return false;
  for (let i = 0; i < s.length; i++) if (s[i] !== book.suggest(e.suggestFor[i])) return false;
  return true;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Offsets → positions for one document placed at `at`, counting line breaks from the last
 * position asked for (lenses sit on a VM's first lines, diagnostics come in file order), so no
 * table of line starts is built per document.
 */
function entryIndex(at: Place, regionText: string): LineIndex {
  return new EntryIndex(at, regionText);
}

class EntryIndex implements LineIndex {
  private lastRel = 0;
  private lastLine = 0;
  private lastLineStart = 0;

  constructor(private readonly at: Place, private readonly regionText: string) {}

  positionAt(offset: number): Position {
    const { at, regionText } = this;
    // an error range may end just past the region (on the next `---` line): no upper clamp, the
    // count stops at the region's last line break, which is where that line starts
    const o = Math.max(0, offset - at.offset);
    if (o < this.lastLineStart) {
      this.lastRel = 0;
      this.lastLine = 0;
      this.lastLineStart = 0;
    }
    for (let i = regionText.indexOf('\n', this.lastRel); i >= 0 && i < o; i = regionText.indexOf('\n', i + 1)) {
      this.lastLine++;
      this.lastLineStart = i + 1;
    }
    this.lastRel = o;
    return { line: at.line + this.lastLine, character: o - this.lastLineStart };
  }
}

/** Appends x to a list that starts as the shared EMPTY: most per-document lists hold 0 or 1 item. */
function add<T>(list: T[], x: T): T[] {
  if (list === (EMPTY as unknown)) return [x];
  list.push(x);
  return list;
}

function newEntry(text: string, regionText: string, newlines: number | undefined, doc: YDoc | undefined, fast: FastRead | undefined, at: Place, book: SubnetBook, ctx: AnalysisContext, parsedVersion: ReturnType<typeof parseVersion>, versionText: string | undefined, rep: Reporter, keys: AnnotationKeys, fixers: Fixer): DocEntry {
  const none = EMPTY as never[];
  const e: DocEntry = {
    at, text: regionText, newlines: newlines ?? countNewlines(regionText), contentDocs: doc || fast?.hasRoot ? 1 : 0, vms: none, ipNodes: none, lazyText: undefined, syntax: NONE, local: none, pinned: none, dupKeys: none, suggestFor: none,
    sigDups: undefined, sigSuggest: undefined, ipDiags: undefined, lenses: undefined,
  };
  if (!doc && !fast?.vms.length) return e;
  rep.lines = entryIndex(at, regionText);
  if (doc && doc.errors.length > 0 && /VirtualMachine/.test(text.slice(doc.start, doc.end))) {
    for (const err of doc.errors) rep.add(err, 'error', 'yaml-syntax', `YAML error: ${err.message}`);
    e.syntax = rep.take();
  }
  const found = doc ? findVms([doc], at.docIndex) : undefined;
  const infos = found ? found.map((f) => f.info) : fast!.vms;
  if (!found) e.lazyText = regionText;
  // lists kept at their size: an entry lives as long as the file is open (see exact)
  e.vms = infos;
  const local: (readonly VmDiagnostic[])[] = new Array(infos.length);
  const ipNodesOf: (Map<string, YScalar> | undefined)[] | undefined = found ? new Array(infos.length) : undefined;
  for (let i = 0; i < infos.length; i++) {
    const info = infos[i];
    let ipNodes: Map<string, YScalar> | undefined;
    const f = found?.[i];
    const fixer = fixers.at(text, f, regionText, at.offset, i);
    checkAnnotations(info, fixer, book, rep, parsedVersion, keys);
    checkSpec(info, fixer, rep, ctx, parsedVersion, versionText);
    local[i] = rep.take();
    const first = e.suggestFor.length;
    const atts = attachmentsOf(info);
    for (let k = 0; k < atts.length; k++) {
      const att = atts[k];
      const key = annotationKey('ip_address', att);
      const a = templateAnnotation(info, key);
      const subnet = book.resolve(info, att);
      if (e.suggestFor.indexOf(subnet, first) < 0) e.suggestFor = add(e.suggestFor, subnet);
      if (!a) continue;
      if (f) {
        const node = getPair(templateAnnotations(f), key)?.value;
        if (node?.kind === 'scalar') (ipNodes ??= new Map()).set(key, node);
      }
      for (const part of a.value.split(',')) {
        const ip = parseIp(part);
        if (!ip) continue;
        e.pinned = add(e.pinned, { subnet: subnet.name, ip });
        if (a.valueRange) e.dupKeys = add(e.dupKeys, { key: `${subnet.name}|${formatIp(ip)}`, vm: vmLabel(info) });
      }
    }
    if (info.usesPodNetwork) {
      const pod = book.resolve(info, undefined);
      if (e.suggestFor.indexOf(pod, first) < 0) e.suggestFor = add(e.suggestFor, pod);
    }
    if (ipNodesOf) ipNodesOf[i] = ipNodes;
  }
  e.local = exactDiags(local);
  if (ipNodesOf && ipNodesOf.some((x) => x !== undefined)) e.ipNodes = ipNodesOf;
  // lists grown by push hold room for 17
  e.pinned = exact(e.pinned);
  e.dupKeys = exact(e.dupKeys);
  e.suggestFor = exact(e.suggestFor);
  return e;
}

export function analyzeVmDocuments(text: string, ctx: AnalysisContext = {}, opts: { fullTrees?: boolean; cache?: VmAnalysisCache } = {}): VmAnalysis {
  // only the parts of each document VM analysis reads are built (see VM_SELECTION); tests
  // compare with fullTrees to show the selection changes nothing
  const cache = opts.fullTrees || !opts.cache ? new VmAnalysisCache() : opts.cache;
  // without a cache to fill (the CLI, one-off calls) documents need no keys: no hashing of the text
  const keyed = cache === opts.cache;
  const book = cache.bind(ctx);
  book.resetFile();
  const version = versionOf(ctx);
  const parsedVersion = parseVersion(version);
  const stats = { reused: 0, analysed: 0 };
  const fixers = new Fixer();

  // 1. every document's entry: from the cache when its text is known, else read and checked now
  const entries: { e: DocEntry; place: Place }[] = [];
  // a cache that holds entries: each document is looked up, and kept by its text for the next
  // analysis; an empty one (the file was just opened): only listed, keyed when next needed
  const known = keyed ? cache.known() : undefined;
  const kept = known ? new Map<string, DocEntry>() : undefined;
  const fresh: DocEntry[] = [];
  const regions = splitDocuments(text);
  if (regions) {
    const scanner = new DocumentScanner(text, opts.fullTrees ? undefined : VM_SELECTION);
    // most documents are read straight into VM facts; the others get a tree (fullTrees: all do)
    const reader = opts.fullTrees ? undefined : new VmFastReader(text, cache.keys);
    const rep = new Reporter(lineIndexNone);
    let line = 0;
    let docIndex = 0;
    for (const region of regions) {
      const key = text.slice(region.start, region.end);
      const place: Place = { offset: region.start, line, docIndex };
      let e = known ? known.get(key) ?? kept!.get(key) : undefined;
      if (e) {
        stats.reused++;
      } else {
        stats.analysed++;
        const direct = reader?.read(region, docIndex);
        if (direct) {
          e = newEntry(text, key, direct.newlines, undefined, direct, place, book, ctx, parsedVersion, version, rep, cache.keys, fixers);
        } else {
          const fast = scanner.scan(region);
          const doc: YDoc = fast ? { start: region.start, end: region.end, root: fast.root, errors: [], viaYamlPackage: false } : parseRegionWithYaml(text, region);
          e = newEntry(text, key, undefined, doc.root || doc.errors.length > 0 ? doc : undefined, undefined, place, book, ctx, parsedVersion, version, rep, cache.keys, fixers);
        }
      }
      if (kept) kept.set(key, e);
      else if (keyed) fresh.push(e);
      entries.push({ e, place });
      line += e.newlines;
      docIndex += e.contentDocs;
    }
  } else {
    // a directive (%YAML) makes the split unsafe: the yaml package reads the whole stream
    const lines = lineIndex(text);
    parseStreamWithYaml(text).filter((d) => d.root || d.errors.length > 0).forEach((doc, docIndex) => {
      stats.analysed++;
      // positions count from the start of the document's first line (it may begin after `--- `)
      const ls = text.lastIndexOf('\n', doc.start - 1) + 1;
      const place: Place = { offset: ls, line: lines.positionAt(ls).line, docIndex };
      entries.push({ e: newEntry(text, text.slice(ls, doc.end), undefined, doc, undefined, place, book, ctx, parsedVersion, version, new Reporter(lineIndexNone), cache.keys, fixers), place });
    });
  }
  cache.entries = kept;
  cache.unkeyed = kept ? undefined : fresh;
  cache.stats = stats;

  // 2. file-wide: pinned IPs first, so suggestions know the whole file; then duplicate pins
  for (let i = 0; i < entries.length; i++) {
    const pinned = entries[i].e.pinned;
    for (let j = 0; j < pinned.length; j++) book.notePinned(pinned[j].subnet, pinned[j].ip);
  }
  const seen = new Map<string, string>();
  const vms: VmDocInfo[] = [];
  const lenses: LensModel[] = [];
  const syntax: VmDiagnostic[] = [];
  const vmDiags: VmDiagnostic[] = [];
  const rep = new Reporter(lineIndexNone);
  for (const { e, place } of entries) {
    let dups: (string | undefined)[] = NO_DUPS;
    if (e.dupKeys.length > 0) {
      dups = e.dupKeys.map(({ key, vm }) => {
        const other = seen.get(key);
        if (other && other !== vm) return other;
        seen.set(key, vm);
        return undefined;
      });
    }
    // 3. lenses and IP checks when a file-wide value they show changed (or never built)
    if (!e.ipDiags || !e.lenses || !sameSignature(e, dups, book)) {
      rep.lines = entryIndex(e.at, e.text);
      let di = 0;
      // sized up front: these live as long as the file is open (see exact)
      const ipDiags: (readonly VmDiagnostic[])[] = new Array(e.vms.length);
      const lenses: LensModel[][] = new Array(e.vms.length);
      for (let i = 0; i < e.vms.length; i++) {
        const vm = e.vms[i];
        const fixer = e.lazyText !== undefined ? fixers.at(text, undefined, e.text, e.at.offset, i) : undefined;
        di = checkIps(vm, e.ipNodes[i], fixer, book, rep, dups, di);
        ipDiags[i] = rep.take();
        lenses[i] = lensesFor(vm, book, rep, ctx, version, parsedVersion, cache.texts);
      }
      e.ipDiags = ipDiags.length === 1 && ipDiags[0] === NONE ? (ONE_NONE as (readonly VmDiagnostic[])[]) : ipDiags;
      e.lenses = lenses;
      e.sigDups = dups;
      e.sigSuggest = e.suggestFor.length > 0 ? e.suggestFor.map((x) => book.suggest(x)) : NO_DUPS;
    }
    // 4. results where the document is now
    materialize(e, place, { vms, lenses, syntax, vmDiags });
  }

  const diagnostics = syntax;
  if (vms.length > 0 && !ctx.cluster) {
    const first = vms[0].range.start;
    const owner = entries.find(({ place }, i) => place.offset <= first && (i + 1 >= entries.length || first < entries[i + 1].place.offset));
    const pos = owner ? entryIndex(owner.place, owner.e.text).positionAt(first) : lineIndex(text).positionAt(first);
    const manual = ctx.manualSubnet ? ` (pinned IPs are checked against ${ctx.manualSubnet.cidrBlock} only)` : '';
    diagnostics.push({ range: { start: first, end: first, startPos: pos, endPos: pos }, severity: 'info', code: 'cluster-checks-off', message: `cluster-backed checks off: no cluster connected${manual}`, fixes: [] });
  }
  diagnostics.push(...vmDiags);
  return { vms, lenses, diagnostics, clusterChecks: ctx.cluster ? 'on' : 'off' };
}

const NO_SHIFT: Shift = { offset: 0, lines: 0, docIndex: 0 };

interface Results {
  vms: VmDocInfo[];
  lenses: LensModel[];
  syntax: VmDiagnostic[];
  vmDiags: VmDiagnostic[];
}

/** Appends an entry's results at `place`: as built when it has not moved, else shifted copies. */
function materialize(e: DocEntry, place: Place, out: Results): void {
  const moved = place.offset !== e.at.offset || place.line !== e.at.line || place.docIndex !== e.at.docIndex;
  const s: Shift = moved ? { offset: place.offset - e.at.offset, lines: place.line - e.at.line, docIndex: place.docIndex - e.at.docIndex } : NO_SHIFT;
  // index loops: the shared empty lists are frozen, and for…of over a frozen array allocates
  // an iterator result per step
  for (let i = 0; i < e.vms.length; i++) {
    const vm = e.vms[i];
    out.vms.push(moved ? shiftVmInfo(vm, s) : vm);
    const ls = e.lenses![i];
    if (ls.length > 0) {
      const at = moved ? shiftTextRange(ls[0].range, s) : ls[0].range;
      for (let j = 0; j < ls.length; j++) out.lenses.push(moved ? shiftLens(ls[j], s, at) : ls[j]);
    }
    const ip = e.ipDiags![i];
    for (let j = 0; j < ip.length; j++) out.vmDiags.push(moved ? shiftDiagnostic(ip[j], s) : ip[j]);
    const local = e.local[i];
    for (let j = 0; j < local.length; j++) out.vmDiags.push(moved ? shiftDiagnostic(local[j], s) : local[j]);
  }
  for (let j = 0; j < e.syntax.length; j++) out.syntax.push(moved ? shiftDiagnostic(e.syntax[j], s) : e.syntax[j]);
}

/** The VM's template annotation `key` (the first, as Kube-OVN's lookups of the map would not tell). */
function templateAnnotation(vm: VmDocInfo, key: string): VmDocInfo['annotations'][number] | undefined {
  for (const a of vm.annotations) if (a.on === 'template' && a.key === key) return a;
  return undefined;
}

/** undefined = the pod network; then every Multus attachment the VM lists. */
function attachmentsOf(vm: VmDocInfo): readonly (Attachment | undefined)[] {
  let out: (Attachment | undefined)[] | undefined;
  for (const n of vm.networks) if (n.type === 'multus' && n.attachment) (out ??= [undefined]).push(n.attachment);
  return out ?? POD_ONLY;
}
const POD_ONLY: readonly (Attachment | undefined)[] = [undefined];

/** "Use the next free IP" on a pinned IP annotation, when a next free IP is known. */
function nextFreeFix(key: string, ip: string | undefined, valueNode: YScalar | undefined, lazy: Fixer | undefined): QuickFix[] {
  if (!ip) return [];
  if (lazy) return lazy.make(`Use the next free IP ${ip}`, replaceAnnotationValue(key, ip), true);
  return valueNode?.kind === 'scalar' ? fix(`Use the next free IP ${ip}`, () => [replaceScalar(valueNode, ip)], true) : [];
}

/**
 * `dups[di…]` answer, in order, for each valid pinned IP: the VM above that pinned it too, if any.
 * Returns the index after the last one used.
 */
function checkIps(vm: VmDocInfo, ipNodes: Map<string, YScalar> | undefined, lazy: Fixer | undefined, book: SubnetBook, rep: Reporter, dups: readonly (string | undefined)[], di: number): number {
  const atts = attachmentsOf(vm);
  for (let k = 0; k < atts.length; k++) {
    const att = atts[k];
    const key = annotationKey('ip_address', att);
    const a = templateAnnotation(vm, key);
    if (!a || !a.valueRange) continue;
    const subnet = book.resolve(vm, att);
    const suggestion = book.suggest(subnet);
    const valueNode = ipNodes?.get(key);
    const parts = a.value.split(',');
    for (const part of parts) {
      const ip = parseIp(part);
      if (!ip) {
        rep.add(a.valueRange, 'error', 'ip-invalid', `"${part.trim()}" is not an IP address (${key} takes an IPv4 or IPv6 address, "v4,v6" for dual stack)`, vm, nextFreeFix(key, suggestion, valueNode, lazy));
        continue;
      }
      const ipText = formatIp(ip);
      const other = dups[di++];
      if (other) rep.add(a.valueRange, 'error', 'ip-duplicate-in-file', `${ipText} is also pinned by VM ${other} in this file (subnet ${subnet.name})`, vm, nextFreeFix(key, suggestion, valueNode, lazy));
      if (subnet.cidrs) {
        const problem = checkIpInSubnet(ip, subnet.cidrs, subnet.gateways, subnet.exclude);
        const where = subnet.how === 'manual' ? `the given subnet ${subnet.facts?.cidrBlock}` : `subnet ${subnet.name} (${subnet.facts?.cidrBlock})`;
        if (problem?.code === 'outside-cidr') rep.add(a.valueRange, 'error', 'ip-outside-cidr', `${ipText} is outside ${where}`, vm, nextFreeFix(key, suggestion, valueNode, lazy));
        else if (problem?.code === 'network-address' || problem?.code === 'broadcast-address') rep.add(a.valueRange, 'error', 'ip-reserved-address', `${ipText} is the ${problem.code === 'network-address' ? 'network' : 'broadcast'} address of ${where}`, vm, nextFreeFix(key, suggestion, valueNode, lazy));
        else if (problem?.code === 'gateway') rep.add(a.valueRange, 'error', 'ip-gateway', `${ipText} is the gateway of ${where}`, vm, nextFreeFix(key, suggestion, valueNode, lazy));
        else if (problem?.code === 'excluded') rep.add(a.valueRange, 'error', 'ip-excluded', `${ipText} is in excludeIps (${problem.range}) of ${where}`, vm, nextFreeFix(key, suggestion, valueNode, lazy));
      }
      const user = book.usedBy(ip, vm);
      if (user) rep.add(a.valueRange, 'error', 'ip-in-use', `${ipText} is already used by IP ${user}`, vm, nextFreeFix(key, suggestion, valueNode, lazy));
    }
  }  return di;
}

function checkAnnotations(vm: VmDocInfo, fixer: Fixer, book: SubnetBook, rep: Reporter, version: ReturnType<typeof parseVersion>, keys: AnnotationKeys): void {
  for (const a of vm.annotations) {
    const parsed = keys.parse(a.key);
    const isOurs = !!parsed || a.key === KUBEVIRT_BRIDGE_MIGRATION_KEY;
    if (!isOurs) continue;
    if (a.on === 'vm') {
      const movable = !vm.annotations.some((t) => t.on === 'template' && t.key === a.key);
      rep.add(a.keyRange, 'warning', 'annotation-on-vm-metadata',
        `${a.key} is on the VirtualMachine's metadata, where ${parsed ? 'Kube-OVN' : 'KubeVirt'} never reads it: it belongs on spec.template.metadata.annotations (the VM's pod)`, vm,
        movable ? fixer.make('Move to spec.template.metadata.annotations', (text, f) => {
          const ann = vmAnnotations(f)!;
          const pair = getPair(ann, a.key)!;
          const meta = asMap(getPair(f.nodes.vm, 'metadata')?.value)!;
          const removal = ann.pairs.length === 1 ? removePair(text, meta, getPair(meta, 'annotations')!) : removePair(text, ann, pair);
          return [removal, ...annotationEdits(text, f, [{ key: a.key, value: a.value }])];
        }, true) : []);
    }
    if (!parsed) continue;
    const spec = annotationSpec(parsed.name);
    if (!spec) {
      const guess = suggestAnnotationName(parsed.name);
      const newKey = guess ? a.key.slice(0, a.key.length - parsed.name.length) + guess : undefined;
      const on = a.on;
      rep.add(a.keyRange, 'warning', 'unknown-annotation', `unknown Kube-OVN annotation "${parsed.name}"${guess ? `: did you mean "${guess}"?` : ''}`, vm,
        newKey ? fixer.make(`Rename to ${newKey}`, (_text, f) => {
          const pair = getPair(on === 'vm' ? vmAnnotations(f) : templateAnnotations(f), a.key);
          return pair ? [renameKey(pair.key, newKey)] : [];
        }, true) : []);
      continue;
    }
    if (spec.setByKubeOvn && a.on === 'template') {
      rep.add(a.keyRange, 'info', 'annotation-set-by-kube-ovn', `${a.key} is written by Kube-OVN itself; setting it in the template has no effect`, vm);
    }
    if (spec.removedIn && a.on === 'template') {
      const legacy = version && usesLegacyMigration(version);
      if (!legacy) {
        const known = version ? `Kube-OVN ${formatVersion(version)} ignores it` : 'Kube-OVN ≥ v1.13.0 ignores it';
        rep.add(a.keyRange, version ? 'warning' : 'info', 'live-migration-annotation-removed',
          `${a.key} was removed in Kube-OVN v1.13.0 (PR #4191): ${known}. Use ${KUBEVIRT_BRIDGE_MIGRATION_KEY}: "true" instead`, vm,
          fixer.make(`Replace with ${KUBEVIRT_BRIDGE_MIGRATION_KEY}: "true"`, (text, f) => annotationEdits(text, f, [
            ...vm.annotations.filter((x) => x.on === 'template' && /\.kubernetes\.io\/(allow_live_migration|migrate)$/.test(x.key)).map((x) => ({ key: x.key, value: null })),
            { key: KUBEVIRT_BRIDGE_MIGRATION_KEY, value: 'true' },
          ]), true));
      }
    }
    if (parsed.attachment && a.on === 'template' && !vm.networks.some((n) => n.attachment && n.attachment.nad === parsed.attachment!.nad && n.attachment.namespace === parsed.attachment!.namespace)) {
      rep.add(a.keyRange, 'warning', 'attachment-not-in-networks', `no network of this VM uses the attachment ${parsed.attachment.namespace}/${parsed.attachment.nad}, so ${a.key} has no effect`, vm);
    }
    if (parsed.name === 'logical_switch' && a.on === 'template' && book.hasCluster && a.valueRange) {
      const subnet = book.findSubnet(a.value);
      if (!subnet) {
        const names = book.allSubnetNames();
        const close = names.map((n) => ({ n, d: levenshtein(n, a.value) })).sort((x, y) => x.d - y.d)[0];
        rep.add(a.valueRange, 'error', 'subnet-missing', `Subnet "${a.value}" does not exist${close && close.d <= 3 ? `: did you mean "${close.n}"?` : ''} (subnets: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})`, vm,
          close && close.d <= 3 ? fixer.make(`Use subnet ${close.n}`, replaceAnnotationValue(a.key, close.n), true) : []);
      } else {
        const nsVpc = book.vpcOfNamespace(vm.namespace ?? 'default');
        const subnetVpc = subnet.vpc || 'ovn-cluster';
        if (nsVpc && nsVpc !== subnetVpc) {
          rep.add(a.valueRange, 'warning', 'subnet-other-vpc', `Subnet ${a.value} belongs to VPC ${subnetVpc}, but namespace ${vm.namespace ?? 'default'} is bound to VPC ${nsVpc}`, vm);
        }
      }
    }
  }
}

function formatVersion(v: NonNullable<ReturnType<typeof parseVersion>>): string {
  return `v${v.major}.${v.minor}.${v.patch}`;
}

function checkSpec(vm: VmDocInfo, fixer: Fixer, rep: Reporter, ctx: AnalysisContext, version: ReturnType<typeof parseVersion>, versionText: string | undefined): void {
  if (vm.running) {
    const both = vm.runStrategy !== undefined;
    rep.add(vm.running.keyRange, both ? 'error' : 'warning', both ? 'running-and-run-strategy' : 'spec-running-deprecated',
      both ? 'spec.running and spec.runStrategy are both set: KubeVirt rejects the VM; keep runStrategy'
        : `spec.running is deprecated: use spec.runStrategy: ${vm.running.value === 'true' ? 'Always' : 'Halted'}`, vm,
      both ? fixer.make('Remove spec.running', (text, f) => {
        const spec = asMap(getPair(f.nodes.vm, 'spec')?.value)!;
        return [removePair(text, spec, getPair(spec, 'running')!)];
      }, true) : fixer.make(`Replace with runStrategy: ${vm.running.value === 'true' ? 'Always' : 'Halted'}`, (_text, f) => runStrategyFix(f), true));
  }
  for (const n of vm.networks) {
    if (!n.macAddress) continue;
    const key = annotationKey('mac_address', n.type === 'multus' ? n.attachment : undefined);
    rep.add(n.macAddress.range, 'warning', 'interface-mac-address',
      `interfaces[${n.name}].macAddress is not what Kube-OVN assigns to the port: set ${key} on spec.template.metadata.annotations so the port and the VM agree`, vm,
      fixer.make(`Move to ${key}`, (text, f) => macAddressFix(text, f, n.name), true));
  }
  const wanted = ctx.migrationWanted ?? /^LiveMigrate/.test(vm.evictionStrategy ?? '');
  let podNet: VmDocInfo['networks'][number] | undefined;
  for (const n of vm.networks) if (n.type === 'pod') { podNet = n; break; }
  if (wanted && podNet?.binding === 'bridge' && vm.migration.state === 'off' && podNet.interfaceRange) {
    const legacy = version && usesLegacyMigration(version);
    const args: LensArgs = { vm: vm.ref, kubeOvnVersion: versionText };
    rep.add(podNet.interfaceRange, 'warning', 'bridge-without-migration',
      `bridge binding on the pod network cannot live-migrate${vm.evictionStrategy ? ` (evictionStrategy ${vm.evictionStrategy} wants it)` : ''}: ${legacy ? 'use a Kube-OVN attachment with allow_live_migration' : `add ${KUBEVIRT_BRIDGE_MIGRATION_KEY}: "true"`}`, vm,
      legacy ? [{ title: 'Enable live migration (attachment recipe)…', command: { id: VM_COMMANDS.enableMigration, args: [args] } }]
        : fixer.make(`Add ${KUBEVIRT_BRIDGE_MIGRATION_KEY}: "true"`, (text, f) => annotationEdits(text, f, [{ key: KUBEVIRT_BRIDGE_MIGRATION_KEY, value: 'true' }]), true));
  }
}

function lensesFor(vm: VmDocInfo, book: SubnetBook, rep: Reporter, ctx: AnalysisContext, version: string | undefined, parsedVersion: ReturnType<typeof parseVersion>, texts: TextMemo): LensModel[] {
  const at = rep.range({ start: vm.range.start, end: vm.range.start });
  rep.lensCount = 0;
  if (vm.usesPodNetwork) networkLenses(vm, undefined, book, at, texts, rep);
  for (const n of vm.networks) if (n.type === 'multus' && n.attachment) networkLenses(vm, n.attachment, book, at, texts, rep);
  const mig = vm.migration;
  const migArgs: LensArgs = { vm: vm.ref, kubeOvnVersion: version };
  const ignored = mig.state === 'on' && mig.via === 'legacy-attachment' && parsedVersion !== undefined && !usesLegacyMigration(parsedVersion);
  if (mig.state === 'on' && !ignored) {
    rep.lens({ range: at, kind: 'migration', title: mig.via === 'kubevirt-annotation' ? 'Live migration: on' : `Live migration: on (via ${mig.attachment})`, command: '', args: [migArgs], writes: '' });
  } else {
    let existing: Attachment | undefined;
    for (const n of vm.networks) if (n.type === 'multus' && n.attachment) { existing = n.attachment; break; }
    rep.lens({ range: at, kind: 'migration', title: ignored ? `Enable live migration (allow_live_migration is ignored by ${version})` : 'Enable live migration', command: VM_COMMANDS.enableMigration, args: [migArgs],
      writes: texts.get5(migrationWrites, 'migration', version, vm.namespace, existing?.nad, existing?.namespace) });
  }
  if (ctx.cluster) {
    rep.lens({ range: at, kind: 'apply', title: 'Apply to cluster', command: VM_COMMANDS.applyToCluster, args: [{ vm: vm.ref }], writes: flat(['server-side apply of ', vmLabel(vm), ' to ', ctx.cluster.source, ' (dry-run and diff first)']) });
  }
  // the copy keeps no spare room (see exact); the scratch list serves the next VM (its length
  // is never cut: that would give its room back)
  return rep.lenses.slice(0, rep.lensCount);
}

/**
 * One flat string: a template literal builds a chain of concatenated strings (a few objects per
 * VM for the life of the analysis); join copies the characters once.
 */
function flat(parts: string[]): string {
  return parts.join('');
}

/** The pin (or pinned/unpin) lenses of one network, and the subnet lens of the pod network. */
function networkLenses(vm: VmDocInfo, att: Attachment | undefined, book: SubnetBook, at: TextRange, texts: TextMemo, rep: Reporter): void {
  const subnet = book.resolve(vm, att);
  const key = annotationKey('ip_address', att);
  const pinned = templateAnnotation(vm, key);
  const suggestedIp = book.suggest(subnet);
  // the lenses of one network share their argument list (nobody mutates it)
  const args: LensArgs[] = [{ vm: vm.ref, attachment: att, suggestedIp, currentIp: pinned?.value, subnet: subnet.name, defaultSubnet: book.defaultSubnet(vm, att) }];
  if (pinned) {
    rep.lens({ range: at, kind: 'pin-ip', title: `Pinned ${pinned.value}${att ? ` on ${att.nad}` : ''} — change`, command: VM_COMMANDS.pinIp, args,
      writes: texts.get5(pinnedWrites, 'pinned', key, suggestedIp) });
    rep.lens({ range: at, kind: 'unpin-ip', title: 'unpin', command: VM_COMMANDS.unpinIp, args, writes: texts.get5(unpinWrites, 'unpin', key) });
  } else {
    rep.lens({ range: at, kind: 'pin-ip', title: texts.get5(pinTitle, 'pin-title', att?.nad), command: VM_COMMANDS.pinIp, args,
      writes: texts.get5(pinWrites, 'pin', key, suggestedIp) });
  }
  if (!att) {
    rep.lens({ range: at, kind: 'subnet', title: texts.get5(subnetTitle, 'subnet', subnet), command: VM_COMMANDS.chooseSubnet, args, writes: SUBNET_WRITES });
  }
}

// lens texts, built by TextMemo.get5 from the parts they are memoised by
function migrationWrites(version: string | undefined, namespace: string | undefined, nad: string | undefined, nadNamespace: string | undefined): string {
  const existing = nad !== undefined && nadNamespace !== undefined ? { nad, namespace: nadNamespace } : undefined;
  return describeMigration(version, namespace, existing) + (version ? '' : ' (assuming Kube-OVN ≥ v1.13.0; set the version for older clusters)');
}
function pinnedWrites(key: string, suggestedIp: string | undefined): string {
  return `spec.template.metadata.annotations: ${key}: <new IP>${suggestedIp ? ` (next free: ${suggestedIp})` : ''}`;
}
function unpinWrites(key: string): string {
  return `removes ${key} from spec.template.metadata.annotations`;
}
function pinTitle(nad: string | undefined): string {
  return `Pin IP${nad ? ` on ${nad}` : ''}…`;
}
function pinWrites(key: string, suggestedIp: string | undefined): string {
  return `spec.template.metadata.annotations: ${key}: ${suggestedIp ?? '<IP>'}${suggestedIp ? ' (next free)' : ''}`;
}

const SUBNET_WRITES = 'spec.template.metadata.annotations: ovn.kubernetes.io/logical_switch: <subnet> (removed when the namespace default is chosen)';

function subnetTitle(subnet: ResolvedSubnet): string {
  const vpc = subnet.facts ? ` (VPC ${subnet.vpc})` : '';
  const how = subnet.how === 'annotation' || subnet.how === 'manual' ? '' : subnet.how === 'assumed-default' ? ' (namespace default)' : ` (${subnet.how === 'namespace' ? 'namespace' : 'cluster'} default)`;
  return `Subnet: ${subnet.name}${vpc}${how} ▾`;
}


// Moves a document's analysis results to where the document now sits in the file. A cached
// document that did not change keeps its results, but an edit above it moves it by some
// characters and lines (and documents inserted above change its index): these copies carry the
// results over without analysing the document again. Copies, not in-place changes, because the
// previous analysis may still be in an editor's hands.
import type { LensArgs, LensModel, QuickFix, TextRange, VmDiagnostic } from './vm-analysis';
import type { OffsetRange, VmAnnotation, VmDocInfo, VmNetwork, VmRef } from './vm-documents';
import { LazyFix } from './lazy-fix';

export interface Shift {
  /** characters */
  offset: number;
  lines: number;
  /** documents with content above it */
  docIndex: number;
}

function range(r: OffsetRange, d: number): OffsetRange {
  return { start: r.start + d, end: r.end + d };
}

function optRange(r: OffsetRange | undefined, d: number): OffsetRange | undefined {
  return r ? { start: r.start + d, end: r.end + d } : undefined;
}

export function shiftTextRange(r: TextRange, s: Shift): TextRange {
  return {
    start: r.start + s.offset,
    end: r.end + s.offset,
    startPos: { line: r.startPos.line + s.lines, character: r.startPos.character },
    endPos: { line: r.endPos.line + s.lines, character: r.endPos.character },
  };
}

function ref(r: VmRef, d: number): VmRef {
  return { name: r.name, namespace: r.namespace, offset: r.offset + d };
}

function annotation(a: VmAnnotation, d: number): VmAnnotation {
  return { key: a.key, value: a.value, keyRange: range(a.keyRange, d), valueRange: optRange(a.valueRange, d), on: a.on };
}

function network(n: VmNetwork, d: number): VmNetwork {
  const out: VmNetwork = { ...n };
  if (n.interfaceRange) out.interfaceRange = range(n.interfaceRange, d);
  if (n.macAddress) out.macAddress = { value: n.macAddress.value, range: range(n.macAddress.range, d) };
  return out;
}

export function shiftVmInfo(v: VmDocInfo, s: Shift): VmDocInfo {
  const d = s.offset;
  return {
    ...v,
    ref: ref(v.ref, d),
    docIndex: v.docIndex + s.docIndex,
    range: range(v.range, d),
    docRange: range(v.docRange, d),
    nameRange: optRange(v.nameRange, d),
    templateAnnotationsRange: optRange(v.templateAnnotationsRange, d),
    annotations: v.annotations.map((a) => annotation(a, d)),
    pinnedIp: v.pinnedIp && { value: v.pinnedIp.value, range: range(v.pinnedIp.range, d) },
    logicalSwitch: v.logicalSwitch && { value: v.logicalSwitch.value, range: range(v.logicalSwitch.range, d) },
    networks: v.networks.map((n) => network(n, d)),
    running: v.running && { value: v.running.value, range: range(v.running.range, d), keyRange: range(v.running.keyRange, d) },
  };
}

function args(a: LensArgs, d: number): LensArgs {
  return { ...a, vm: ref(a.vm, d) };
}

export function shiftLens(l: LensModel, s: Shift, at: TextRange): LensModel {
  return { ...l, range: at, args: l.args.map((a) => args(a, s.offset)) };
}

function fix(f: QuickFix, d: number): QuickFix {
  // a lazy fix moves without building its edits
  if (f instanceof LazyFix) return f.moved(d);
  const out: { -readonly [K in keyof QuickFix]: QuickFix[K] } = { ...f };
  if (f.edits) out.edits = f.edits.map((e) => ({ offset: e.offset + d, length: e.length, newText: e.newText }));
  if (f.command) out.command = { id: f.command.id, args: f.command.args.map((a) => args(a, d)) };
  return out;
}

export function shiftDiagnostic(x: VmDiagnostic, s: Shift): VmDiagnostic {
  return { ...x, range: shiftTextRange(x.range, s), fixes: x.fixes.map((f) => fix(f, s.offset)) };
}

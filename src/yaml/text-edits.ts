// Minimal text edits on a YAML document, placed with the light tree's offsets: new pairs go on
// their own line at the map's indentation, replaced scalars keep their quoting style, removed
// pairs take exactly their own lines. Nothing outside the edited node is rewritten, so comments,
// key order, quoting and line endings survive. edit-check.ts re-parses the result with the `yaml`
// package to prove the change is the intended one.
import type { YMap, YNode, YPair, YScalar, YSeq } from './yaml-tree';

export interface TextEdit {
  offset: number;
  length: number;
  newText: string;
}

export class EditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EditError';
  }
}

/** Applies non-overlapping edits (any order). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.offset - a.offset || b.length - a.length);
  let out = text;
  let limit = Infinity;
  for (const e of sorted) {
    if (e.offset + e.length > limit) throw new EditError('internal: overlapping edits');
    out = out.slice(0, e.offset) + e.newText + out.slice(e.offset + e.length);
    limit = e.offset;
  }
  return out;
}

export function eolOf(text: string, near = 0): '\n' | '\r\n' {
  const nl = text.indexOf('\n', near);
  const at = nl >= 0 ? nl : text.indexOf('\n');
  return at > 0 && text.charCodeAt(at - 1) === 13 ? '\r\n' : '\n';
}

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset of the start of the line after the one holding `offset` (text.length at the end). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

export function columnOf(text: string, offset: number): number {
  return offset - lineStartOf(text, offset);
}

const PLAIN_UNSAFE = /^(?:[-?:,[\]{}#&*!|>'"%@`\s]|$)|[\s]$|: |\s#|^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|0x[0-9a-f]+|0o[0-7]+|[-+]?\.(?:inf)|\.nan)$/i;

export type Quote = '"' | "'";

/** A scalar as YAML source: plain when that reads back as the same string, else quoted. */
export function formatScalar(value: string, quote: Quote, forceQuote = false): string {
  // values with ':' (MACs, IPv6, times) are quoted: YAML 1.1 readers may take 01:02:03 as a number
  if (!forceQuote && !PLAIN_UNSAFE.test(value) && !/[\n\t\\:]/.test(value)) return value;
  if (quote === "'" && !/[\n\t]/.test(value)) return `'${value.replaceAll("'", "''")}'`;
  return JSON.stringify(value);
}

/** The quote character the map's values already use, if any (to match the file's habits). */
export function quoteUsedIn(map: YMap | undefined): Quote | undefined {
  if (!map) return undefined;
  for (const p of map.pairs) {
    if (p.value?.kind === 'scalar') {
      if (p.value.style === 'double') return '"';
      if (p.value.style === 'single') return "'";
    }
  }
  return undefined;
}

function ensureEditable(node: YNode, what: string): void {
  if (node.alias) {
    throw new EditError(`${what} comes from the alias *${node.alias.name}; edit the anchored node or write it out in full first`);
  }
}

/** Replaces a scalar's text, keeping its quoting style. */
export function replaceScalar(node: YScalar, value: string, fallbackQuote: Quote = '"'): TextEdit {
  ensureEditable(node, 'the value');
  let newText: string;
  if (node.style === 'double') newText = JSON.stringify(value);
  else if (node.style === 'single') newText = formatScalar(value, "'", true);
  else newText = formatScalar(value, fallbackQuote);
  return { offset: node.start, length: node.end - node.start, newText };
}

/** Indentation step used in this document (child key column minus parent key column). */
export function indentStep(root: YNode | null): number {
  let step = 0;
  const visit = (n: YNode | null, depth: number): void => {
    if (!n || step || depth > 6) return;
    if (n.kind === 'map' && !n.flow) {
      for (const p of n.pairs) {
        const v = p.value;
        if (v && v.kind === 'map' && !v.flow && v.indent > n.indent) { step = v.indent - n.indent; return; }
        visit(v, depth + 1);
      }
    } else if (n.kind === 'seq' && !n.flow) {
      for (const i of n.items) visit(i, depth + 1);
    }
  };
  visit(root, 0);
  return step || 2;
}

export interface InsertStyle {
  eol: '\n' | '\r\n';
  step: number;
}

/** Block YAML lines for nested keys: ['a','b'] + 'k: v' → "a:\n  b:\n    k: v". */
function nestedLines(path: readonly string[], leaf: string[], indent: number, s: InsertStyle): string {
  let out = '';
  let ind = indent;
  for (const k of path) {
    out += `${' '.repeat(ind)}${k}:${s.eol}`;
    ind += s.step;
  }
  for (const l of leaf) out += `${' '.repeat(ind)}${l}${s.eol}`;
  return out;
}

/** Where a new line goes after a node: the start of the next line, adding a line break at EOF. */
function afterLine(text: string, end: number, s: InsertStyle): { offset: number; prefix: string } {
  const nl = text.indexOf('\n', end);
  if (nl < 0) return { offset: text.length, prefix: s.eol };
  // a comment on the node's last line stays with it
  return { offset: nl + 1, prefix: '' };
}

/**
 * Adds `key: value` lines (or a nested path of maps ending in them) to a map. `leaf` holds the
 * lines relative to the innermost map, e.g. ['ovn.kubernetes.io/ip_address: 10.16.0.5'].
 */
export function insertIntoMap(text: string, map: YMap, path: readonly string[], leaf: string[], s: InsertStyle, flowLeaf?: string[]): TextEdit {
  ensureEditable(map, 'this map');
  if (map.flow) {
    const inner = path.length === 0 ? (flowLeaf ?? leaf).join(', ') : path.reduceRight((acc, k) => `${k}: {${acc}}`, (flowLeaf ?? leaf).join(', '));
    if (map.pairs.length === 0) return { offset: map.start, length: map.end - map.start, newText: `{${inner}}` };
    const last = map.pairs[map.pairs.length - 1];
    const at = last.value ? last.value.end : last.colonEnd;
    return { offset: at, length: 0, newText: `, ${inner}` };
  }
  const { offset, prefix } = afterLine(text, map.end, s);
  return { offset, length: 0, newText: prefix + nestedLines(path, leaf, map.indent, s) };
}

/**
 * Fills a pair whose value is empty (`annotations:`) or an empty flow map (`annotations: {}`)
 * with nested block lines under it.
 */
export function fillEmptyPair(text: string, pair: YPair, parentIndent: number, path: readonly string[], leaf: string[], s: InsertStyle): TextEdit {
  const v = pair.value;
  if (v && !(v.kind === 'map' && v.pairs.length === 0) && !(v.kind === 'scalar' && v.style === 'plain' && (v.value === '' || v.value === 'null' || v.value === '~'))) {
    throw new EditError(`"${pair.key.value}" holds a value that is not a map`);
  }
  if (v) ensureEditable(v, `"${pair.key.value}"`);
  const body = nestedLines(path, leaf, parentIndent + s.step, s);
  const from = pair.colonEnd;
  const to = v ? v.end : pair.colonEnd;
  // keep a trailing comment on the key's line where it was
  const lineEnd = text.indexOf('\n', to);
  const eolAt = lineEnd < 0 ? text.length : text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
  const rest = text.slice(to, eolAt);
  const keep = /^\s*#/.test(rest) ? rest : '';
  return { offset: from, length: eolAt - from, newText: keep + s.eol + body.slice(0, -s.eol.length) };
}

/** Removes a pair with its own lines; a first pair on a `- ` line gives its place to the next one. */
export function removePair(text: string, map: YMap, pair: YPair): TextEdit {
  ensureEditable(map, 'this map');
  const idx = map.pairs.indexOf(pair);
  if (idx < 0) throw new EditError('internal: pair not in map');
  if (map.flow) {
    const prev = map.pairs[idx - 1];
    const next = map.pairs[idx + 1];
    const pairEnd = pair.value ? pair.value.end : pair.colonEnd;
    if (prev) return { offset: prev.value ? prev.value.end : prev.colonEnd, length: pairEnd - (prev.value ? prev.value.end : prev.colonEnd), newText: '' };
    if (next) return { offset: pair.key.start, length: next.key.start - pair.key.start, newText: '' };
    return { offset: map.start, length: map.end - map.start, newText: '{}' };
  }
  const ls = lineStartOf(text, pair.key.start);
  const before = text.slice(ls, pair.key.start);
  const pairEnd = pair.value ? pair.value.end : pair.colonEnd;
  if (/^\s*$/.test(before)) return { offset: ls, length: nextLineStart(text, pairEnd) - ls, newText: '' };
  const next = map.pairs[idx + 1];
  if (next) return { offset: pair.key.start, length: next.key.start - pair.key.start, newText: '' };
  throw new EditError(`cannot remove "${pair.key.value}": it is the only key of a list item`);
}

/** Appends an item (given as lines relative to the item's `- `) to a sequence. */
export function appendToSeq(text: string, seq: YSeq, itemLines: string[], flowItem: string, s: InsertStyle): TextEdit {
  ensureEditable(seq, 'this list');
  if (seq.flow) {
    if (seq.items.length === 0) return { offset: seq.start, length: seq.end - seq.start, newText: `[${flowItem}]` };
    const last = seq.items[seq.items.length - 1];
    return { offset: last ? last.end : seq.end - 1, length: 0, newText: `, ${flowItem}` };
  }
  const { offset, prefix } = afterLine(text, seq.end, s);
  const ind = ' '.repeat(seq.indent);
  const lines = itemLines.map((l, i) => (i === 0 ? `${ind}- ${l}` : `${ind}  ${l}`));
  return { offset, length: 0, newText: prefix + lines.join(s.eol) + s.eol };
}

/** Renames a key in place (keeps its quoting style). */
export function renameKey(key: YScalar, newKey: string): TextEdit {
  ensureEditable(key, 'the key');
  const text = key.style === 'double' ? JSON.stringify(newKey) : key.style === 'single' ? `'${newKey}'` : newKey;
  return { offset: key.start, length: key.end - key.start, newText: text };
}

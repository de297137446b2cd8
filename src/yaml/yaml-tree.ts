// A light, read-only YAML tree with source offsets: what VM analysis and the edit builders need,
// nothing more. Two producers fill it: the fast block-YAML scanner (fast-scan.ts) for the plain
// documents people write, and the `yaml` package (tree-from-yaml.ts) for everything else
// (anchors, tags, multi-line flow, syntax errors). Offsets are UTF-16 code units into the whole
// file text, i.e. what editors call offsets.

export interface YBase {
  /** first character of the node (a quote, `{`, `[`, a block header `|`, or a block map's first key) */
  start: number;
  /** just after the node's last content character (no trailing comment or line break) */
  end: number;
  /** set when the node was reached through an alias (`*name`): edits must not touch it */
  alias?: { start: number; end: number; name: string };
}

export type ScalarStyle = 'plain' | 'single' | 'double' | 'block';

export interface YScalar extends YBase {
  kind: 'scalar';
  /** the scalar's string value (plain scalars are not resolved to numbers or booleans) */
  value: string;
  style: ScalarStyle;
}

export interface YPair {
  key: YScalar;
  /** null for `key:` with nothing after it */
  value: YNode | null;
  /** offset just after the `:` */
  colonEnd: number;
}

export interface YMap extends YBase {
  kind: 'map';
  flow: boolean;
  pairs: YPair[];
  /** column of the keys for block maps; -1 for flow maps */
  indent: number;
}

export interface YSeq extends YBase {
  kind: 'seq';
  flow: boolean;
  items: (YNode | null)[];
  /** column of the `-` for block sequences; -1 for flow sequences */
  indent: number;
}

/**
 * A value the scanner skipped because no reader asked for it (see Selection in fast-scan.ts):
 * only its extent is known.
 */
export interface YOpaque extends YBase {
  kind: 'opaque';
}

export type YNode = YMap | YSeq | YScalar | YOpaque;

export interface YDocError {
  message: string;
  start: number;
  end: number;
}

export interface YDoc {
  /** the document's region in the file, from its `---` line (if any) to the next marker */
  start: number;
  end: number;
  root: YNode | null;
  errors: YDocError[];
  /** true when the `yaml` package built the tree (the fast scanner declined this document) */
  viaYamlPackage: boolean;
}

export function getPair(node: YNode | null | undefined, key: string): YPair | undefined {
  if (!node || node.kind !== 'map') return undefined;
  // the last occurrence wins, as in Kubernetes' decoder for duplicate keys
  for (let i = node.pairs.length - 1; i >= 0; i--) if (node.pairs[i].key.value === key) return node.pairs[i];
  return undefined;
}

export function getIn(node: YNode | null | undefined, path: readonly string[]): YNode | null | undefined {
  let cur: YNode | null | undefined = node;
  for (const k of path) {
    const p = getPair(cur, k);
    if (!p) return undefined;
    cur = p.value;
  }
  return cur;
}

export function scalarValue(node: YNode | null | undefined): string | undefined {
  return node && node.kind === 'scalar' ? node.value : undefined;
}

export function asMap(node: YNode | null | undefined): YMap | undefined {
  return node && node.kind === 'map' ? node : undefined;
}

export function asSeq(node: YNode | null | undefined): YSeq | undefined {
  return node && node.kind === 'seq' ? node : undefined;
}

/** Plain JS value of a node, for tests and for comparing the two producers. */
export function toPlain(node: YNode | null): unknown {
  if (!node) return null;
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'opaque') return '…';
  if (node.kind === 'seq') return node.items.map((i) => toPlain(i));
  const o: Record<string, unknown> = {};
  for (const p of node.pairs) o[p.key.value] = toPlain(p.value);
  return o;
}

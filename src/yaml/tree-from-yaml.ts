// Builds the light tree from the `yaml` package's Document for the documents the fast scanner
// declines: anchors and aliases (resolved, and marked so edits avoid them), `<<` merge keys,
// tags, multi-line flow and quoted scalars, and documents with syntax errors.
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { DocRegion } from './fast-scan';
import { fixEnds } from './fast-scan';
import type { YDoc, YDocError, YMap, YNode, YPair, YScalar, YSeq } from './yaml-tree';

type AnyDoc = Document.Parsed;

function styleOf(type: string | undefined): YScalar['style'] {
  switch (type) {
    case 'QUOTE_SINGLE': return 'single';
    case 'QUOTE_DOUBLE': return 'double';
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED': return 'block';
    default: return 'plain';
  }
}

class Converter {
  private readonly seen = new Map<YamlNode, YNode>();

  constructor(private readonly doc: AnyDoc, private readonly text: string, private readonly base: number) {}

  convert(node: unknown, depth = 0): YNode | null {
    if (depth > 200) return null;
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) return null;
      const resolved = this.convert(target, depth + 1);
      if (!resolved) return null;
      const [s, e] = node.range ?? [0, 0];
      return { ...resolved, alias: { start: this.base + s, end: this.base + e, name: node.source } } as YNode;
    }
    const yn = node as YamlNode;
    const cached = this.seen.get(yn);
    if (cached) return cached;
    const [s0, s1] = yn.range ?? [0, 0, 0];
    const start = this.base + s0;
    if (isScalar(node)) {
      const style = styleOf(node.type);
      // `key:` with nothing after it: no node, as the fast scanner has it
      if (node.value === null && style === 'plain' && s1 <= s0) return null;
      let end = this.base + s1;
      if (style === 'block') while (end > start && /\s/.test(this.text[end - 1])) end--;
      const v = node.value;
      const value = typeof v === 'string' ? v : style === 'plain' ? this.text.slice(start, end).trim() : String(v);
      const out: YScalar = { kind: 'scalar', start, end, value, style };
      this.seen.set(yn, out);
      return out;
    }
    if (isMap(node)) {
      const out: YMap = { kind: 'map', start, end: node.flow ? this.base + s1 : start, flow: !!node.flow, pairs: [], indent: node.flow ? -1 : this.column(start) };
      this.seen.set(yn, out);
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = this.convert(item.key, depth + 1);
        if (!key || key.kind !== 'scalar') continue;
        const value = this.convert(item.value, depth + 1);
        if (key.value === '<<' && key.style === 'plain' && value) {
          // merge keys (supported by Kubernetes' YAML decoder): keys already present win
          const sources = value.kind === 'seq' ? value.items : [value];
          for (const src of sources) {
            if (!src || src.kind !== 'map') continue;
            for (const p of src.pairs) {
              if (!out.pairs.some((q) => q.key.value === p.key.value) && !node.items.some((q) => isPair(q) && isScalar(q.key) && String(q.key.value) === p.key.value)) {
                out.pairs.push({ ...p, value: p.value ? markAlias(p.value, value.alias) : null });
              }
            }
          }
          continue;
        }
        const colon = this.text.indexOf(':', key.end) + 1;
        const pair: YPair = { key, value, colonEnd: colon };
        out.pairs.push(pair);
      }
      return out;
    }
    if (isSeq(node)) {
      const out: YSeq = { kind: 'seq', start, end: node.flow ? this.base + s1 : start, flow: !!node.flow, items: [], indent: node.flow ? -1 : this.column(start) };
      this.seen.set(yn, out);
      for (const item of node.items) out.items.push(this.convert(item, depth + 1));
      return out;
    }
    return null;
  }

  private column(offset: number): number {
    const nl = this.text.lastIndexOf('\n', offset - 1);
    return offset - (nl + 1);
  }
}

function markAlias(node: YNode, alias: YNode['alias']): YNode {
  return alias && !node.alias ? ({ ...node, alias } as YNode) : node;
}

function errorsOf(doc: AnyDoc, base: number): YDocError[] {
  return doc.errors.map((e) => ({
    message: e.message.split('\n')[0],
    start: base + e.pos[0],
    end: base + Math.max(e.pos[1], e.pos[0] + 1),
  }));
}

function toYDoc(doc: AnyDoc, text: string, base: number, region: DocRegion): YDoc {
  const conv = new Converter(doc, text, base);
  const root = conv.convert(doc.contents);
  if (root) fixEnds(root);
  return { start: region.start, end: region.end, root, errors: errorsOf(doc, base), viaYamlPackage: true };
}

/** One region parsed by the yaml package (offsets shifted into the whole file). */
export function parseRegionWithYaml(text: string, region: DocRegion): YDoc {
  const slice = text.slice(region.start, region.end);
  const doc = parseDocument(slice, { keepSourceTokens: false, uniqueKeys: false, strict: false, prettyErrors: false });
  return toYDoc(doc, text, region.start, region);
}

/** The whole stream through the yaml package, for streams the splitter cannot cut (directives). */
export function parseStreamWithYaml(text: string): YDoc[] {
  const docs = parseAllDocuments(text, { uniqueKeys: false, strict: false, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  return list.map((d) => toYDoc(d, text, 0, { start: d.range[0], end: d.range[2] }));
}

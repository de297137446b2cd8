// A multi-document YAML stream as light trees: each document through the fast scanner when it
// can, through the `yaml` package when it cannot (see fast-scan.ts for the split of work).
import { DocumentScanner, scanDocument, splitDocuments, type Selection } from './fast-scan';
import { parseRegionWithYaml, parseStreamWithYaml } from './tree-from-yaml';
import type { YDoc } from './yaml-tree';

export interface StreamOptions {
  /** skip the fast scanner (tests use this to compare both producers) */
  yamlPackageOnly?: boolean;
  /** build only what this selection names; other values become opaque nodes */
  select?: Selection;
}

/** Documents with content, in file order; comment-only regions are dropped. */
export function parseYamlStream(text: string, opts: StreamOptions = {}): YDoc[] {
  const regions = splitDocuments(text);
  if (!regions) return parseStreamWithYaml(text).filter((d) => d.root || d.errors.length > 0);
  const out: YDoc[] = [];
  const scanner = opts.yamlPackageOnly ? undefined : new DocumentScanner(text, opts.select);
  for (const region of regions) {
    const fast = scanner?.scan(region);
    const doc: YDoc = fast ? { start: region.start, end: region.end, root: fast.root, errors: [], viaYamlPackage: false } : parseRegionWithYaml(text, region);
    if (doc.root || doc.errors.length > 0) out.push(doc);
  }
  return out;
}

/** Only the document region that contains `offset` (edits re-read just the document they touch). */
export function parseYamlDocumentAt(text: string, offset: number): YDoc | undefined {
  const regions = splitDocuments(text);
  if (!regions) return parseStreamWithYaml(text).find((d) => d.start <= offset && offset < Math.max(d.end, d.start + 1));
  const region = regions.find((r) => r.start <= offset && offset < r.end) ?? regions[regions.length - 1];
  const fast = scanDocument(text, region);
  return fast ? { start: region.start, end: region.end, root: fast.root, errors: [], viaYamlPackage: false } : parseRegionWithYaml(text, region);
}

// A VM as a plain object, for `Apply to cluster` (server-side apply takes the object, not the
// file's text): the document is read with the `yaml` package so anchors and merge keys resolve,
// and a VM inside a `kind: List` comes out on its own.
import { parseAllDocuments } from 'yaml';
import { EditError } from './text-edits';
import type { VmRef } from './vm-documents';
import { locateVm } from './vm-edits';

export function vmObject(text: string, ref: VmRef): Record<string, unknown> {
  const found = locateVm(text, ref);
  const region = found.nodes.doc;
  const docs = parseAllDocuments(text.slice(region.start, region.end), { merge: true, uniqueKeys: false });
  const doc = (Array.isArray(docs) ? docs : []).find((d) => d.contents !== null);
  if (!doc || doc.errors.length > 0) throw new EditError(`the document holding VM ${ref.name} has YAML errors: fix them first`);
  const node = found.nodes.path.length > 0 ? doc.getIn(found.nodes.path, true) : doc.contents;
  const js = (node as { toJSON?: () => unknown } | null)?.toJSON?.() ?? doc.toJS();
  if (!js || typeof js !== 'object' || Array.isArray(js)) throw new EditError(`VM ${ref.name} is not a mapping`);
  return js as Record<string, unknown>;
}

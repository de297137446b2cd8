// Proof that a set of text edits made exactly the intended change: the edited document is
// re-parsed with the `yaml` package and compared, as plain data, with the original document
// changed through the yaml Document API (setIn/deleteIn). A mismatch is a bug in an edit
// builder; it is reported instead of writing a file that means something else.
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, type Document } from 'yaml';
import { applyEdits, EditError, type TextEdit } from './text-edits';

export type ExpectedChange = (doc: Document.Parsed) => void;

function parseJs(text: string): { values: unknown[]; errors: string[] } {
  const docs = parseAllDocuments(text, { merge: true, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [];
  return {
    values: list.filter((d) => d.contents !== null || d.errors.length > 0).map((d) => d.toJS({ maxAliasCount: -1 })),
    errors: list.flatMap((d) => d.errors.map((e) => e.message.split('\n')[0])),
  };
}

/**
 * Checks edits that stay inside the document region [start, end) (insertions at `end` count as
 * inside). `extraDocs` are documents the edits append after it (e.g. a NetworkAttachmentDefinition).
 */
export function checkEdits(text: string, region: { start: number; end: number }, edits: readonly TextEdit[], change: ExpectedChange, extraDocs: unknown[] = []): string {
  for (const e of edits) {
    if (e.offset < region.start || e.offset + e.length > region.end) throw new EditError('internal: an edit reaches outside its document');
  }
  const after = applyEdits(text, edits);
  const delta = after.length - text.length;
  const oldSlice = text.slice(region.start, region.end);
  const newSlice = after.slice(region.start, region.end + delta);
  const docs = parseAllDocuments(oldSlice, { merge: true, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [];
  const target = list.find((d) => d.contents !== null);
  if (!target) throw new EditError('internal: the document to edit is empty');
  change(target);
  const expected = [...list.filter((d) => d.contents !== null).map((d) => d.toJS({ maxAliasCount: -1 })), ...extraDocs];
  const actual = parseJs(newSlice);
  if (actual.errors.length > 0) throw new EditError(`internal: the edit would break the YAML (${actual.errors[0]}); please report this with the file`);
  if (!isDeepStrictEqual(actual.values, expected)) {
    throw new EditError('internal: the edit would change more than intended; nothing was written — please report this with the file');
  }
  return after;
}

// A quick fix whose text edits are built when someone first reads them (an editor asking for
// the code actions at one place, `--json` output, tests), not while the file is analysed: a
// first analysis of a big file builds no edit it may never need and keeps no tree for them.
// The VM is read again from its document's own text, which the analysis cache holds anyway.
import { DocumentScanner, VM_SELECTION } from './fast-scan';
import { EditError, type TextEdit } from './text-edits';
import { parseRegionWithYaml } from './tree-from-yaml';
import { findVms, type FoundVm } from './vm-documents';

/** Builds a fix's edits on one VM of `text` (offsets into `text`). */
export type FixBuilder = (text: string, found: FoundVm) => TextEdit[];

/** A document region's text, where it starts in the file, and which VM of it a fix is about. */
export interface FixSource {
  text: string;
  offset: number;
  vm: number;
}

export class LazyFix {
  readonly title: string;
  readonly preferred: boolean;
  readonly #src: FixSource;
  readonly #build: FixBuilder;
  /** characters the document moved since the fix was made */
  readonly #delta: number;
  #edits: TextEdit[] | undefined;

  constructor(title: string, preferred: boolean, src: FixSource, build: FixBuilder, delta = 0) {
    this.title = title;
    this.preferred = preferred;
    this.#src = src;
    this.#build = build;
    this.#delta = delta;
  }

  /** The edits, in the file's offsets; none when the edit cannot be made after all (EditError). */
  get edits(): TextEdit[] {
    if (this.#edits) return this.#edits;
    const { text, offset, vm } = this.#src;
    const region = { start: 0, end: text.length };
    const root = new DocumentScanner(text, VM_SELECTION).scan(region)?.root;
    const doc = root !== undefined ? { ...region, root, errors: [], viaYamlPackage: false } : parseRegionWithYaml(text, region);
    const found = findVms([doc])[vm];
    let edits: TextEdit[] = [];
    try {
      if (found) edits = this.#build(text, found);
    } catch (e) {
      if (!(e instanceof EditError)) throw e;
    }
    const d = offset + this.#delta;
    this.#edits = edits.map((x) => ({ offset: x.offset + d, length: x.length, newText: x.newText }));
    return this.#edits;
  }

  /** The same fix for the document moved by d characters. */
  moved(d: number): LazyFix {
    return new LazyFix(this.title, this.preferred, this.#src, this.#build, this.#delta + d);
  }

  /** As an eager fix prints: `--json` output and tests see the edits. */
  toJSON(): { title: string; edits: TextEdit[]; preferred: boolean } {
    return { title: this.title, edits: this.edits, preferred: this.preferred };
  }
}

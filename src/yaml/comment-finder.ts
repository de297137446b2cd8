// Where `#` comments start on a line, for the two line readers (fast-scan.ts's Scanner and
// vm-fast-read.ts's VmFastReader). Most lines of a VM file hold no `#` at all, so the next `#` in
// the text is remembered: a line that ends before it needs one comparison instead of a walk.
// One finder serves one text, read from its start to its end.
const SP = 32;
const TAB = 9;
const HASH = 35;

export class CommentFinder {
  /** the first `#` at or after the last position asked about (Infinity: none left in the text) */
  private hashAt = -1;

  constructor(private readonly text: string) {}

  /** Whether no `#` at all sits in [p, end). */
  private noHash(p: number, end: number): boolean {
    if (this.hashAt < p) {
      const h = this.text.indexOf('#', p);
      this.hashAt = h < 0 ? Infinity : h;
    }
    return this.hashAt >= end;
  }

  /** Where a ` #` comment starts in [p, le), or le; a quote before it means "don't know" (le). */
  start(p: number, le: number): number {
    if (this.noHash(p, le)) return le;
    const { text } = this;
    for (let i = p; i < le; i++) {
      const c = text.charCodeAt(i);
      if (c === 34 || c === 39) return le;
      if (c === HASH && i > p && text.charCodeAt(i - 1) === SP) return i;
    }
    return le;
  }

  /** Where the first `#` after a blank (space or tab) starts in (p, end), or end; quotes not considered. */
  afterBlank(p: number, end: number): number {
    if (this.noHash(p, end)) return end;
    const { text } = this;
    for (let i = p + 1; i < end; i++) {
      if (text.charCodeAt(i) === HASH && (text.charCodeAt(i - 1) === SP || text.charCodeAt(i - 1) === TAB)) return i;
    }
    return end;
  }
}

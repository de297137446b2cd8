// Coalesces store events into one tree refresh per quiet period: a burst of 10k "added" events
// (a first sync, a kubectl apply of many objects) becomes one onDidChangeTreeData, and a single
// change still shows within the debounce delay. Keys are node ids; the tree decides what each means.

export class RefreshQueue {
  private pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private firstAt = 0;

  /**
   * @param flush gets every key queued since the last flush
   * @param delayMs quiet time before flushing (default 100 ms)
   * @param maxDelayMs a steady stream of events still flushes this often, so the tree never lags more than this
   */
  constructor(
    private readonly flush: (keys: Set<string>) => void,
    private readonly delayMs = 100,
    private readonly maxDelayMs = 400,
  ) {}

  add(...keys: string[]): void {
    if (keys.length === 0) return;
    for (const k of keys) this.pending.add(k);
    const now = Date.now();
    if (this.timer === undefined) this.firstAt = now;
    else clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.delayMs, this.firstAt + this.maxDelayMs - now));
    this.timer = setTimeout(() => this.run(), wait);
  }

  get size(): number {
    return this.pending.size;
  }

  private run(): void {
    this.timer = undefined;
    const keys = this.pending;
    this.pending = new Set();
    if (keys.size > 0) this.flush(keys);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}

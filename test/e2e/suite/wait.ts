// Waiting helper shared by the in-editor tests: the editor answers asynchronously (diagnostics,
// lenses, tree refreshes), so each test polls for the state it expects, with a deadline that
// names what it was waiting for.

/** Polls `probe` until it returns something other than undefined, or fails after `ms`. */
export async function until<T>(probe: () => T | undefined | Promise<T | undefined>, ms: number, what: string, pollMs = 25): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

// One writer at a time per lab. A lab started with --kube has a background `lab controller` that
// reconciles on every API change, while `lab apply`, the editor's buttons and the guided labs
// reconcile the same lab from their own processes: two passes at once create the same IP object
// twice ("already exists"), plug or unplug the same VM namespace and save lab state over each
// other. A lock file in the lab directory (O_EXCL create, holding the owner's pid) serialises them
// across processes; a lock whose owner is gone is taken over.
import { open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const LAB_LOCK_FILE = 'controller.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ownerOf(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `fn` while holding the lab's lock; waits (polling) while another process or another call
 * holds it. Not re-entrant: code already inside must not call it again.
 */
export async function withLabLock<T>(labDir: string, fn: () => Promise<T>, opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<T> {
  const path = join(labDir, LAB_LOCK_FILE);
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const start = Date.now();
  for (;;) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = await ownerOf(path);
    // a lock without a pid may be one being written right now; it is stale only once it is old
    const stale = owner === undefined ? Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? Date.now()) > 5_000 : !alive(owner);
    if (stale) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error(`another ovnlab process (pid ${owner ?? '?'}) has been changing the lab in ${labDir} for over ${Math.round(timeoutMs / 1000)} s: wait for it, or stop it (kill ${owner ?? '<pid>'}) and try again`);
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}

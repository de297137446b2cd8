// The lab lock that keeps `lab apply` (or an editor button) and the background lab controller
// from reconciling the same lab at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LAB_LOCK_FILE, withLabLock } from '../../src/lab/local/controller/lab-lock';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function labDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ovnlab-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('two changes to one lab run one after the other, never interleaved', async (t) => {
  const dir = labDir(t);
  const log: string[] = [];
  const change = (name: string) => withLabLock(dir, async () => {
    log.push(`${name} in`);
    await sleep(60);
    log.push(`${name} out`);
  }, { pollMs: 5 });
  await Promise.all([change('a'), change('b'), change('c')]);
  for (let i = 0; i < log.length; i += 2) assert.equal(log[i].split(' ')[0], log[i + 1].split(' ')[0], `interleaved: ${log.join(', ')}`);
  assert.equal(existsSync(join(dir, LAB_LOCK_FILE)), false, 'the lock is released');
});

test('the lock is released when the change throws', async (t) => {
  const dir = labDir(t);
  await assert.rejects(withLabLock(dir, async () => { throw new Error('boom'); }), /boom/);
  assert.equal(existsSync(join(dir, LAB_LOCK_FILE)), false);
  assert.equal(await withLabLock(dir, async () => 42), 42);
});

test('a lock left by a process that is gone is taken over', async (t) => {
  const dir = labDir(t);
  const gone = execa('true');
  const pid = gone.pid!;
  await gone;
  writeFileSync(join(dir, LAB_LOCK_FILE), `${pid}\n`);
  const t0 = Date.now();
  assert.equal(await withLabLock(dir, async () => 'ran', { timeoutMs: 2_000 }), 'ran');
  assert.ok(Date.now() - t0 < 1_000, 'did not wait for a dead owner');
});

test('a lock held by a live process is waited for, then the wait gives up naming that process', async (t) => {
  const dir = labDir(t);
  // another process holding the lock: a live pid that is not ours
  const holder = execa('sleep', ['30']);
  t.after(() => { holder.kill(); });
  writeFileSync(join(dir, LAB_LOCK_FILE), `${holder.pid}\n`);
  const t0 = Date.now();
  await assert.rejects(withLabLock(dir, async () => 'ran', { timeoutMs: 300, pollMs: 20 }), new RegExp(`pid ${holder.pid}\\).*kill ${holder.pid}`));
  assert.ok(Date.now() - t0 >= 300, 'it waited');
  // once the holder is gone, the next change goes ahead
  holder.kill();
  await holder.catch(() => undefined);
  assert.equal(await withLabLock(dir, async () => 'ran', { timeoutMs: 2_000 }), 'ran');
});

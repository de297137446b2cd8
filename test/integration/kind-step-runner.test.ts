// The kind lab's step runner on real child processes (node scripts, no shell): events in
// order, resume by isDone, a failing step's stderr tail, a timeout and a cancellation that kill
// the child's whole process group, and the run state a later `down` reads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PlanStep } from '../../src/lab/kind/plan';
import { StepFailedError, runCommand, runPlan, tail, type RunState, type StepEvent } from '../../src/lab/kind/step-runner';

const script = resolve('test/fixtures/kind-runner/fake-step.mjs');
const tools = { node: process.execPath };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForFile(p: string, ms = 30_000): Promise<string> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const t = await readFile(p, 'utf8');
      if (t.includes(' ')) return t;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${p} never appeared`);
}

async function waitDead(pids: number[], ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pids.every((p) => !alive(p))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pids.every((p) => !alive(p));
}

function step(id: string, args: string[], extra: Partial<PlanStep> = {}): PlanStep {
  return { id, title: `step ${id}`, run: { type: 'command', argv: ['node', script, ...args] }, timeoutMs: 20_000, ...extra };
}

describe('kind step runner', () => {
  let dir: string;
  const leftovers: number[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ovnlab-kind-runner-'));
  });
  after(async () => {
    for (const p of leftovers) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  function freshState(): { state: RunState; saved: string[]; persist: (s: RunState) => Promise<void> } {
    const saved: string[] = [];
    return { state: { steps: {}, created: [] }, saved, persist: async (s) => void saved.push(JSON.stringify(s)) };
  }

  test('runs steps in order and reports start, output and done for each', async () => {
    const { state, persist } = freshState();
    const events: StepEvent[] = [];
    await runPlan([step('a', ['ok', 'a']), step('b', ['ok', 'b']), step('c', ['ok', 'c'])], { tools, state, persist, onEvent: (e) => events.push(e) });
    const order = events.filter((e) => e.type !== 'output').map((e) => `${e.type}:${e.id}`);
    assert.deepEqual(order, ['step-start:a', 'step-done:a', 'step-start:b', 'step-done:b', 'step-start:c', 'step-done:c']);
    const out = events.filter((e): e is Extract<StepEvent, { type: 'output' }> => e.type === 'output' && e.id === 'b');
    assert.ok(out.some((e) => e.stream === 'stdout' && e.line === 'step b says hello'));
    assert.ok(out.some((e) => e.stream === 'stderr' && e.line === 'step b progress'));
    assert.deepEqual(state.steps, { a: 'done', b: 'done', c: 'done' });
  });

  test('a step whose isDone check holds is skipped (re-running up resumes)', async () => {
    const done = join(dir, 'already');
    const wouldMake = join(dir, 'should-not-exist');
    await writeFile(done, 'x');
    const { state, persist } = freshState();
    const events: StepEvent[] = [];
    await runPlan(
      [step('made', ['touch', wouldMake], { isDone: { argv: ['node', script, 'exists', done] } }), step('next', ['ok', 'next'])],
      { tools, state, persist, onEvent: (e) => events.push(e) },
    );
    assert.equal(existsSync(wouldMake), false, 'the skipped step must not run');
    assert.deepEqual(events.filter((e) => e.type !== 'output').map((e) => `${e.type}:${e.id}`), ['step-skipped:made', 'step-start:next', 'step-done:next']);
    assert.equal(state.steps.made, 'skipped');
  });

  test('a failing step reports the tail of its stderr and stops the plan', async () => {
    const { state, persist } = freshState();
    const events: StepEvent[] = [];
    const never = join(dir, 'never');
    await assert.rejects(
      runPlan([step('bad', ['fail', '40']), step('after', ['touch', never])], { tools, state, persist, onEvent: (e) => events.push(e) }),
      (e: unknown) => {
        assert.ok(e instanceof StepFailedError);
        assert.equal(e.stepId, 'bad');
        assert.match(e.message, /exited with 3/);
        assert.match(e.stderrTail, /error line 40$/);
        assert.match(e.stderrTail, /^error line 21$/m);
        assert.doesNotMatch(e.stderrTail, /^error line 20$/m, 'only the last 20 lines');
        return true;
      },
    );
    assert.equal(state.steps.bad, 'failed');
    assert.equal(existsSync(never), false);
    assert.ok(events.some((e) => e.type === 'step-failed' && e.id === 'bad'));
  });

  test('a step that outlives its timeout is killed with its whole process group', async () => {
    const pidFile = join(dir, 'timeout.pids');
    const { state, persist } = freshState();
    const started = Date.now();
    // long enough for node to start and write its pids on a loaded machine
    await assert.rejects(runPlan([step('slow', ['hang', pidFile], { timeoutMs: 5000 })], { tools, state, persist, killGraceMs: 500 }), /timed out after 5 s/);
    assert.ok(Date.now() - started < 20_000);
    const pids = (await readFile(pidFile, 'utf8')).split(' ').map(Number);
    leftovers.push(...pids);
    assert.equal(await waitDead(pids), true, `child and grandchild ${pids.join(', ')} must be gone`);
    assert.equal(state.steps.slow, 'failed');
  });

  test('cancelling mid-step kills the child group and leaves a state down can act on', async () => {
    const pidFile = join(dir, 'cancel.pids');
    const { state, saved, persist } = freshState();
    const ac = new AbortController();
    const run = runPlan(
      [step('first', ['ok', 'first']), step('cluster', ['hang', pidFile], { creates: { kind: 'kind-cluster', name: 'ovnlab' } }), step('later', ['ok', 'later'])],
      { tools, state, persist, signal: ac.signal, killGraceMs: 500 },
    );
    const pids = (await waitForFile(pidFile)).split(' ').map(Number);
    leftovers.push(...pids);
    assert.ok(pids.every(alive), 'both processes run before the cancel');
    ac.abort();
    await assert.rejects(run, (e: unknown) => e instanceof StepFailedError && e.cancelled && e.stepId === 'cluster');
    assert.equal(await waitDead(pids), true, `child and grandchild ${pids.join(', ')} must be gone`);
    const last = JSON.parse(saved[saved.length - 1] ?? '{}') as RunState;
    assert.deepEqual(last.steps, { first: 'done', cluster: 'cancelled' });
    assert.deepEqual(last.created, [{ kind: 'kind-cluster', name: 'ovnlab' }], 'the cluster is recorded before its step ran');
    // it was persisted before the step started, not only at the end
    const beforeStart = saved.find((s) => (JSON.parse(s) as RunState).steps.cluster === 'running');
    assert.ok(beforeStart && (JSON.parse(beforeStart) as RunState).created.length === 1);
  });

  test('a wait condition is polled until it holds, and a never-true one times out naming what it waited for', async () => {
    const flag = join(dir, 'flag');
    const { state, persist } = freshState();
    await runPlan([step('make-flag', ['touch', flag], { wait: { what: 'the flag file', argv: ['node', script, 'exists', flag], intervalMs: 100 } })], { tools, state, persist });
    assert.equal(state.steps['make-flag'], 'done');
    const missing = join(dir, 'missing');
    await assert.rejects(
      // the action writes a file (no process), so the whole budget goes to the wait, even on a loaded machine
      runPlan(
        [{ id: 'no-flag', title: 'step no-flag', run: { type: 'write-file', path: join(dir, 'written'), content: 'x' }, timeoutMs: 2000, wait: { what: 'a file that never comes', argv: ['node', script, 'exists', missing], intervalMs: 200 } }],
        { tools, state, persist },
      ),
      /waiting for a file that never comes/,
    );
  });

  test('runCommand refuses a tool word it has no executable for, and tail keeps the last lines', async () => {
    await assert.rejects(runCommand(['kind', 'get', 'clusters'], { tools, timeoutMs: 1000 }), /no executable for "kind"/);
    assert.equal(tail('a\nb\nc\n', 2), 'b\nc');
  });
});

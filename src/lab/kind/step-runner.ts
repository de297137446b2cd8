// Runs a kind-lab plan on real child processes: in order, with progress events, skipping steps
// whose isDone check holds (so re-running `up` resumes), waiting on each step's condition
// within its timeout, and cancellable. Each child runs in its own process group so that
// cancelling or timing out kills it with everything it started (kind starts docker, helm
// starts nothing but may hang on the network). Before a step that creates something `down`
// must remove (the cluster, the Docker network), the resource is recorded in the run state and
// persisted, so a run cancelled halfway still leaves a record `down` can act on.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';
import { downloadVerified } from '../pinned-download';
import { FIELD_MANAGER, type Check, type CreatedResource, type PlanStep } from './plan';

export type StepStatus = 'running' | 'done' | 'skipped' | 'failed' | 'cancelled';

/** What a run did so far; kept in the lab's state file. */
export interface RunState {
  steps: Record<string, StepStatus>;
  created: CreatedResource[];
}

export type StepEvent =
  | { type: 'step-start'; id: string; title: string; index: number; total: number }
  | { type: 'step-skipped'; id: string; title: string; index: number; total: number }
  | { type: 'step-waiting'; id: string; what: string }
  | { type: 'step-done'; id: string; index: number; total: number; ms: number }
  | { type: 'step-failed'; id: string; message: string; stderrTail: string }
  | { type: 'output'; id: string; stream: 'stdout' | 'stderr'; line: string };

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  cancelled: boolean;
}

export interface RunCommandOptions {
  /** tool word (argv[0]) → executable path */
  tools: Readonly<Record<string, string>>;
  timeoutMs: number;
  signal?: AbortSignal;
  input?: string;
  env?: NodeJS.ProcessEnv;
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** between SIGTERM to the group and SIGKILL */
  killGraceMs?: number;
}

export class StepFailedError extends Error {
  constructor(
    readonly stepId: string,
    message: string,
    readonly stderrTail: string,
    readonly cancelled = false,
  ) {
    super(message);
    this.name = 'StepFailedError';
  }
}

const TAIL_LINES = 20;

/** The last lines of a process's stderr, for error messages. */
export function tail(text: string, lines = TAIL_LINES): string {
  const all = text.replace(/\s+$/, '').split('\n');
  return all.slice(-lines).join('\n');
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    // a negative pid signals the whole process group the child leads (it was spawned detached)
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Runs one command in its own process group; never rejects for a non-zero exit. */
export async function runCommand(argv: readonly string[], opts: RunCommandOptions): Promise<CommandResult> {
  const [word, ...args] = argv;
  const file = word === undefined ? undefined : opts.tools[word];
  if (word === undefined || !file) throw new Error(`no executable for "${String(word)}": known tools are ${Object.keys(opts.tools).join(', ') || '(none)'}`);
  if (opts.signal?.aborted) return { exitCode: -1, stdout: '', stderr: '', timedOut: false, cancelled: true };
  const child: ResultPromise = execa(file, args, {
    detached: true,
    reject: false,
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    env: opts.env,
    stripFinalNewline: false,
  });
  let timedOut = false;
  let cancelled = false;
  const grace = opts.killGraceMs ?? 3000;
  let forceTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    killGroup(child.pid, 'SIGTERM');
    forceTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), grace);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, opts.timeoutMs);
  const onAbort = () => {
    cancelled = true;
    stop();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  for (const stream of ['stdout', 'stderr'] as const) {
    let pending = '';
    child[stream]?.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) opts.onLine?.(stream, l);
    });
    child[stream]?.on('end', () => {
      if (pending) opts.onLine?.(stream, pending);
    });
  }
  try {
    const r = await child;
    const stdout = typeof r.stdout === 'string' ? r.stdout : '';
    const stderr = typeof r.stderr === 'string' ? r.stderr : '';
    if (r.failed && r.exitCode === undefined && !timedOut && !cancelled && r.signal === undefined) {
      // could not start at all (ENOENT, EACCES)
      return { exitCode: 127, stdout, stderr: stderr || (r.message ?? 'could not start'), timedOut, cancelled };
    }
    return { exitCode: r.exitCode ?? -1, stdout, stderr, timedOut, cancelled };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    // the group may outlive its leader (a grandchild still running): make sure it is gone
    if (timedOut || cancelled) killGroup(child.pid, 'SIGKILL');
    if (forceTimer) clearTimeout(forceTimer);
  }
}

/** Whether a check holds now. */
export async function checkHolds(check: Check, opts: RunCommandOptions): Promise<{ holds: boolean; result: CommandResult }> {
  const result = await runCommand(check.argv, opts);
  let holds = result.exitCode === 0 && !result.timedOut && !result.cancelled;
  if (holds && check.stdoutIncludes !== undefined) holds = result.stdout.includes(check.stdoutIncludes);
  if (holds && check.stdoutEquals !== undefined) holds = result.stdout.trim() === check.stdoutEquals;
  return { holds, result };
}

export interface RunPlanOptions {
  tools: Readonly<Record<string, string>>;
  state: RunState;
  /** called after every change to `state` (the lab persists it to lab.json) */
  persist: (state: RunState) => Promise<void>;
  onEvent?: (e: StepEvent) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  killGraceMs?: number;
  /** timeout of one isDone check */
  checkTimeoutMs?: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function manifestsYaml(manifests: readonly object[]): string {
  return manifests.map((m) => stringify(m)).join('---\n');
}

async function runAction(step: PlanStep, opts: RunPlanOptions, deadline: number): Promise<void> {
  const remaining = Math.max(1, deadline - Date.now());
  const cmdOpts: RunCommandOptions = {
    tools: opts.tools,
    timeoutMs: remaining,
    signal: opts.signal,
    env: opts.env,
    killGraceMs: opts.killGraceMs,
    onLine: (stream, line) => opts.onEvent?.({ type: 'output', id: step.id, stream, line }),
  };
  const a = step.run;
  let argv: string[];
  let input: string | undefined;
  switch (a.type) {
    case 'write-file':
      await mkdir(dirname(a.path), { recursive: true });
      await writeFile(a.path, a.content);
      return;
    case 'fetch':
      await downloadVerified({ label: a.label, url: a.url, algorithm: 'sha256', digest: a.sha256 }, a.dest, { signal: opts.signal });
      return;
    case 'command':
      argv = a.argv;
      break;
    case 'apply':
      argv = ['kubectl', '--context', a.context, 'apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--force-conflicts', '-f', '-'];
      input = manifestsYaml(a.manifests);
      break;
    case 'apply-file':
      argv = ['kubectl', '--context', a.context, 'apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--force-conflicts', '-f', a.file];
      break;
  }
  const r = await runCommand(argv, { ...cmdOpts, input });
  if (r.cancelled) throw new StepFailedError(step.id, `${step.title}: cancelled`, tail(r.stderr), true);
  if (r.timedOut) throw new StepFailedError(step.id, `${step.title}: timed out after ${Math.round(step.timeoutMs / 1000)} s`, tail(r.stderr));
  if (r.exitCode !== 0) {
    const t = tail(r.stderr) || tail(r.stdout);
    throw new StepFailedError(step.id, `${step.title}: ${argv[0]} exited with ${r.exitCode}${t ? `:\n${t}` : ''}`, t);
  }
}

async function waitFor(step: PlanStep, opts: RunPlanOptions, deadline: number): Promise<void> {
  const w = step.wait;
  if (!w) return;
  opts.onEvent?.({ type: 'step-waiting', id: step.id, what: w.what });
  let last: CommandResult | undefined;
  for (;;) {
    if (opts.signal?.aborted) throw new StepFailedError(step.id, `${step.title}: cancelled`, '', true);
    const left = deadline - Date.now();
    if (left <= 0) break;
    const { holds, result } = await checkHolds(w, { tools: opts.tools, timeoutMs: Math.min(left, 60_000), signal: opts.signal, env: opts.env, killGraceMs: opts.killGraceMs });
    if (holds) return;
    last = result;
    await sleep(Math.min(w.intervalMs, Math.max(0, deadline - Date.now())), opts.signal);
  }
  const t = last ? tail(last.stderr) || tail(last.stdout) : '';
  throw new StepFailedError(step.id, `${step.title}: timed out after ${Math.round(step.timeoutMs / 1000)} s waiting for ${w.what}${t ? `; last check said:\n${t}` : ''}`, t);
}

/**
 * Runs `steps` in order. Resolves when all are done or skipped; rejects with StepFailedError
 * (cancelled: true when the signal fired) at the first step that fails, leaving `state`
 * persisted with that step `failed` or `cancelled`.
 */
export async function runPlan(steps: readonly PlanStep[], opts: RunPlanOptions): Promise<void> {
  const total = steps.length;
  for (const [i, step] of steps.entries()) {
    const index = i + 1;
    if (opts.signal?.aborted) throw new StepFailedError(step.id, `${step.title}: cancelled before it started`, '', true);
    if (step.isDone) {
      const { holds } = await checkHolds(step.isDone, { tools: opts.tools, timeoutMs: opts.checkTimeoutMs ?? 60_000, signal: opts.signal, env: opts.env, killGraceMs: opts.killGraceMs });
      if (holds) {
        opts.state.steps[step.id] = 'skipped';
        await opts.persist(opts.state);
        opts.onEvent?.({ type: 'step-skipped', id: step.id, title: step.title, index, total });
        continue;
      }
      // a cancel during the check must not start the step (nor record what it would create)
      if (opts.signal?.aborted) throw new StepFailedError(step.id, `${step.title}: cancelled before it started`, '', true);
    }
    if (step.run.type === 'fetch' && opts.state.steps[step.id] === 'done') {
      // a verified file is only ever renamed into place, so "done" means it is there
      opts.onEvent?.({ type: 'step-skipped', id: step.id, title: step.title, index, total });
      continue;
    }
    const started = Date.now();
    const deadline = started + step.timeoutMs;
    if (step.creates && !opts.state.created.some((c) => c.kind === step.creates?.kind && c.name === step.creates.name)) {
      opts.state.created.push(step.creates);
    }
    opts.state.steps[step.id] = 'running';
    await opts.persist(opts.state);
    opts.onEvent?.({ type: 'step-start', id: step.id, title: step.title, index, total });
    try {
      await runAction(step, opts, deadline);
      await waitFor(step, opts, deadline);
    } catch (e) {
      const err =
        e instanceof StepFailedError
          ? e
          : new StepFailedError(step.id, `${step.title}: ${e instanceof Error ? e.message : String(e)}`, '', opts.signal?.aborted ?? false);
      opts.state.steps[step.id] = err.cancelled ? 'cancelled' : 'failed';
      await opts.persist(opts.state);
      opts.onEvent?.({ type: 'step-failed', id: step.id, message: err.message, stderrTail: err.stderrTail });
      throw err;
    }
    opts.state.steps[step.id] = 'done';
    await opts.persist(opts.state);
    opts.onEvent?.({ type: 'step-done', id: step.id, index, total, ms: Date.now() - started });
  }
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, findCommand } from '../../src/cli/main';
import type { CliCommand, CliIo } from '../../src/cli/command';
import { UsageError } from '../../src/cli/command';

function memoryIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout, stderr,
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    readStdin: async () => '',
    env: {},
    signal: new AbortController().signal,
  };
}

const seen: unknown[] = [];
const cmds: CliCommand[] = [
  { path: ['nb'], summary: 'short', usage: 'nb', options: {}, run: async () => 3 },
  {
    path: ['nb', 'show'], summary: 'show', usage: 'nb show', options: { db: { type: 'string' } },
    run: async (v, p) => { seen.push([{ ...v }, p]); return 0; },
  },
  { path: ['fail'], summary: 'f', usage: 'fail', options: {}, run: async () => { throw new UsageError('do this instead'); } },
];

test('the longest matching command path wins and options reach it', async () => {
  assert.equal(findCommand(['nb', 'show', 'x'], cmds)?.cmd.usage, 'nb show');
  const io = memoryIo();
  assert.equal(await runCli(['nb', 'show', '--db', 'unix:/x', '--json', 'pos'], io, cmds), 0);
  assert.deepEqual(seen.at(-1), [{ db: 'unix:/x', json: true }, ['pos']]);
});

test('an unknown command and an unknown option give exit 2 and say what to do', async () => {
  const io = memoryIo();
  assert.equal(await runCli(['nope'], io, cmds), 2);
  assert.match(io.stderr.join(''), /unknown command "nope"/);
  const io2 = memoryIo();
  assert.equal(await runCli(['nb', 'show', '--bogus'], io2, cmds), 2);
  assert.match(io2.stderr.join(''), /usage: ovnlab nb show/);
});

test('a UsageError prints its message without a stack', async () => {
  const io = memoryIo();
  assert.equal(await runCli(['fail'], io, cmds), 2);
  assert.equal(io.stderr.join(''), 'ovnlab: do this instead');
});

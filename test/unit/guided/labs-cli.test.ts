// `ovnlab labs …` without a lab: list shows all six, check exits 1 saying what to do, bad names exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/command';

function memoryIo(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), readStdin: async () => '', env, signal: new AbortController().signal };
}

test('labs list names the six labs and their steps', async () => {
  const io = memoryIo();
  assert.equal(await runCli(['labs', 'list', '--json'], io), 0);
  const labs = JSON.parse(io.stdout.join('\n')) as { n: number; steps: { id: string }[] }[];
  assert.deepEqual(labs.map((l) => l.n), [1, 2, 3, 4, 5, 6]);
  assert.ok(labs.every((l) => l.steps[0].id === 'up'));
});

test('labs check on a directory without a lab: exit 1, the first step fails with the command to run, later steps not checked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovnlab-labs-cli-'));
  try {
    const io = memoryIo({ OVNLAB_LAB_DIR: join(dir, 'lab') });
    assert.equal(await runCli(['labs', 'check', '5'], io), 1);
    assert.match(io.stdout[0], /^FAIL 5\.up .*ovnlab lab up/);
    assert.match(io.stdout[1], /later steps not checked.*labs run 5 up/);
    const one = memoryIo({ OVNLAB_LAB_DIR: join(dir, 'lab') });
    assert.equal(await runCli(['labs', 'check', '1', 'pin'], one), 1, 'the unedited copy of vm.yaml has no pinned IP');
    assert.match(one.stdout[0], /Pin IP/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('labs check with an unknown lab or step says which exist', async () => {
  const io = memoryIo();
  assert.equal(await runCli(['labs', 'check', '9'], io), 2);
  assert.match(io.stderr.join('\n'), /use 1-6/);
  const io2 = memoryIo();
  assert.equal(await runCli(['labs', 'check', '2', 'nope'], io2), 2);
  assert.match(io2.stderr.join('\n'), /steps are up, apply, stop, start/);
});

test('labs check --backend kind on a machine without a kind lab (no Docker here): exit 1 saying how to start it; a bad backend exits 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovnlab-labs-kind-'));
  try {
    const io = memoryIo({ PATH: process.env.PATH, HOME: dir });
    assert.equal(await runCli(['labs', 'check', '5', '--backend', 'kind', '--dir', join(dir, 'kind')], io), 1);
    assert.match(io.stdout[0], /^FAIL 5\.up .*kind lab not running.*ovnlab lab up --backend kind/);
    const bad = memoryIo();
    assert.equal(await runCli(['labs', 'check', '5', '--backend', 'docker'], bad), 2);
    assert.match(bad.stderr.join('\n'), /--backend is local or kind, not "docker"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

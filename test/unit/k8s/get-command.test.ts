// `ovnlab get` argument handling and the unreachable-cluster message, without a cluster: a
// kubeconfig pointing at a closed loopback port gives a real ECONNREFUSED.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CliIo } from '../../../src/cli/command';
import { formatTable, getCommands } from '../../../src/cli/commands/get';
import { runCli } from '../../../src/cli/main';

function memoryIo(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), readStdin: async () => '', env, signal: new AbortController().signal };
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('ovnlab get', () => {
  let dir: string;
  let kubeconfig: string;
  let port: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ovnlab-get-'));
    port = await closedPort();
    kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: c\n  cluster: { server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true }`,
        'users:',
        '- name: u\n  user: { token: abcdefabcdefabcdef }',
        'contexts:',
        '- name: ctx\n  context: { cluster: c, user: u }',
        '- name: other\n  context: { cluster: c, user: u }',
        'current-context: ctx',
      ].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('an unknown view, a bad namespace, a missing kubeconfig or context say what to do (exit 2)', async () => {
    const cases: [string[], RegExp][] = [
      [['get'], /get takes one of vms, vpcs, subnets, eips/],
      [['get', 'pods'], /get takes one of vms, vpcs, subnets, eips, got: pods/],
      [['get', 'vms', '-n', 'Team_A', '--kubeconfig', 'x'], /invalid namespace "Team_A"/],
      [['get', 'vms', '--kubeconfig', join(dir, 'nope')], /no kubeconfig found at .*nope: pass --kubeconfig FILE or set KUBECONFIG/],
    ];
    for (const [argv, re] of cases) {
      const io = memoryIo();
      assert.equal(await runCli(argv, io, getCommands), 2, argv.join(' '));
      assert.match(io.stderr.join('\n'), re);
    }
    const io = memoryIo();
    assert.equal(await runCli(['get', 'vms', '--kubeconfig', kubeconfig, '--context', 'zz'], io, getCommands), 2);
    assert.match(io.stderr.join('\n'), /context "zz" is not in the kubeconfig: use one of ctx, other/);
  });

  test('an unreachable API server gives "cannot reach the API server at …" and exit 1; KUBECONFIG is honoured', async () => {
    const io = memoryIo({ KUBECONFIG: kubeconfig });
    assert.equal(await runCli(['get', 'subnets', '--context', 'other'], io, getCommands), 1);
    assert.match(io.stderr.join('\n'), new RegExp(`cannot reach the API server at https://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED .*\\(context "other"\\)`));
  });

  test('tables align columns and keep the last column unpadded', () => {
    assert.equal(formatTable(['A', 'LONGER', 'C'], [['xx', 'y', 'z'], ['x', 'yyyyyyy', '']]), ['A    LONGER    C', 'xx   y         z', 'x    yyyyyyy'].join('\n'));
  });
});

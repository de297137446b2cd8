import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/command';
import { CORPUS } from './corpus';

function memoryIo(stdin = ''): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), readStdin: async () => stdin, env: {}, signal: new AbortController().signal };
}

describe('ovnlab vm', () => {
  let dir: string;
  const fixture = (name: string) => {
    const p = join(dir, name);
    copyFileSync(join(CORPUS, name), p);
    return p;
  };
  before(() => { dir = mkdtempSync(join(tmpdir(), 'ovnlab-vm-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('lint prints file:line:col diagnostics and exits 1 on errors, 0 on a clean file', async () => {
    const io = memoryIo();
    const file = fixture('10-ip-problems.yaml');
    assert.equal(await runCli(['vm', 'lint', file, '--subnet-cidr', '10.16.0.0/16', '--exclude', '10.16.0.1..10.16.0.10'], io), 1);
    const out = io.stdout.join('\n');
    assert.match(out, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:22:39: error ip-outside-cidr: 10\\.99\\.0\\.5 is outside the given subnet 10\\.16\\.0\\.0/16`));
    assert.match(out, /info cluster-checks-off: cluster-backed checks off: no cluster connected/);
    assert.match(out, /9 VMs in 1 file: \d+ errors, 0 warnings/);
    const ok = memoryIo();
    assert.equal(await runCli(['vm', 'lint', fixture('02-pinned-ok.yaml')], ok), 0);
  });

  test('lint --json gives machine-readable diagnostics with fixes as text edits', async () => {
    const io = memoryIo();
    assert.equal(await runCli(['vm', 'lint', fixture('09-typos.yaml'), '--json'], io), 0);
    const r = JSON.parse(io.stdout.join('')) as { errors: number; files: { diagnostics: { code: string; fixes: { edits?: unknown[] }[] }[] }[] };
    assert.equal(r.errors, 0);
    const typo = r.files[0].diagnostics.find((d) => d.code === 'unknown-annotation')!;
    assert.deepEqual(typo.fixes[0].edits, [{ offset: readFileSync(join(CORPUS, '09-typos.yaml'), 'utf8').indexOf('ovn.kubernetes.io/ip_adress'), length: 27, newText: 'ovn.kubernetes.io/ip_address' }]);
  });

  test('lint reads stdin for "-" and refuses bad options with what to do', async () => {
    const io = memoryIo(readFileSync(join(CORPUS, '12-running-mac.yaml'), 'utf8'));
    assert.equal(await runCli(['vm', 'lint', '-'], io), 1);
    assert.match(io.stdout.join('\n'), /-:26:3: error running-and-run-strategy/);
    const bad = memoryIo();
    assert.equal(await runCli(['vm', 'lint', 'x.yaml', '--subnet-cidr', '10.16.0.0/99'], bad), 2);
    assert.match(bad.stderr.join(''), /not a CIDR: give one like 10\.16\.0\.0\/16/);
    const missing = memoryIo();
    assert.equal(await runCli(['vm', 'lint', join(dir, 'nope.yaml')], missing), 2);
    assert.match(missing.stderr.join(''), /no such file/);
  });

  test('pin-ip --next-free writes the first free IP in place and changes one line', async () => {
    const file = fixture('02-pinned-ok.yaml');
    const before = readFileSync(file, 'utf8');
    const io = memoryIo();
    assert.equal(await runCli(['vm', 'pin-ip', file, '--vm', 'default/db', '--next-free', '--subnet-cidr', '10.16.0.0/16', '--exclude', '10.16.0.1..10.16.0.10,10.16.0.11'], io), 0);
    const afterText = readFileSync(file, 'utf8');
    assert.equal(afterText, before.replace('ip_address: 10.16.0.20', 'ip_address: 10.16.0.12'));
    assert.match(io.stdout.join(''), /default\/db: ovn\.kubernetes\.io\/ip_address: 10\.16\.0\.12/);
  });

  test('pin-ip refuses an IP the subnet does not allow and leaves the file alone', async () => {
    const file = fixture('03-multi-doc.yaml');
    const before = readFileSync(file, 'utf8');
    const io = memoryIo();
    assert.equal(await runCli(['vm', 'pin-ip', file, '--vm', 'frontend', '--ip', '10.16.0.5', '--subnet-cidr', '10.16.0.0/16', '--exclude', '10.16.0.1..10.16.0.10'], io), 1);
    assert.match(io.stderr.join(''), /not pinned: 10\.16\.0\.5 is in excludeIps/);
    assert.equal(readFileSync(file, 'utf8'), before);
    const noNet = memoryIo();
    assert.equal(await runCli(['vm', 'pin-ip', file, '--vm', 'frontend', '--next-free'], noNet), 2);
    assert.match(noNet.stderr.join(''), /--next-free needs the subnet/);
    const unknown = memoryIo();
    assert.equal(await runCli(['vm', 'pin-ip', file, '--vm', 'ghost', '--ip', '10.16.0.50'], unknown), 1);
    assert.match(unknown.stderr.join(''), /no VirtualMachine "ghost" \(VMs here: shop\/frontend, shop\/backend\)/);
  });

  test('enable-migration writes the v1.13+ annotation, or the attachment recipe for older Kube-OVN', async () => {
    const modern = fixture('13-bridge-evict.yaml');
    const io = memoryIo();
    assert.equal(await runCli(['vm', 'enable-migration', modern, '--vm', 'bridge-migrate', '--kube-ovn-version', 'v1.13.0'], io), 0);
    assert.equal(readFileSync(modern, 'utf8'), readFileSync(join(CORPUS, 'edits', '13-bridge-evict.fix-bridge.yaml'), 'utf8'));
    const legacyFile = join(dir, 'legacy.yaml');
    copyFileSync(join(CORPUS, '13-bridge-evict.yaml'), legacyFile);
    const io2 = memoryIo();
    assert.equal(await runCli(['vm', 'enable-migration', legacyFile, '--vm', 'bridge-migrate', '--kube-ovn-version', 'v1.12.10'], io2), 0);
    assert.equal(readFileSync(legacyFile, 'utf8'), readFileSync(join(CORPUS, 'edits', '13-bridge-evict.migration-legacy-recipe.yaml'), 'utf8'));
    // a second run finds nothing to do
    const io3 = memoryIo();
    assert.equal(await runCli(['vm', 'enable-migration', legacyFile, '--vm', 'bridge-migrate', '--kube-ovn-version', 'v1.12.10'], io3), 0);
    assert.match(io3.stdout.join(''), /already so, nothing written/);
  });

  test('--dry-run prints the result and writes nothing', async () => {
    const file = join(dir, 'dry.yaml');
    writeFileSync(file, readFileSync(join(CORPUS, '01-testvm-v1alpha3.yaml')));
    const io = memoryIo();
    assert.equal(await runCli(['vm', 'pin-ip', file, '--vm', 'testvm', '--ip', '10.16.0.15', '--dry-run'], io), 0);
    assert.equal(readFileSync(file, 'utf8'), readFileSync(join(CORPUS, '01-testvm-v1alpha3.yaml'), 'utf8'));
    assert.equal(io.stdout.join(''), readFileSync(join(CORPUS, 'edits', '01-testvm-v1alpha3.pin-ip.yaml'), 'utf8'));
  });
});

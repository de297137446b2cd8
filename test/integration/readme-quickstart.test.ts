// A newcomer's run: a fresh clone of this repository, the two commands of README.md's "Quick start"
// block as written there (parsed from the README, so a changed README changes the test). The first
// runs in full (npm ci, build, the local lab, seed 003, a ping of the EIP, a trace) with its own
// XDG_STATE_HOME so it never touches a developer's lab, and the lab is brought down after. The
// second, `npm test`, would nest every suite: the test checks it resolves to our runner and that
// the runner lists every suite, then runs the unit suite through it (OVNLAB_TEST_SUITES=unit).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { canUseNetns } from '../../src/lab/local/netns';

/** The commands of the first indented or fenced code block under "## Quick start". */
export function quickStartCommands(readme: string): string[] {
  const sec = /^## Quick start\s*$([\s\S]*?)(?=^## )/m.exec(readme);
  if (!sec) throw new Error('README.md has no "## Quick start" section');
  const lines = sec[1].split('\n');
  const fenced = /```[a-z]*\n([\s\S]*?)```/.exec(sec[1]);
  if (fenced) return fenced[1].split('\n').map((l) => l.trim()).filter(Boolean);
  const start = lines.findIndex((l) => /^ {4}\S/.test(l));
  if (start < 0) throw new Error('the Quick start section has no code block');
  const out: string[] = [];
  for (let i = start; i < lines.length && /^ {4}\S/.test(lines[i]); i++) out.push(lines[i].trim());
  return out;
}

/** `npm ci && npm run quickstart` → [['npm','ci'], ['npm','run','quickstart']]; only plain npm words, no shell. */
function npmSteps(command: string): string[][] {
  return command.split(' && ').map((part) => {
    if (!/^npm( [a-z:-]+)+$/.test(part.trim())) throw new Error(`"${part}" in the README is not a plain npm command: this test runs them without a shell`);
    return part.trim().split(' ');
  });
}

const skipWhy = canUseNetns() ? undefined : 'the quick start pings the EIP, which needs root (network namespaces)';
let repo: string;
let root: string;
let cmds: string[];

before(async () => {
  const top = (await execa('git', ['rev-parse', '--show-toplevel'], { cwd: import.meta.dirname })).stdout.trim();
  root = await mkdtemp(join(tmpdir(), 'ovnlab-quickstart-'));
  repo = join(root, 'ovnlab');
  await execa('git', ['clone', '--quiet', top, repo]);
  cmds = quickStartCommands(await readFile(join(repo, 'README.md'), 'utf8'));
});

after(async () => {
  if (existsSync(join(repo, 'dist', 'cli.mjs'))) {
    await execa(process.execPath, ['bin/ovnlab.mjs', 'lab', 'down'], { cwd: repo, env: env(), extendEnv: false, reject: false });
  }
  await rm(root, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  // the clone's own lab and npm state; nothing of ours leaks in (OVNLAB_LAB_DIR would redirect the lab,
  // NODE_TEST_CONTEXT would make the nested runner think it is a subtest and skip every file);
  // every call passes extendEnv: false, or execa would put the deleted variables back
  const e: NodeJS.ProcessEnv = { ...process.env, XDG_STATE_HOME: join(root, 'state'), npm_config_update_notifier: 'false' };
  for (const k of Object.keys(e)) if (k.startsWith('OVNLAB_') || k.startsWith('npm_lifecycle') || k === 'NODE_OPTIONS' || k === 'NODE_TEST_CONTEXT') delete e[k];
  return e;
}

test('README quick start: exactly two commands, both plain npm', () => {
  assert.equal(cmds.length, 2, `the Quick start block should hold two commands, it holds: ${cmds.join(' | ')}`);
  assert.deepEqual(npmSteps(cmds[0]).map((s) => s[0]), npmSteps(cmds[0]).map(() => 'npm'));
  assert.deepEqual(npmSteps(cmds[1]), [['npm', 'test']]);
});

test('README quick start, command 1 in a fresh clone: npm ci, then the quickstart brings the lab up, pings the EIP and traces it', { skip: skipWhy, timeout: 900_000 }, async () => {
  let out = '';
  for (const [bin, ...args] of npmSteps(cmds[0])) {
    const r = await execa(bin, args, { cwd: repo, env: env(), extendEnv: false, all: true, reject: false });
    out += r.all;
    assert.equal(r.exitCode, 0, `\`${[bin, ...args].join(' ')}\` failed in the fresh clone:\n${String(r.all).slice(-3000)}`);
  }
  assert.match(out, /3 packets transmitted, 3 received|3 received/, 'the EIP answered from the external network');
  assert.match(out, /chassis: .*ovnlab-control-plane/, 'the trace of the EIP path goes through the gateway node');
  const st = await execa(process.execPath, ['bin/ovnlab.mjs', 'lab', 'status', '--json'], { cwd: repo, env: env(), extendEnv: false });
  const status = JSON.parse(st.stdout) as { state: string; dir: string };
  assert.equal(status.state, 'up');
  assert.ok(status.dir.startsWith(join(root, 'state')), `the lab lives under the test's XDG_STATE_HOME, not in ${status.dir}`);
});

test('README quick start, command 2: `npm test` runs scripts/test.mjs over every suite (listed, not nested) and its unit suite passes', { timeout: 600_000 }, async (t) => {
  if (!existsSync(join(repo, 'node_modules'))) return t.skip('command 1 did not install node_modules in the clone');
  const [bin, ...args] = npmSteps(cmds[1])[0];
  const listed = await execa(bin, [...args, '--', '--list'], { cwd: repo, env: env(), extendEnv: false });
  const files = listed.stdout.split('\n').filter((l) => l.endsWith('.test.ts'));
  for (const suite of ['unit', 'integration', 'e2e']) assert.ok(files.some((f) => f.startsWith(`test/${suite}/`)), `npm test covers test/${suite}`);
  assert.ok(files.includes('test/integration/readme-quickstart.test.ts'));
  const unit = await execa(bin, args, { cwd: repo, env: { ...env(), OVNLAB_TEST_SUITES: 'unit' }, extendEnv: false, all: true, reject: false });
  const last = String(unit.all).trim().split('\n').at(-1) ?? '';
  assert.match(last, /^\d+ passed, 0 failed/, `npm test (unit suite) in the clone ended with: ${String(unit.all).slice(-2000)}`);
  assert.equal(unit.exitCode, 0);
});

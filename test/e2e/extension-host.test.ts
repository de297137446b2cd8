// The in-editor mocha suite (test/e2e/suite/) inside a real extension host, two ways: through our
// harness directly, and through @vscode/test-electron's standard runTests() with our code shim as
// the "VS Code executable". A deliberately failing run proves the exit code reaches us.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildExtensionSuite, checkEnvironment, EDITOR_NOISE, makeRunDir, repoRoot, requireEnvironment, runExtensionTests } from './harness';

// only suite/extension.test.ts: the other in-editor files need scenes other node-side tests set up
const ONLY_OURS = { OVNLAB_E2E_SUITE: 'extension' };

describe('real editor: extension-host tests', { timeout: 600_000 }, () => {
  let suiteEntry = '';
  let workDir = '';
  let folder = '';
  let failed = false;

  before(async () => {
    if (!checkEnvironment().ok) return;
    suiteEntry = await buildExtensionSuite();
    workDir = makeRunDir('ext-host-work');
    folder = join(workDir, 'workspace');
    mkdirSync(folder, { recursive: true });
  });

  after(() => {
    if (workDir && !failed) rmSync(workDir, { recursive: true, force: true });
  });

  test('the suite passes in the extension host (payload URL + smoke-test driver)', async (t) => {
    const env = requireEnvironment(t);
    if (!env) return;
    const started = Date.now();
    const r = await runExtensionTests({
      env, extensionDevelopmentPaths: [repoRoot], extensionTestsPath: suiteEntry, folder,
      settings: { 'ovnlab.context': 'e2e-context' }, processEnv: ONLY_OURS, onLog: (l) => { if (!EDITOR_NOISE.test(l)) console.log(`  | ${l}`); },
    });
    console.log(`# extension-host run: exit ${r.exitCode} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (r.exitCode !== 0) failed = true;
    assert.equal(r.exitCode, 0, `extension tests failed; output:\n${r.output.join('\n')}`);
    const text = r.output.join('\n');
    assert.match(text, /\b6 passing\b/);
    assert.doesNotMatch(text, /failing/);
  });

  test('a failing in-editor test makes the run exit non-zero', async (t) => {
    const env = requireEnvironment(t);
    if (!env) return;
    // the suite expects ovnlab.context = e2e-context; another value must fail exactly that test
    const r = await runExtensionTests({
      env, extensionDevelopmentPaths: [repoRoot], extensionTestsPath: suiteEntry, folder,
      settings: { 'ovnlab.context': 'not-the-expected-context' }, processEnv: ONLY_OURS, onLog: () => undefined,
    });
    assert.notEqual(r.exitCode, 0);
    const text = r.output.join('\n');
    assert.match(text, /\b\d+ failing\b/);
    assert.match(text, /reads the settings the harness wrote[\s\S]*ovnlab\.context from the harness user settings/);
    rmSync(r.runDir, { recursive: true, force: true });
  });

  test('@vscode/test-electron runTests() runs the suite unchanged through scripts/code-shim.mjs', async (t) => {
    const env = requireEnvironment(t);
    if (!env) return;
    const profile = join(workDir, 'shim-profile');
    mkdirSync(join(profile, 'User'), { recursive: true });
    writeFileSync(join(profile, 'User', 'settings.json'), JSON.stringify({ 'ovnlab.context': 'e2e-context' }));
    const started = Date.now();
    const code = await runTests({
      vscodeExecutablePath: join(repoRoot, 'scripts', 'code-shim.mjs'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: join(repoRoot, 'out', 'test', 'suite', 'index'),
      extensionTestsEnv: ONLY_OURS,
      launchArgs: [folder, `--user-data-dir=${profile}`, `--extensions-dir=${join(workDir, 'shim-extensions')}`],
    }).catch((e: unknown) => {
      failed = true;
      throw e;
    });
    console.log(`# runTests via code-shim: ${code} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(code, 0);
  });
});

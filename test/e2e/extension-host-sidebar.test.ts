// The sidebar's extension-host suite (test/e2e/suite/sidebar.test.ts) against the real API
// server fixture: the trees' elements and refresh events, commands and documents, checked from
// inside the editor where the UI test cannot look.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeClient } from '../../src/k8s/kube-client';
import { createObject } from '../../src/k8s/kube-objects';
import { ensureNamespace } from '../fixtures/k8s-samples';
import { ovnEip, ovnFip, subnet, vm, vmIp } from '../fixtures/k8s-objects';
import { kubeApiServerUnavailable, startTestKubeApiServer, type TestKubeApiServer } from '../fixtures/kube-apiserver';
import { execa } from 'execa';
import { buildExtensionSuite, checkEnvironment, EDITOR_NOISE, installExtension, makeRunDir, repoRoot, requireEnvironment, runExtensionTests } from './harness';

describe('real editor: sidebar extension-host tests on a real API server', { timeout: 600_000 }, async () => {
  const apiUnavailable = await kubeApiServerUnavailable();
  let api: TestKubeApiServer | undefined;
  let suiteEntry = '';
  let workDir = '';
  let failed = false;

  before(async () => {
    if (!checkEnvironment().ok || apiUnavailable) return;
    api = await startTestKubeApiServer({ crds: true });
    const admin = new KubeClient(api.kc);
    await ensureNamespace(admin, 'demo');
    await createObject(admin, 'subnets', subnet('ovn-default', '10.16.0.0/16', { default: true, natOutgoing: true }));
    await createObject(admin, 'virtualmachines', vm('demo', 'web', { pin: '10.16.0.10' }));
    await createObject(admin, 'ips', vmIp('demo', 'web', '10.16.0.10', 'ovn-default', 'ovnlab-worker'));
    await createObject(admin, 'ovn-eips', ovnEip('eip-web', '172.18.0.10'));
    await createObject(admin, 'ovn-fips', ovnFip('fip-web', 'eip-web', 'web.demo'));
    suiteEntry = await buildExtensionSuite();
    workDir = makeRunDir('ext-host-sidebar');
    mkdirSync(join(workDir, 'workspace'), { recursive: true });
    const cfg = JSON.parse(api.kc.exportConfig()) as { contexts: { name: string }[]; 'current-context': string };
    cfg.contexts[0].name = 'e2e-context';
    cfg['current-context'] = 'e2e-context';
    writeFileSync(join(workDir, 'kubeconfig'), JSON.stringify(cfg));
  });

  after(async () => {
    await api?.stop();
    if (workDir && !failed) rmSync(workDir, { recursive: true, force: true });
  });

  test('the sidebar suite passes in the extension host', async (t) => {
    const env = requireEnvironment(t);
    if (!env) return;
    if (apiUnavailable) return t.skip(apiUnavailable);
    const kubeconfig = join(workDir, 'kubeconfig');
    // a stand-in for redhat.vscode-yaml (its schema contributor API only; the real one needs the
    // marketplace), installed as a user's extension would be, for the CRD schema test
    const dirs = { userDataDir: join(workDir, 'user-data'), extensionsDir: join(workDir, 'extensions'), runDir: workDir };
    mkdirSync(dirs.extensionsDir, { recursive: true });
    const stub = join(workDir, 'yaml-extension-stub.vsix');
    await execa(join(repoRoot, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', stub], { cwd: join(repoRoot, 'test/fixtures/yaml-extension-stub') });
    await installExtension(env, dirs, stub);
    const r = await runExtensionTests({
      env, extensionDevelopmentPaths: [repoRoot], extensionTestsPath: suiteEntry, folder: join(workDir, 'workspace'),
      userDataDir: dirs.userDataDir, extensionsDir: dirs.extensionsDir,
      // the shell's suite in the same run expects ovnlab.context = e2e-context: the kubeconfig's context has that name
      settings: { 'ovnlab.kubeconfig': kubeconfig, 'ovnlab.context': 'e2e-context' },
      processEnv: { OVNLAB_E2E_SIDEBAR_KUBECONFIG: kubeconfig },
      onLog: (l) => { if (!EDITOR_NOISE.test(l)) console.log(`  | ${l}`); },
    });
    if (r.exitCode !== 0) failed = true;
    const text = r.output.join('\n');
    assert.equal(r.exitCode, 0, `extension tests failed; output:\n${text}`);
    assert.match(text, /sidebar trees on a real API server/);
    assert.doesNotMatch(text, /failing/);
  });
});

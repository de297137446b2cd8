// The packaged extension in a real editor, driven like a user: install the .vsix into code-server,
// open the ovnlab activity-bar container, see the views and their welcome actions, run commands.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildVsix, checkEnvironment, makeRunDir, requireEnvironment, startUiSession, type UiSession } from './harness';

describe('real editor UI: the ovnlab sidebar', { timeout: 300_000 }, () => {
  let session: UiSession | undefined;
  let buildDir = '';
  let failed = false;
  const t0 = Date.now();

  before(async () => {
    const check = checkEnvironment();
    if (!check.ok) return; // each test skips or fails with the reason
    buildDir = makeRunDir('ui-build');
    const vsix = await buildVsix(buildDir);
    const folder = join(buildDir, 'workspace');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'vm.yaml'), 'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: demo\n');
    session = await startUiSession({ env: check.env, name: 'ui-sidebar', vsix, folder, settings: { 'ovnlab.context': 'ui-e2e-context' } });
    console.log(`# editor up with ovnlab installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  after(async () => {
    await session?.close(failed);
    if (buildDir && !failed) rmSync(buildDir, { recursive: true, force: true });
    console.log(`# UI suite took ${((Date.now() - t0) / 1000).toFixed(1)} s${failed ? `; kept ${session?.runDir}` : ''}`);
  });

  const uiTest = (name: string, fn: (s: UiSession) => Promise<void>) =>
    test(name, async (t) => {
      if (!requireEnvironment(t)) return;
      assert.ok(session, 'the editor session did not start (see the before hook error)');
      try {
        await session.step(name, () => fn(session!));
      } catch (e) {
        failed = true;
        throw e;
      }
    });

  uiTest('the activity bar has the ovnlab container and it shows the four views', async (s) => {
    const w = s.workbench;
    await w.openViewContainer('ovnlab');
    for (const name of ['Lab', 'Networks', 'Virtual Machines', 'External IPs']) await w.waitForView(name);
  });

  uiTest('the Lab view offers the three welcome actions while nothing is connected', async (s) => {
    const welcome = await s.workbench.welcome('Lab');
    assert.match(welcome.text, /No lab or cluster is connected/);
    assert.deepEqual(welcome.buttons, ['Start the local lab', 'Create a kind lab', 'Pick a kubeconfig context']);
    assert.deepEqual(await s.workbench.treeItems('Lab'), []);
  });

  uiTest('the extension activated: its status bar item shows the context from the settings', async (s) => {
    const item = s.workbench.page.locator('.part.statusbar .statusbar-item', { hasText: 'ui-e2e-context' }).first();
    await item.waitFor({ timeout: 60_000 });
    assert.match(await item.innerText(), /ui-e2e-context/);
  });

  uiTest('a welcome button runs its command (Start the local lab says it is not available yet)', async (s) => {
    await s.workbench.view('Lab').locator('.welcome-view-content .monaco-button', { hasText: 'Start the local lab' }).click();
    const toast = s.workbench.page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'Starting the local lab is not available yet' });
    await toast.first().waitFor({ timeout: 15_000 });
  });

  uiTest('a command from the palette: "ovnlab: Show Log" shows the activation line', async (s) => {
    await s.workbench.runCommand('ovnlab: Show Log');
    const text = await s.workbench.waitForOutput('ovnlab.ovnlab', /ovnlab \S+ activated \(lab backend: local\)/);
    assert.match(text, /Starting the local lab: not available yet/, 'the welcome-button test above should have logged');
  });
});

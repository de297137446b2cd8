// The packaged extension in a real editor, driven like a user: install the .vsix into code-server,
// open the ovnlab activity-bar container, see the views and their welcome actions, run commands.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkEnvironment, UiSuite, type UiSession } from './harness';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: { server: 'https://127.0.0.1:1' }
- name: b
  cluster: { server: 'https://127.0.0.1:2' }
users:
- name: u
  user: { token: not-a-real-token }
contexts:
- name: lab-a
  context: { cluster: a, user: u }
- name: lab-b
  context: { cluster: b, user: u }
current-context: lab-a
`;

describe('real editor UI: the ovnlab sidebar', { timeout: 300_000 }, () => {
  const suite = new UiSuite('ui-sidebar');
  const uiTest = (name: string, fn: (s: UiSession) => Promise<void>) => suite.test(name, fn);
  const t0 = Date.now();

  before(async () => {
    const check = checkEnvironment();
    if (!check.ok) return; // each test skips or fails with the reason
    // two contexts to pick from; nothing connects to these servers in this suite
    const kubeconfig = join(suite.buildDir, 'kubeconfig');
    writeFileSync(kubeconfig, KUBECONFIG);
    await suite.start({
      env: check.env,
      files: { 'vm.yaml': 'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: demo\n' },
      settings: { 'ovnlab.context': 'ui-e2e-context', 'ovnlab.kubeconfig': kubeconfig },
    });
    console.log(`# editor up with ovnlab installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  after(async () => {
    await suite.close();
    console.log(`# UI suite took ${((Date.now() - t0) / 1000).toFixed(1)} s${suite.failed ? `; kept ${suite.session?.runDir}` : ''}`);
  });

  uiTest('the activity bar has the ovnlab container and it shows the four views', async (s) => {
    const w = s.workbench;
    await w.recordLongTasks();
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

  uiTest('a welcome button runs its command ("Open the Lab view" in Networks focuses the Lab view)', async (s) => {
    const w = s.workbench;
    const labFocused = w.view('Lab').locator('.pane-body:focus-within');
    await w.view('Networks').locator('.welcome-view-content p').first().click(); // focus is in Networks now
    assert.equal(await labFocused.count(), 0, 'Lab should not have focus before the click');
    await w.view('Networks').locator('.welcome-view-content .monaco-button', { hasText: 'Open the Lab view' }).click();
    await labFocused.first().waitFor({ timeout: 15_000 });
  });

  uiTest('a command from the palette: "ovnlab: Show Log" shows the activation line', async (s) => {
    await s.workbench.runCommand('ovnlab: Show Log');
    await s.workbench.waitForOutput('ovnlab.ovnlab', /ovnlab \S+ activated \(lab backend: local\)/);
  });

  uiTest('"Pick a kubeconfig context" lists the kubeconfig\'s contexts and the status bar follows the choice', async (s) => {
    const page = s.workbench.page;
    await s.workbench.view('Lab').locator('.welcome-view-content .monaco-button', { hasText: 'Pick a kubeconfig context' }).click();
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.first().waitFor({ timeout: 15_000 });
    const labels = (await rows.allInnerTexts()).map((l) => l.replace(/\s+/g, ' ').trim());
    assert.deepEqual(labels.map((l) => l.split(' ')[0]), ['lab-a', 'lab-b']);
    await rows.filter({ hasText: 'lab-b' }).first().click();
    await page.locator('.part.statusbar .statusbar-item', { hasText: 'lab-b' }).first().waitFor({ timeout: 15_000 });
    // Global target: the user settings of the side that defines the key (here the server's Machine file)
    const stored = ['User', 'Machine'].map((scope) =>
      (JSON.parse(readFileSync(join(s.server.userDataDir, scope, 'settings.json'), 'utf8')) as Record<string, unknown>)['ovnlab.context']);
    assert.ok(stored.includes('lab-b'), `ovnlab.context in User/Machine settings: ${JSON.stringify(stored)}`);
  });

  uiTest('the workbench stays responsive while the ovnlab views are toggled (palette latency, long tasks)', async (s) => {
    const w = s.workbench;
    await w.takeLongTasks(); // only this test's window counts, not the editor's start-up
    for (const name of ['Networks', 'Virtual Machines', 'External IPs', 'Lab']) {
      const header = w.view(name).locator('.pane-header').first();
      await header.click();
      await header.click();
    }
    await w.page.keyboard.press('Control+Shift+E');
    await w.openViewContainer('ovnlab');
    await w.waitForView('Lab');
    const latency = await w.paletteLatency();
    const tasks = await w.takeLongTasks();
    const worst = tasks.length ? Math.max(...tasks) : 0;
    console.log(`# palette latency ${latency} ms; ${tasks.length} long tasks while toggling views, worst ${worst.toFixed(0)} ms`);
    // generous bounds for a shared 2-core machine; a blocked renderer takes far longer
    assert.ok(latency < 3000, `command palette took ${latency} ms to open`);
    assert.ok(worst < 3000, `a main-thread task ran ${worst.toFixed(0)} ms`);
  });
});

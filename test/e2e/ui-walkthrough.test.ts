// The guided labs in the real editor on a real local lab: open lab 5 (EIP through a centralized
// gateway) from the palette, and for each step press its button in the walkthrough: the action
// runs (apply the ConfigMap, the VM with the EIP, the ping, the Flows panel), the check reads the
// lab, and only then does the walkthrough tick the step. Before its button, a step is not ticked.
// Screenshot: .test-output/e2e/walkthrough.png, copied to docs/media/walkthrough.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVsix, checkEnvironment, makeRunDir, repoRoot, requireEnvironment, startUiSession, type UiSession } from './harness';
import { LocalLab } from '../../src/lab/local/local-lab';
import { canUseNetns } from '../../src/lab/local/netns';
import { findLab } from '../../src/lab/guided/catalogue';

const LAB = findLab('5')!;

/** Browser-side: is the walkthrough step with this title ticked? (a string: the repo's TS lib has no DOM types) */
function ticked(title: string): string {
  return `[...document.querySelectorAll('.getting-started-step')].some((e) => e.textContent.includes(${JSON.stringify(title)}) && !!e.querySelector('.codicon.complete, .codicon-pass-filled'))`;
}

describe('real editor UI: a guided lab walkthrough on the local lab', { timeout: 600_000 }, () => {
  let session: UiSession | undefined;
  let lab: LocalLab | undefined;
  let state = '';
  let failed = false;

  before(async () => {
    const check = checkEnvironment();
    if (!check.ok || !canUseNetns()) return; // the test skips with the reason
    state = mkdtempSync(join(tmpdir(), 'ovnlab-e2e-walk-'));
    // the editor's default lab dir under this XDG_STATE_HOME: the extension finds the lab by itself
    lab = new LocalLab(join(state, 'ovnlab', 'lab'));
    await lab.up({ nodes: 3 }, () => undefined);
    const buildDir = makeRunDir('ui-walkthrough-build');
    const vsix = await buildVsix(buildDir);
    const folder = join(buildDir, 'workspace');
    mkdirSync(folder, { recursive: true });
    session = await startUiSession({ env: check.env, name: 'ui-walkthrough', vsix, folder, processEnv: { XDG_STATE_HOME: state }, settings: { 'workbench.startupEditor': 'none' } });
  });

  after(async () => {
    await session?.close(failed);
    await lab?.down();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  test('lab 5: every step completes only after its button ran the action and the check passed', async (t) => {
    if (!canUseNetns()) return t.skip('needs root: the lab pings (network namespaces)');
    if (!requireEnvironment(t)) return;
    const s = session!;
    const page = s.workbench.page;
    try {
      await s.step('open-walkthrough', async () => {
        // the remote extension host must have scanned ovnlab before its commands are in the palette
        await s.workbench.openViewContainer('ovnlab');
        await s.workbench.waitForView('Lab', 60_000);
        await s.workbench.runCommand('ovnlab: Open the Guided Labs');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: LAB.title }).first().click({ timeout: 30_000 });
        await page.locator('.gettingStartedContainer', { hasText: LAB.steps[1].title }).first().waitFor({ timeout: 60_000 });
      });
      const welcomeTab = () => page.locator('.tabs-container .tab', { hasText: /^Welcome$/ }).first();
      const stepEl = (title: string) => page.locator('.getting-started-step', { hasText: title }).first();
      // the walkthrough ticks a step by giving its checkbox codicon the class `complete`
      const done = async (title: string) => (await stepEl(title).locator('.codicon.complete, .codicon-pass-filled').count()) > 0;
      await s.step('up-completes-from-real-state', async () => {
        // the lab is already up: the activation-time check ticks the first step
        await page.waitForFunction(ticked(LAB.steps[0].title), undefined, { timeout: 60_000 });
      });
      for (const step of LAB.steps.slice(1)) {
        await s.step(`step-${step.id}`, async () => {
          assert.equal(await done(step.title), false, `${step.title} is ticked before its button was pressed`);
          await stepEl(step.title).click();
          const label = step.action.kind === 'command' ? 'Open the panel' : step.action.kind === 'none' ? 'Check' : 'Run this step';
          const button = page.locator('.getting-started-step.expanded a', { hasText: new RegExp(`^${label}$`) }).first();
          await button.click({ timeout: 30_000 });
          // a panel the step opened hides the walkthrough (its DOM goes with it): back to its tab
          if (step.action.kind === 'command') {
            await page.locator('.tabs-container .tab', { hasText: /Flows/ }).first().waitFor({ timeout: 60_000 });
            await welcomeTab().click();
          }
          await page.waitForFunction(ticked(step.title), undefined, { timeout: 120_000 });
          t.diagnostic(`${step.id}: ticked after its button`);
        });
      }
      await s.step('screenshot', async () => {
        // back to the walkthrough tab (the last step opened the Flows panel beside it)
        // reopened from the palette, the walkthrough shows every step ticked (the context keys hold)
        await s.workbench.runCommand('ovnlab: Open the Guided Labs');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: LAB.title }).first().click({ timeout: 30_000 });
        for (const step of LAB.steps) await page.waitForFunction(ticked(step.title), undefined, { timeout: 30_000 });
        await stepEl(LAB.steps.at(-1)!.title).click();
        const shot = await s.workbench.screenshot('walkthrough');
        copyFileSync(shot, join(repoRoot, 'docs', 'media', 'walkthrough.png'));
      });
    } catch (e) {
      failed = true;
      throw e;
    }
  });
});

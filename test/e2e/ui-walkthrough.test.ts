// The six guided labs in the real editor, each on a fresh local lab: open the lab's walkthrough
// from the palette and press its buttons the way a user does. Every step's Check is pressed
// first while the state it checks is missing: the editor shows its warning ("ovnlab lab N, <step>:
// what is missing") and the step stays unticked. Then the step's own button (Start the lab, Open
// the file + the code lens + save, Run this step, Open the trace / the panel, or Check for a ping)
// does the action, and the walkthrough ticks the step only once the check read the real state.
// One editor serves all six labs in turn; between labs the lab goes down (nothing left over for
// the next lab to find). Screenshot of lab 5: .test-output/e2e/walkthrough.png → docs/media/.
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEnvironment, repoRoot, UiSuite, type UiSession } from './harness';
import { LocalLab } from '../../src/lab/local/local-lab';
import { canUseNetns } from '../../src/lab/local/netns';
import { controlPlaneUnavailable } from '../../src/lab/local/control-plane-binaries';
import { GUIDED_LABS, type GuidedLab, type GuidedStep } from '../../src/lab/guided/catalogue';
import { guidedWorkDir } from '../../src/lab/guided/step-runner';
import { checkYamlMigration, checkYamlPinned } from '../../src/lab/guided/checks';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface WalkthroughStep { id: string; description: string }
const MANIFEST = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { contributes: { walkthroughs: { id: string; steps: WalkthroughStep[] }[] } };

/** The label of a step's action button, as package.json writes it (`[Run this step](command:ovnlab.lab.run?…)`); undefined for check-only steps. */
function runLabel(lab: GuidedLab, step: GuidedStep): string | undefined {
  const w = MANIFEST.contributes.walkthroughs.find((x) => x.id === `lab${lab.n}`)?.steps.find((x) => x.id === `lab${lab.n}.${step.id}`);
  assert.ok(w, `package.json has no walkthrough step lab${lab.n}.${step.id}`);
  return /\[([^\]]+)\]\(command:ovnlab\.lab\.run\?/.exec(w.description)?.[1];
}

/**
 * Before which step's button a step's check is first pressed: a step that changes the lab or the
 * file (lab up, lens, apply) is checked right before its own button; a step that only looks (a
 * ping, a trace, a panel) would already pass then, so its check goes before the last step that
 * made its state.
 */
function firstCheckBefore(lab: GuidedLab, i: number): number {
  const makes = (s: GuidedStep) => ['labUp', 'open', 'apply'].includes(s.action.kind);
  if (makes(lab.steps[i])) return i;
  for (let k = i - 1; k >= 0; k--) if (makes(lab.steps[k])) return k;
  return 0;
}

/** Browser-side: is the walkthrough step with this title ticked? (a string: the repo's TS lib has no DOM types) */
function ticked(title: string): string {
  return `[...document.querySelectorAll('.getting-started-step')].some((e) => e.textContent.includes(${JSON.stringify(title)}) && !!e.querySelector('.codicon.complete, .codicon-pass-filled'))`;
}

describe('real editor UI: the six guided labs, step by step on the local lab', { timeout: 3_600_000 }, () => {
  const suite = new UiSuite('ui-walkthrough');
  let state = '';
  let labDir = '';

  before(async () => {
    const check = checkEnvironment();
    if (!check.ok) return; // each test skips or fails with the reason
    if (!canUseNetns()) {
      suite.skipWhy = 'needs root: the labs ping between VMs (network namespaces)';
      return;
    }
    // the walkthrough's Start button runs `lab up --kube` (the lab with its API server), as for a user
    const noApiServer = await controlPlaneUnavailable();
    if (noApiServer) {
      suite.skipWhy = `the editor starts the lab with its API server: ${noApiServer}`;
      return;
    }
    state = mkdtempSync(join(tmpdir(), 'ovnlab-e2e-walk-'));
    // the editor's default lab dir under this XDG_STATE_HOME: the walkthrough's buttons start and read it
    labDir = join(state, 'ovnlab', 'lab');
    const s = await suite.start({ env: check.env, files: { 'README.md': 'guided labs\n' }, processEnv: { XDG_STATE_HOME: state }, settings: { 'workbench.startupEditor': 'none' } });
    await s.step('extension-ready', async () => {
      // the remote extension host must have scanned ovnlab before its commands are in the palette
      await s.workbench.openViewContainer('ovnlab');
      await s.workbench.waitForView('Lab', 60_000);
    });
  });

  after(async () => {
    await suite.close();
    if (labDir) await new LocalLab(labDir).down();
    if (state) rmSync(state, { recursive: true, force: true });
  });

  const stepEl = (s: UiSession, title: string) => s.workbench.page.locator('.getting-started-step', { hasText: title }).first();
  const isTicked = async (s: UiSession, title: string) => (await stepEl(s, title).locator('.codicon.complete, .codicon-pass-filled').count()) > 0;
  const welcomeTab = (s: UiSession) => s.workbench.page.locator('.tabs-container .tab', { hasText: /^Welcome$/ }).first();

  const openWalkthrough = async (s: UiSession, lab: GuidedLab) => {
    await s.workbench.runCommand('ovnlab: Open the Guided Labs');
    await s.workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: lab.title }).first().click({ timeout: 30_000 });
    await s.workbench.page.locator('.gettingStartedContainer', { hasText: lab.steps[1].title }).first().waitFor({ timeout: 60_000 });
  };

  /** Selects the step (its title: the expanded body holds links) and presses one of its buttons. */
  const press = async (s: UiSession, step: GuidedStep, label: string) => {
    const el = stepEl(s, step.title);
    if (!/\bexpanded\b/.test((await el.getAttribute('class')) ?? '')) await el.locator('.step-title').first().click();
    const button = s.workbench.page.locator('.getting-started-step.expanded a', { hasText: new RegExp(`^${label}$`) }).first();
    await button.click({ timeout: 30_000 });
  };

  /**
   * Closes the toasts with their own ✕ (not the palette: runCommand presses Escape, and Escape in
   * a walkthrough goes back to the Welcome overview, where the steps no longer update).
   */
  const clearNotifications = async (s: UiSession) => {
    const toasts = s.workbench.page.locator('.notifications-toasts .notification-toast-container');
    for (let i = 0; i < 12 && (await toasts.count()) > 0; i++) {
      const toast = toasts.first();
      await toast.hover({ timeout: 2_000 }).catch(() => undefined);
      await toast.locator('.codicon-notifications-clear').first().click({ force: true, timeout: 2_000 }).catch(() => undefined);
      await sleep(100);
    }
  };

  /** Presses Check while the step's state is missing: the warning says what is missing, the step stays unticked. */
  const checkFails = async (s: UiSession, lab: GuidedLab, step: GuidedStep): Promise<string> => {
    assert.equal(await isTicked(s, step.title), false, `${step.title} is ticked before anything was done for it`);
    // earlier toasts (an action's ✓, a progress) go first: the editor shows only a few at a time
    await clearNotifications(s);
    await press(s, step, 'Check');
    const toast = s.workbench.page.locator('.notifications-toasts .notification-list-item-message', { hasText: `ovnlab lab ${lab.n}, ${step.title}:` }).first();
    await toast.waitFor({ timeout: 90_000 });
    const text = (await toast.innerText()).trim();
    // give a wrongly passing check the time to set its context key before asserting it did not
    await sleep(300);
    assert.equal(await isTicked(s, step.title), false, `${step.title} got ticked by a check that warned: ${text}`);
    return text.slice(text.indexOf(':') + 1).trim();
  };

  /** The lens edit of an `open` step, made in the editor the way a user does, then saved to disk. */
  const lensEdit = async (s: UiSession, lab: GuidedLab, step: GuidedStep) => {
    const c = step.check;
    const file = join(guidedWorkDir(labDir), lab.id, c.kind === 'yamlPinned' || c.kind === 'yamlMigration' ? c.file : '?');
    const page = s.workbench.page;
    await page.locator(`.editor-group-container .monaco-editor[data-uri$="${lab.id}/${file.split('/').pop()}"]`).first().waitFor({ timeout: 30_000 });
    if (c.kind === 'yamlPinned') {
      if (lab.n === 1) {
        // the README's picture of the VM YAML lenses, as a user first sees them
        await page.locator('.codelens-decoration a', { hasText: 'Pin IP' }).first().waitFor({ timeout: 15_000 });
        copyFileSync(await s.workbench.screenshot('vm-yaml-lenses'), join(repoRoot, 'docs', 'media', 'vm-yaml-lenses.png'));
      }
      await s.workbench.clickCodeLens('Pin IP');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Type an IP' }).first().click({ timeout: 15_000 });
      const input = page.locator('.quick-input-widget input');
      await input.fill(c.ip);
      await input.press('Enter');
    } else if (c.kind === 'yamlMigration') {
      await s.workbench.clickCodeLens('Enable live migration');
    } else {
      throw new Error(`step ${step.id} opens a file but its check (${c.kind}) is not a lens check`);
    }
    // the check reads the file on disk: save (Ctrl+S in the editor) unless the edit is there already
    const onDisk = () => {
      const text = readFileSync(file, 'utf8');
      return c.kind === 'yamlPinned' ? checkYamlPinned(text, c.vm, c.ip).ok : c.kind === 'yamlMigration' && checkYamlMigration(text, c.vm).ok;
    };
    for (let i = 0; !onDisk(); i++) {
      if (i > 150) throw new Error(`${file} was not saved with the lens edit`);
      if (i % 20 === 5) {
        await page.locator(`.editor-group-container .monaco-editor[data-uri$="${lab.id}/${file.split('/').pop()}"] .view-lines`).first().click();
        await page.keyboard.press('Control+S');
      }
      await sleep(100);
    }
  };

  /**
   * Waits for the step's tick. A panel the step opened (or revealed, when it was open already)
   * hides the walkthrough and its DOM goes with it: back to the Welcome tab whenever it is not on top.
   */
  const waitTicked = async (s: UiSession, step: GuidedStep) => {
    const page = s.workbench.page;
    const end = Date.now() + 180_000;
    while (!(await page.evaluate<boolean>(ticked(step.title)))) {
      if (Date.now() > end) throw new Error(`${step.title} was not ticked within 180 s`);
      if ((await page.locator('.tabs-container .tab.active', { hasText: /^Welcome$/ }).count()) === 0) await welcomeTab(s).click();
      await sleep(300);
    }
  };

  /** The extension's log lines so far (user-data/logs/<session>/exthost1/ovnlab.ovnlab/ovnlab.log). */
  const extensionLog = (s: UiSession): string[] => {
    const logs = join(s.server.userDataDir, 'logs');
    const files = (existsSync(logs) ? readdirSync(logs) : []).map((d) => join(logs, d, 'exthost1', 'ovnlab.ovnlab', 'ovnlab.log')).filter((f) => existsSync(f));
    return files.flatMap((f) => readFileSync(f, 'utf8').split('\n'));
  };

  /** One lab from a lab that is down to every step ticked. */
  const runLab = async (s: UiSession, t: { diagnostic(m: string): void }, lab: GuidedLab) => {
    const page = s.workbench.page;
    const logFrom = extensionLog(s).length;
    await s.workbench.runCommand('View: Close All Editors');
    await openWalkthrough(s, lab);
    const checkedFirst = new Set<string>();
    for (const [i, step] of lab.steps.entries()) {
      // the checks whose state this step's button makes, pressed before it
      for (const [j, later] of lab.steps.entries()) {
        if (j < i || checkedFirst.has(later.id) || firstCheckBefore(lab, j) !== i) continue;
        const t0 = Date.now();
        const why = await checkFails(s, lab, later);
        checkedFirst.add(later.id);
        t.diagnostic(`${later.id}: Check before its state → not yet (${Date.now() - t0} ms): ${why}`);
      }
      assert.ok(checkedFirst.has(step.id), `${step.id}: its check was never pressed before its state was made`);
      const t0 = Date.now();
      const label = runLabel(lab, step);
      await press(s, step, label ?? 'Check');
      if (step.action.kind === 'open') {
        await lensEdit(s, lab, step);
        await welcomeTab(s).click();
        await press(s, step, 'Check');
      } else if (step.action.kind === 'command' || step.action.kind === 'trace') {
        await page.locator('.tabs-container .tab', { hasText: step.action.kind === 'trace' ? /Trace/ : /Flows/ }).first().waitFor({ timeout: 60_000 });
      }
      await waitTicked(s, step);
      t.diagnostic(`${step.id}: ${label ?? 'Check'} → ticked (${Date.now() - t0} ms)`);
    }
    // a step can tick while its action logged an error (an apply that half failed): none may have
    // the log reaches its file a little after the tick: wait for the last check's line
    const lastOk = `lab ${lab.n} step ${lab.steps.at(-1)!.id}: ok`;
    let logged = extensionLog(s).slice(logFrom);
    for (let i = 0; i < 100 && !logged.some((l) => l.includes(lastOk)); i++) {
      await sleep(100);
      logged = extensionLog(s).slice(logFrom);
    }
    assert.ok(logged.some((l) => l.includes(lastOk)), `the extension log (read for errors) has no line "${lastOk}"`);
    const errors = logged.filter((l) => /\[error\]/.test(l));
    assert.deepEqual(errors, [], `the extension logged errors during lab ${lab.n}`);
    // reopened from the palette, the walkthrough shows every step ticked (the context keys hold)
    await s.workbench.runCommand('View: Close All Editors');
    await openWalkthrough(s, lab);
    for (const step of lab.steps) await page.waitForFunction(ticked(step.title), undefined, { timeout: 30_000 });
    await clearNotifications(s);
    if (lab.n === 5) {
      await page.locator('.getting-started-step', { hasText: lab.steps.at(-1)!.title }).locator('.step-title').first().click();
      copyFileSync(await s.workbench.screenshot('walkthrough'), join(repoRoot, 'docs', 'media', 'walkthrough.png'));
    }
  };

  for (const lab of GUIDED_LABS) {
    suite.test(`lab ${lab.n} (${lab.title}): each check warns while its state is missing, each step ticks after its button`, async (s, t) => {
      try {
        await runLab(s, t, lab);
      } finally {
        // the next lab starts from nothing: its first check must find no lab
        await new LocalLab(labDir).down();
      }
    }, { timeout: 600_000 });
  }
});

// The six guided labs on a real local lab: every step's check FAILS while its state is missing
// (before the action that makes it) and PASSES after it; the actions are the scripted twins of
// the walkthrough's buttons (the lens edits through the same edit functions the lenses use).
// One lab for all six, the objects of each guided lab deleted before the next; always `lab down`.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLab } from '../../src/lab/local/local-lab';
import { localLabTarget } from '../../src/lab/local/lab-target';
import { canUseNetns } from '../../src/lab/local/netns';
import { GUIDED_LABS, type GuidedStep } from '../../src/lab/guided/catalogue';
import { fileMemo, runCheck, runScriptAction, type GuidedContext } from '../../src/lab/guided/step-runner';

const labsDir = join(import.meta.dirname, '..', '..', 'labs');
const skipWhy = canUseNetns() ? undefined : 'needs root for network namespaces (the labs ping; run as root, as CI does)';

/** Actions that change the state the checks read; the others (none, trace, command) only look. */
const changes = (s: GuidedStep): boolean => ['labUp', 'apply', 'pinIp', 'enableMigration', 'open'].includes((s.script ?? s.action).kind);

describe('guided labs on the local lab', { skip: skipWhy }, () => {
  let root: string;
  let lab: LocalLab;
  let ctx: GuidedContext;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ovnlab-guided-'));
    lab = new LocalLab(join(root, 'lab'));
    const workDir = join(root, 'guided');
    ctx = { backend: lab, target: () => localLabTarget(lab.dir), labsDir, workDir, memo: await fileMemo(workDir) };
  });
  after(async () => {
    await lab.down();
    await rm(root, { recursive: true, force: true });
  });

  for (const g of GUIDED_LABS) {
    test(`lab ${g.n} (${g.title}): each check fails before its action and passes after`, { timeout: 240_000 }, async (t) => {
      const applied: string[] = [];
      for (let i = 0; i < g.steps.length; i++) {
        const step = g.steps[i];
        if (step.id === 'up' && (await lab.status()).state === 'up') continue; // one lab serves all six
        if (!changes(step)) continue; // looked at together with the step that makes its state
        // this step and the look-only steps after it: their state is not there yet
        const group = [step];
        for (let j = i + 1; j < g.steps.length && !changes(g.steps[j]); j++) group.push(g.steps[j]);
        for (const s of group) {
          const r = await runCheck(ctx, g, s);
          assert.equal(r.ok, false, `lab ${g.n} step ${s.id} passed before its action: ${r.message}`);
          assert.ok(r.message.length > 10, `lab ${g.n} step ${s.id} failed without saying what to do`);
          t.diagnostic(`before: ${s.id}: ${r.message}`);
        }
        const did = await runScriptAction(ctx, g, step, { labUp: async () => { await lab.up({ nodes: 3 }, () => undefined); } });
        const a = step.script ?? step.action;
        if (a.kind === 'apply') applied.push(a.work ? join(ctx.workDir, g.id, a.file) : join(labsDir, g.id, a.file));
        assert.doesNotMatch(did, /^warning:/m, `lab ${g.n} step ${step.id}: ${did}`);
        for (const s of group) {
          const r = await runCheck(ctx, g, s);
          assert.equal(r.ok, true, `lab ${g.n} step ${s.id} still fails after its action: ${r.message}`);
          t.diagnostic(`after: ${s.id}: ${r.message}`);
        }
      }
      // the next guided lab starts from an empty lab (its checks must fail first again)
      const ctl = await lab.controller();
      for (const f of applied.reverse()) await ctl.delete(await readFile(f, 'utf8'), f);
      await ctl.delete('apiVersion: kubevirt.io/v1\nkind: VirtualMachineInstanceMigration\nmetadata: {name: migvm-migration, namespace: default}\n', 'cleanup');
    });
  }
});

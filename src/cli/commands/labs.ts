// `ovnlab labs list|check|run`: the guided labs of the editor's walkthrough, for scripts and CI.
// `check` exits 1 when a check fails and prints what to do; `run` does a step's action the
// scripted way (lens edits through the same edit functions) and then checks it.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliCommand, CliIo } from '../command';
import { UsageError } from '../command';
import { localLabDir } from '../target-options';
import { defaultKindLabDir } from '../../lab/kind/kind-lab';
import { guidedContextFor } from '../../lab/guided/guided-context';
import { GUIDED_LABS, findLab, type GuidedLab, type GuidedStep } from '../../lab/guided/catalogue';
import { findLabsDir, runCheck, runScriptAction, type GuidedContext } from '../../lab/guided/step-runner';

async function contextFor(v: Record<string, unknown>, io: CliIo): Promise<GuidedContext> {
  const labsDir = findLabsDir(dirname(fileURLToPath(import.meta.url)), io.env) ?? findLabsDir(process.cwd(), io.env);
  if (!labsDir) throw new UsageError('the labs/ folder was not found: run from the ovnlab checkout or set OVNLAB_LABS_DIR');
  const backend = v.backend ?? 'local';
  if (backend !== 'local' && backend !== 'kind') throw new UsageError(`--backend is local or kind, not "${String(backend)}"`);
  // --dir names the lab of the chosen backend; the other keeps its default
  const kindDir = backend === 'kind' && typeof v.dir === 'string' ? resolve(v.dir)
    : io.env.OVNLAB_KIND_LAB_DIR ? resolve(io.env.OVNLAB_KIND_LAB_DIR) : defaultKindLabDir(io.env);
  return guidedContextFor({ backend, localLabDir: localLabDir(backend === 'local' ? v.dir : undefined, io.env), kindLabDir: kindDir, labsDir, env: io.env });
}

function pick(p: string[]): { lab: GuidedLab; steps: GuidedStep[] } {
  const [ref, stepId] = p;
  if (!ref) throw new UsageError(`name a lab: ${GUIDED_LABS.map((l) => l.n).join(', ')} (ovnlab labs list)`);
  const lab = findLab(ref);
  if (!lab) throw new UsageError(`no lab "${ref}": use 1-${GUIDED_LABS.length} or a name from \`ovnlab labs list\``);
  if (!stepId) return { lab, steps: lab.steps };
  const step = lab.steps.find((s) => s.id === stepId);
  if (!step) throw new UsageError(`lab ${lab.n} has no step "${stepId}": its steps are ${lab.steps.map((s) => s.id).join(', ')}`);
  return { lab, steps: [step] };
}

const dirOption = { dir: { type: 'string' as const }, backend: { type: 'string' as const } };

export const labsCommands: CliCommand[] = [
  {
    path: ['labs', 'list'],
    summary: 'the guided labs and their steps (the editor shows them as walkthroughs)',
    usage: 'labs list [--json]',
    options: {},
    async run(v, _p, io) {
      if (v.json) {
        io.out(JSON.stringify(GUIDED_LABS.map((l) => ({ n: l.n, id: l.id, title: l.title, steps: l.steps.map((s) => ({ id: s.id, title: s.title })) })), null, 2));
        return 0;
      }
      for (const l of GUIDED_LABS) {
        io.out(`${l.n}  ${l.title}   (labs/${l.id})`);
        for (const s of l.steps) io.out(`     ${s.id.padEnd(10)} ${s.title}`);
      }
      return 0;
    },
  },
  {
    path: ['labs', 'check'],
    summary: 'run a guided lab\'s checks against the lab (all steps, or one); exit 1 when one fails',
    usage: 'labs check N [STEP] [--backend local|kind] [--dir DIR] [--json]',
    options: dirOption,
    async run(v, p, io) {
      const { lab, steps } = pick(p);
      const ctx = await contextFor(v, io);
      const results = [];
      for (const s of steps) {
        const r = await runCheck(ctx, lab, s);
        results.push({ step: s.id, ...r });
        if (!v.json) io.out(`${r.ok ? 'ok  ' : 'FAIL'} ${lab.n}.${s.id.padEnd(10)} ${r.message}`);
        // later steps build on this one: stop at the first failure and say so
        if (!r.ok && steps.length > 1) {
          if (!v.json) io.out(`(later steps not checked: do step ${s.id} first — \`ovnlab labs run ${lab.n} ${s.id}\` does it)`);
          break;
        }
      }
      if (v.json) io.out(JSON.stringify({ lab: lab.id, results }, null, 2));
      return results.every((r) => r.ok) ? 0 : 1;
    },
  },
  {
    path: ['labs', 'run'],
    summary: 'do a guided lab step\'s action the scripted way (apply, the lens edit…), then check it',
    usage: 'labs run N STEP [--backend local|kind] [--dir DIR]',
    options: dirOption,
    async run(v, p, io) {
      if (!p[1]) throw new UsageError('labs run needs a lab and a step, e.g. `ovnlab labs run 1 pin` (ovnlab labs list shows them)');
      const { lab, steps } = pick(p);
      const ctx = await contextFor(v, io);
      const step = steps[0];
      const did = await runScriptAction(ctx, lab, step, { labUp: async () => { await ctx.backend.up({}, (l) => io.err(l), io.signal); } });
      io.out(did);
      const r = await runCheck(ctx, lab, step);
      io.out(`${r.ok ? 'ok  ' : 'FAIL'} ${lab.n}.${step.id.padEnd(10)} ${r.message}`);
      return r.ok ? 0 : 1;
    },
  },
];

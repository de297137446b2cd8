// Editor glue of the guided labs (contributes.walkthroughs): `ovnlab.lab.run` does a step's
// action (open the user's copy of the YAML, apply it, open a panel…) and then checks it;
// `ovnlab.lab.check` runs the step's check (src/lab/guided, vscode-free) and sets the context key
// the step's completionEvents wait for, so a step completes only when the real state says so.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { LabBackendKind } from '../lab/lab-backend';
import { defaultKindLabDir } from '../lab/kind/kind-lab';
import { guidedContextFor } from '../lab/guided/guided-context';
import { GUIDED_LABS, findLab, stepContextKey, type GuidedLab, type GuidedStep } from '../lab/guided/catalogue';
import type { CheckResult } from '../lab/guided/checks';
import { findVmIp, runCheck, workFile, type GuidedContext } from '../lab/guided/step-runner';

export interface WalkthroughDeps {
  log: vscode.LogOutputChannel;
  extensionPath: string;
  /** the local lab's directory */
  localLabDir: () => string;
  backend: () => LabBackendKind;
  /** brings the lab up the way the Lab view does (through the CLI) */
  labUp: () => Promise<void>;
  /** after a step changed the lab: refresh the trees */
  changed: () => Promise<void>;
}

/** What the commands return (the e2e tests read it). */
export interface StepOutcome extends CheckResult {
  lab: number;
  step: string;
  contextKey: string;
}

function resolveStep(lab: unknown, step: unknown): { lab: GuidedLab; step: GuidedStep } {
  const g = findLab(String(lab));
  const s = g?.steps.find((x) => x.id === String(step));
  if (!g || !s) throw new Error(`no guided lab step ${String(lab)}/${String(step)}`);
  return { lab: g, step: s };
}

async function guidedContext(deps: WalkthroughDeps): Promise<GuidedContext> {
  // the kind lab: status through kubectl, OVN through the cluster's pods on its kubeconfig context
  return guidedContextFor({ backend: deps.backend(), localLabDir: deps.localLabDir(), kindLabDir: defaultKindLabDir(), labsDir: join(deps.extensionPath, 'labs') });
}

export async function checkStep(deps: WalkthroughDeps, labRef: unknown, stepRef: unknown, opts: { quiet?: boolean } = {}): Promise<StepOutcome> {
  const { lab, step } = resolveStep(labRef, stepRef);
  const key = stepContextKey(lab, step);
  const r: CheckResult = await runCheck(await guidedContext(deps), lab, step);
  await vscode.commands.executeCommand('setContext', key, r.ok);
  // the quiet checks at start-up would fill the log with "not yet" lines: keep those at debug
  const line = `lab ${lab.n} step ${step.id}: ${r.ok ? 'ok' : 'not yet'}: ${r.message}`;
  if (opts.quiet) deps.log.debug(line);
  else deps.log.info(line);
  if (!opts.quiet) {
    if (r.ok) void vscode.window.showInformationMessage(`ovnlab lab ${lab.n} ✓ ${step.title}: ${r.message}`);
    else void vscode.window.showWarningMessage(`ovnlab lab ${lab.n}, ${step.title}: ${r.message}`);
  }
  return { ...r, lab: lab.n, step: step.id, contextKey: key };
}

/** The step's button: its action, then its check (actions that need the user — a lens — only open the file). */
export async function runStep(deps: WalkthroughDeps, labRef: unknown, stepRef: unknown): Promise<StepOutcome> {
  const { lab, step } = resolveStep(labRef, stepRef);
  const ctx = await guidedContext(deps);
  const a = step.action;
  try {
    switch (a.kind) {
      case 'labUp':
        // the kind lab comes up through the Lab view's command (it follows ovnlab.lab.backend)
        if ((await ctx.backend.status()).state !== 'up') await (ctx.backend.kind === 'kind' ? vscode.commands.executeCommand('ovnlab.lab.up') : deps.labUp());
        break;
      case 'open': {
        const doc = await vscode.workspace.openTextDocument(await workFile(ctx, lab, a.file));
        await vscode.window.showTextDocument(doc, { preview: false });
        // the lens edit is the user's to make: check once the file is saved
        return { ok: false, message: 'use the lens above the VM, save, then press Check', lab: lab.n, step: step.id, contextKey: stepContextKey(lab, step) };
      }
      case 'apply': {
        const path = a.work ? await workFile(ctx, lab, a.file) : join(ctx.labsDir, lab.id, a.file);
        const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ovnlab: applying ${a.file}` }, () => readFile(path, 'utf8').then((t) => ctx.backend.apply(t, path)));
        for (const l of r.applied) deps.log.info(l);
        for (const p of r.problems) deps.log.warn(p);
        await deps.changed();
        break;
      }
      case 'trace': {
        const dst = a.ip ?? (a.toVm ? await findVmIp(ctx, a.toVm) : undefined);
        if (dst) await vscode.commands.executeCommand('ovnlab.traceFromVm', undefined, { from: a.from, dst, protocol: 'icmp' });
        break;
      }
      case 'command':
        await vscode.commands.executeCommand(a.command, ...(a.args ?? []));
        break;
      case 'pinIp':
      case 'enableMigration':
      case 'none':
        break;
    }
  } catch (e) {
    deps.log.error(`lab ${lab.n} step ${step.id}: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(`ovnlab lab ${lab.n}, ${step.title}: ${(e as Error).message}`);
  }
  return checkStep(deps, lab.n, step.id);
}

/** Sets every step's context key from the real state (on activation: steps already done show as done). */
export async function refreshAllSteps(deps: WalkthroughDeps, labs: readonly GuidedLab[]): Promise<void> {
  // on the kind lab every check runs kubectl (seconds each): the steps tick as the user presses them
  if (deps.backend() === 'kind') return;
  for (const lab of labs) for (const s of lab.steps) {
    // only the cheap, side-effect-free checks (no pings, traces or memo writes)
    if (!['labUp', 'yamlPinned', 'yamlMigration', 'vmHasIp', 'vpcs', 'externalGateway', 'nat'].includes(s.check.kind)) continue;
    await checkStep(deps, lab.n, s.id, { quiet: true }).catch(() => undefined);
  }
}

export function registerWalkthroughCommands(deps: WalkthroughDeps, publisherAndName: string): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('ovnlab.lab.check', (lab: unknown, step: unknown) => checkStep(deps, lab, step)),
    vscode.commands.registerCommand('ovnlab.lab.run', (lab: unknown, step: unknown) => runStep(deps, lab, step)),
    vscode.commands.registerCommand('ovnlab.lab.openWalkthrough', async (lab?: unknown) => {
      let g = lab === undefined ? undefined : findLab(String(lab));
      if (!g) {
        const picked = await vscode.window.showQuickPick(GUIDED_LABS.map((l) => ({ label: `${l.n}. ${l.title}`, detail: l.description, lab: l })), { title: 'ovnlab: open which guided lab?' });
        g = picked?.lab;
      }
      if (g) await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${publisherAndName}#lab${g.n}`, false);
    }),
  ];
}

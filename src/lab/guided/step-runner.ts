// Runs a guided lab step's check (and, for scripts and tests, its action) against a lab backend
// and its OvnTarget. The editor glue and `ovnlab labs` both go through here.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LabBackend } from '../lab-backend';
import type { OvnTarget } from '../../ovn/ovn-target';
import { applyEdits } from '../../yaml/text-edits';
import { enableMigrationEdits, pinIpEdits } from '../../yaml/vm-edits';
import type { GuidedLab, GuidedStep, StepAction, StepCheck } from './catalogue';
import {
  checkExternalGateway, checkFlowsHit, checkLabUp, checkNatRow, checkPing, checkTrace, checkVmHasIp, checkVmKeptIp, checkVmMigrated,
  checkVmRunningRecordNode, checkVmStoppedKeepsIp, checkVpcs, checkYamlMigration, checkYamlPinned, findVm, type CheckResult, type GuidedMemo,
} from './checks';

export interface GuidedContext {
  backend: LabBackend;
  /** the OVN target of the running lab; undefined when it is down (or the backend gives none) */
  target(): Promise<OvnTarget | undefined>;
  /** the repository's (or extension's) `labs/` folder */
  labsDir: string;
  /** where the user's copies of the lab files and the memo live */
  workDir: string;
  memo: GuidedMemo;
}

/** `<lab dir>/../guided`: beside the lab, so `lab down` (which removes the lab dir) keeps the user's edits. */
export function guidedWorkDir(labDir: string): string {
  return join(dirname(labDir), 'guided');
}

/** A memo kept as JSON in the work folder. */
export async function fileMemo(workDir: string): Promise<GuidedMemo> {
  const path = join(workDir, 'memo.json');
  let data: Record<string, string> = {};
  try {
    data = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
  } catch {
    data = {};
  }
  return {
    get: (k) => data[k],
    async set(k, v) {
      data[k] = v;
      await mkdir(workDir, { recursive: true });
      await writeFile(path, JSON.stringify(data, null, 2) + '\n');
    },
  };
}

/** The user's copy of a lab file (copied from labs/ the first time). */
export async function workFile(ctx: Pick<GuidedContext, 'labsDir' | 'workDir'>, lab: GuidedLab, file: string): Promise<string> {
  const dst = join(ctx.workDir, lab.id, file);
  if (!existsSync(dst)) {
    await mkdir(dirname(dst), { recursive: true });
    await copyFile(join(ctx.labsDir, lab.id, file), dst);
  }
  return dst;
}

async function needTarget(ctx: GuidedContext): Promise<OvnTarget | CheckResult> {
  const t = await ctx.target();
  return t ?? { ok: false, message: `cannot read OVN of the ${ctx.backend.kind} lab in ${ctx.backend.dir}: is it up? (ovnlab lab up)` };
}

async function withTarget(ctx: GuidedContext, fn: (t: OvnTarget) => Promise<CheckResult>): Promise<CheckResult> {
  const t = await needTarget(ctx);
  if ('ok' in t) return t;
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}

/** The IP a lab VM has now. */
export async function findVmIp(ctx: Pick<GuidedContext, 'backend'>, vm: string): Promise<string | undefined> {
  return findVm(await ctx.backend.status(), vm)?.ip;
}
const vmIp = findVmIp;

/** Runs the step's check; never throws for a state that is missing (it says so in the result). */
export async function runCheck(ctx: GuidedContext, lab: GuidedLab, step: GuidedStep): Promise<CheckResult> {
  try {
    return await check(ctx, lab, step.check);
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

async function check(ctx: GuidedContext, lab: GuidedLab, c: StepCheck): Promise<CheckResult> {
  const b = ctx.backend;
  switch (c.kind) {
    case 'labUp': return checkLabUp(b);
    case 'yamlPinned': return checkYamlPinned(await readFile(await workFile(ctx, lab, c.file), 'utf8'), c.vm, c.ip);
    case 'yamlMigration': return checkYamlMigration(await readFile(await workFile(ctx, lab, c.file), 'utf8'), c.vm);
    case 'vmHasIp': return checkVmHasIp(b, c.vm, c.ip, { pinned: c.pinned });
    case 'vmRecord': return checkVmRunningRecordNode(b, c.vm, ctx.memo, c.memo);
    case 'vmStoppedKeepsIp': return checkVmStoppedKeepsIp(b, c.vm, ctx.memo, c.memo);
    case 'vmKeptIp': return checkVmKeptIp(b, c.vm, ctx.memo, c.memo);
    case 'vmMigrated': return checkVmMigrated(b, c.vm, ctx.memo, c.memo);
    case 'ping': return checkPing(b, c.from, c.ip, c.expectOk);
    case 'pingMoved': {
      const moved = await checkVmMigrated(b, c.vm, ctx.memo, c.memo);
      if (!moved.ok) return moved;
      const r = await checkPing(b, c.from, (await vmIp(ctx, c.vm))!, true);
      return r.ok ? { ok: true, message: `${moved.message}; ${r.message}` } : r;
    }
    case 'vpcs': return withTarget(ctx, (t) => checkVpcs(t, c.want));
    case 'externalGateway': return withTarget(ctx, (t) => checkExternalGateway(t, c.node));
    case 'nat': {
      const ip = c.vm ? await vmIp(ctx, c.vm) : undefined;
      if (c.vm && !ip) return { ok: false, message: `VM ${c.vm} has no IP in the lab yet: apply it (the step's button)` };
      return withTarget(ctx, (t) => checkNatRow(t, c.eip, ip));
    }
    case 'flowsHit': return withTarget(ctx, (t) => checkFlowsHit(t, c.node, c.ip));
    case 'trace': {
      const ip = c.ip ?? (c.toVm ? await vmIp(ctx, c.toVm) : undefined);
      if (!ip) return { ok: false, message: `VM ${c.toVm ?? '?'} has no IP in the lab yet: do the earlier steps first` };
      return withTarget(ctx, (t) => checkTrace(t, c.from, ip, c));
    }
  }
}

/**
 * Does what a step's button does, the scripted way (for `ovnlab labs run` and the tests):
 * the lens edits are made with the same edit functions the lenses use. Returns what it did.
 */
export async function runScriptAction(ctx: GuidedContext, lab: GuidedLab, step: GuidedStep, opts: { labUp?: () => Promise<void> } = {}): Promise<string> {
  const a: StepAction = step.script ?? step.action;
  switch (a.kind) {
    case 'labUp':
      if (!opts.labUp) return 'start the lab with `ovnlab lab up`';
      await opts.labUp();
      return 'lab up';
    case 'open': return `copied to ${await workFile(ctx, lab, a.file)}`;
    case 'apply': {
      const path = a.work ? await workFile(ctx, lab, a.file) : join(ctx.labsDir, lab.id, a.file);
      const r = await ctx.backend.apply(await readFile(path, 'utf8'), path);
      return [...r.applied, ...r.problems.map((p) => `warning: ${p}`)].join('\n');
    }
    case 'pinIp':
    case 'enableMigration': {
      const path = await workFile(ctx, lab, a.file);
      const text = await readFile(path, 'utf8');
      const ref = { name: a.vm, offset: 0 };
      // a file that already has the change is left alone, as the lens would not offer it again
      const done = a.kind === 'pinIp' ? checkYamlPinned(text, a.vm, a.ip).ok : checkYamlMigration(text, a.vm).ok;
      if (done) return `${path} already has it`;
      const r = a.kind === 'pinIp' ? pinIpEdits(text, ref, { ip: a.ip }) : enableMigrationEdits(text, ref);
      await writeFile(path, applyEdits(text, r.edits));
      return r.summary;
    }
    case 'trace':
    case 'command':
    case 'none':
      return 'nothing to do but the check';
  }
}

/** The `labs/` folder: `$OVNLAB_LABS_DIR`, else the first `labs/1-pin-ip` found going up from `from` (the bundle or the source file). */
export function findLabsDir(from: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.OVNLAB_LABS_DIR) return env.OVNLAB_LABS_DIR;
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'labs', '1-pin-ip'))) return join(dir, 'labs');
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

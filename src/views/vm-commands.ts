// The VM context actions: start / stop / restart / migrate (following the migration object to its
// end under a progress notification), attach / detach an external IP. Every action checks that the
// VM still exists in the live store first, runs off the UI path, and says plainly what failed.
import * as vscode from 'vscode';
import type { ClusterStore } from '../k8s/cluster-store';
import { createOvnEip, createOvnFip, setPodEip } from '../k8s/eip-actions';
import { vmRow, type VmRow } from '../k8s/joined-views';
import { isApiError } from '../k8s/kube-errors';
import { deleteObject } from '../k8s/kube-objects';
import { checkIp } from '../k8s/names';
import { ANNOTATIONS, DEFAULT_VPC } from '../k8s/store-indexes';
import { FINAL_MIGRATION_PHASES, followMigration, patchVmTemplateAnnotations, vmLifecycle, type VmLifecycleAction } from '../k8s/vm-actions';
import type { ClusterSession } from './cluster-session';

export interface VmTarget {
  namespace: string;
  name: string;
}

export interface CommandDeps {
  session: ClusterSession;
  log: vscode.LogOutputChannel;
}

/** The VM an action was invoked on: a tree element, or `{namespace, name}` from another caller. */
export function vmTargetOf(arg: unknown): VmTarget | undefined {
  const a = arg as { kind?: string; namespace?: unknown; name?: unknown; row?: { vm?: VmTarget } } | undefined;
  if (a?.kind === 'eip' && a.row?.vm) return a.row.vm;
  if (a && typeof a.namespace === 'string' && typeof a.name === 'string' && (a.kind === undefined || a.kind === 'vm')) return { namespace: a.namespace, name: a.name };
  return undefined;
}

/** The error text a user can act on, for any failure of an action. */
export function describeFailure(e: unknown): string {
  if (isApiError(e, 403)) return `no permission: ${e.message}. Ask for the RBAC rights, or pick another context.`;
  if (isApiError(e, 404)) return `${e.message} (it was deleted meanwhile; the tree shows the current state)`;
  return e instanceof Error ? e.message : String(e);
}

export async function reportFailure(deps: CommandDeps, what: string, e: unknown): Promise<void> {
  const msg = `${what} failed: ${describeFailure(e)}`;
  deps.log.error(msg);
  // not awaited: the promise settles only when the user dismisses the notification
  void vscode.window.showErrorMessage(`ovnlab: ${msg}`);
}

/** The live VM row, or an error message saying it is gone. */
export function liveVm(store: ClusterStore, t: VmTarget): VmRow {
  const vm = store.get('virtualmachines', t.namespace, t.name);
  if (!vm) throw new Error(`VirtualMachine ${t.namespace}/${t.name} no longer exists in context ${store.context}`);
  return vmRow(store.snapshot(), store.indexes(), vm);
}

export async function runVmAction(deps: CommandDeps, action: VmLifecycleAction, arg: unknown): Promise<void> {
  const t = vmTargetOf(arg);
  if (!t) return void vscode.window.showWarningMessage('ovnlab: choose a virtual machine in the sidebar first.');
  const label = `${action} ${t.namespace}/${t.name}`;
  try {
    const store = deps.session.requireStore();
    const row = liveVm(store, t);
    if (action === 'migrate' && !row.node) throw new Error(`${t.namespace}/${t.name} is not running (no node): start it before migrating`);
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `ovnlab: ${label}`, cancellable: action === 'migrate' },
      async (progress, token) => {
        const r = await vmLifecycle(store.client, t.namespace, t.name, action);
        deps.log.info(`${label}: done via ${r.via}${r.note ? ` (${r.note})` : ''}`);
        if (action !== 'migrate') return;
        // follow the migration object until it ends (Succeeded/Failed), or the user cancels
        const name = r.migration?.metadata.name
          ?? (await store.waitFor(() => store.list('virtualmachineinstancemigrations').find((m) => m.metadata.namespace === t.namespace && m.spec?.vmiName === t.name && !FINAL_MIGRATION_PHASES.has(m.status?.phase ?? ''))?.metadata.name, 30_000, `a migration of ${t.name}`));
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        progress.report({ message: `migration ${name}: Pending` });
        const done = await followMigration(store.client, t.namespace, name, {
          signal: abort.signal,
          onPhase: (phase) => progress.report({ message: `migration ${name}: ${phase}` }),
        });
        const phase = done.status?.phase ?? '?';
        deps.log.info(`${label}: migration ${name} ended ${phase}`);
        if (phase === 'Failed') void vscode.window.showErrorMessage(`ovnlab: migration ${name} of ${t.namespace}/${t.name} failed; see its events (kubectl describe vmim ${name} -n ${t.namespace}).`);
        else void vscode.window.showInformationMessage(`ovnlab: ${t.namespace}/${t.name} migrated (${name}).`);
      },
    );
  } catch (e) {
    await reportFailure(deps, label, e);
  }
}

export async function attachEip(deps: CommandDeps, arg: unknown, given?: string): Promise<void> {
  const t = vmTargetOf(arg);
  if (!t) return void vscode.window.showWarningMessage('ovnlab: choose a virtual machine in the sidebar first.');
  try {
    const store = deps.session.requireStore();
    const row = liveVm(store, t);
    const eip = given ?? (await vscode.window.showInputBox({
      title: `External IP for ${t.namespace}/${t.name}`,
      prompt: row.vpc && row.vpc !== DEFAULT_VPC ? `VPC ${row.vpc}: an OvnEip and an OvnFip will be created` : 'default VPC: the ovn.kubernetes.io/eip annotation is set on the VM and its launcher pod',
      placeHolder: '172.18.0.10',
      validateInput: (v) => {
        try {
          checkIp('external IP', v.trim(), 4);
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    }));
    if (!eip) return;
    const ip = checkIp('external IP', eip.trim(), 4);
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ovnlab: attaching ${ip} to ${t.namespace}/${t.name}` }, async () => {
      if (row.vpc && row.vpc !== DEFAULT_VPC) {
        const base = `${t.name}-${t.namespace}`.slice(0, 56);
        await createOvnEip(store.client, { name: `${base}-eip`, v4Ip: ip });
        await createOvnFip(store.client, { name: `${base}-fip`, ovnEip: `${base}-eip`, ipName: `${t.name}.${t.namespace}` });
      } else {
        await patchVmTemplateAnnotations(store.client, t.namespace, t.name, { [ANNOTATIONS.eip]: ip });
        for (const pod of store.indexes().launcherPodsByVm.get(`${t.namespace}/${t.name}`) ?? []) await setPodEip(store.client, t.namespace, pod.metadata.name, ip);
      }
    });
    deps.log.info(`attached ${ip} to ${t.namespace}/${t.name}`);
  } catch (e) {
    await reportFailure(deps, `attach EIP to ${t.namespace}/${t.name}`, e);
  }
}

export async function detachEip(deps: CommandDeps, arg: unknown): Promise<void> {
  const t = vmTargetOf(arg);
  if (!t) return void vscode.window.showWarningMessage('ovnlab: choose a virtual machine in the sidebar first.');
  try {
    const store = deps.session.requireStore();
    liveVm(store, t);
    const ipName = `${t.name}.${t.namespace}`;
    const fips = store.list('ovn-fips').filter((f) => f.spec?.ipName === ipName);
    for (const f of fips) await deleteObject(store.client, 'ovn-fips', undefined, f.metadata.name);
    const vm = store.get('virtualmachines', t.namespace, t.name);
    if (vm?.spec?.template?.metadata?.annotations?.[ANNOTATIONS.eip]) await patchVmTemplateAnnotations(store.client, t.namespace, t.name, { [ANNOTATIONS.eip]: null });
    for (const pod of store.indexes().launcherPodsByVm.get(`${t.namespace}/${t.name}`) ?? []) {
      if (pod.metadata.annotations?.[ANNOTATIONS.eip]) await setPodEip(store.client, t.namespace, pod.metadata.name, null);
    }
    deps.log.info(`detached the external IP of ${t.namespace}/${t.name}${fips.length ? ` (deleted ${fips.map((f) => f.metadata.name).join(', ')}; their OvnEips are kept)` : ''}`);
  } catch (e) {
    await reportFailure(deps, `detach EIP from ${t.namespace}/${t.name}`, e);
  }
}

export const VM_ACTIONS: VmLifecycleAction[] = ['start', 'stop', 'restart', 'migrate'];

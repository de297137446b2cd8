// What the sidebar and the CLI do to VirtualMachines: change template annotations (the Kube-OVN
// ones: pinned IP, logical switch, EIP), start/stop through runStrategy or KubeVirt's
// subresource API, restart, and live-migrate with a VirtualMachineInstanceMigration whose
// phase we follow.
import type { KubeClient } from './kube-client';
import { KubeApiError, isApiError } from './kube-errors';
import {
  type MergePatch,
  StaleObjectError,
  type WriteOptions,
  createObject,
  deleteObject,
  describeRef,
  getObject,
  isConflict,
  mergePatchObject,
} from './kube-objects';
import { checkAnnotationKey, checkLabel, checkSubdomain } from './names';
import { RESOURCES, objectKey, resourcePath } from './resource-catalogue';
import type { KubeObject, KubeStatus, RunStrategy, VirtualMachine, VirtualMachineInstanceMigration } from './resources';

export interface AnnotationPatchOptions extends WriteOptions {
  /** a precondition: the server answers 409 when the VM has changed since this resourceVersion */
  resourceVersion?: string;
  /**
   * On 409: 'retry' (default) reads the VM again and applies the same annotation changes to
   * the fresh copy, up to `maxRetries` times; 'report' throws a StaleObjectError at once.
   */
  onConflict?: 'retry' | 'report';
  maxRetries?: number;
}

/** The outcome of a write that may have needed retries. */
export interface PatchOutcome<T> {
  object: T;
  /** how many 409s were retried before the write landed */
  conflictsRetried: number;
}

/**
 * Sets (string) or removes (null) annotations on a VM's spec.template.metadata — the pod the
 * VM starts from, which is where Kube-OVN reads them. Takes effect at the VM's next start.
 */
export async function patchVmTemplateAnnotations(
  client: KubeClient,
  namespace: string,
  name: string,
  changes: Record<string, string | null>,
  opts: AnnotationPatchOptions = {},
): Promise<PatchOutcome<VirtualMachine>> {
  for (const key of Object.keys(changes)) checkAnnotationKey(key);
  const annotations: MergePatch = { ...changes };
  return patchWithPrecondition(client, namespace, name, { spec: { template: { metadata: { annotations } } } }, opts);
}

async function patchWithPrecondition(
  client: KubeClient,
  namespace: string,
  name: string,
  patch: MergePatch,
  opts: AnnotationPatchOptions,
): Promise<PatchOutcome<VirtualMachine>> {
  const def = RESOURCES.virtualmachines;
  const ref = describeRef(def, namespace, name);
  const maxRetries = opts.onConflict === 'report' ? 0 : (opts.maxRetries ?? 3);
  let rv = opts.resourceVersion;
  for (let attempt = 0; ; attempt++) {
    const body: MergePatch = rv ? { ...patch, metadata: { resourceVersion: rv } } : patch;
    try {
      const object = await mergePatchObject(client, 'virtualmachines', namespace, name, body, opts);
      return { object, conflictsRetried: attempt };
    } catch (e) {
      if (isApiError(e, 404)) throw new KubeApiError(404, { message: `${ref} does not exist: check the name and namespace` }, '', e.request);
      if (!isConflict(e)) throw e;
      const fresh = await getObject(client, 'virtualmachines', namespace, name, opts.signal);
      if (attempt >= maxRetries || !fresh) {
        throw new StaleObjectError(ref, rv, fresh?.metadata.resourceVersion, e.message);
      }
      rv = fresh.metadata.resourceVersion;
    }
  }
}

/** Sets spec.runStrategy (and drops the deprecated spec.running, which KubeVirt refuses beside it). */
export async function setRunStrategy(
  client: KubeClient,
  namespace: string,
  name: string,
  strategy: RunStrategy,
  opts: AnnotationPatchOptions = {},
): Promise<PatchOutcome<VirtualMachine>> {
  return patchWithPrecondition(client, namespace, name, { spec: { runStrategy: strategy, running: null } }, opts);
}

export type VmLifecycleAction = 'start' | 'stop' | 'restart' | 'migrate';

export interface LifecycleResult {
  action: VmLifecycleAction;
  /** how it was done: KubeVirt's subresource API, or the fallback where that API is not served */
  via: 'subresource' | 'runStrategy' | 'delete-vmi' | 'migration-object';
  /** why a fallback was used, for the user */
  note?: string;
  migration?: VirtualMachineInstanceMigration;
}

export const SUBRESOURCE_API = '/apis/subresources.kubevirt.io/v1';

/** True when virt-api serves `subresources.kubevirt.io/v1` (it does only where KubeVirt runs). */
export async function isSubresourceApiServed(client: KubeClient, signal?: AbortSignal): Promise<boolean> {
  try {
    await client.request('GET', SUBRESOURCE_API, { signal });
    return true;
  } catch (e) {
    if (isApiError(e, 404) || isApiError(e, 503)) return false;
    throw e;
  }
}

/**
 * start/stop/restart/migrate through `subresources.kubevirt.io/v1` where it is served; where it
 * is not (no virt-api), the same intent through plain objects: runStrategy for start/stop,
 * deleting the VMI for restart (the VM controller starts a new one), a migration object for migrate.
 */
export async function vmLifecycle(
  client: KubeClient,
  namespace: string,
  name: string,
  action: VmLifecycleAction,
  opts: WriteOptions & { preferSubresource?: boolean } = {},
): Promise<LifecycleResult> {
  checkLabel('namespace', namespace);
  checkSubdomain('VirtualMachine name', name);
  const served = opts.preferSubresource === false ? false : await isSubresourceApiServed(client, opts.signal);
  if (served) {
    const path = `${SUBRESOURCE_API}/namespaces/${namespace}/virtualmachines/${name}/${action}`;
    await client.request('PUT', path, { body: opts.dryRun ? { dryRun: ['All'] } : {}, signal: opts.signal });
    return { action, via: 'subresource' };
  }
  const why = `${SUBRESOURCE_API} is not served by this cluster (virt-api is not running)`;
  switch (action) {
    case 'start':
      await setRunStrategy(client, namespace, name, 'Always', opts);
      return { action, via: 'runStrategy', note: `${why}: set spec.runStrategy=Always instead` };
    case 'stop':
      await setRunStrategy(client, namespace, name, 'Halted', opts);
      return { action, via: 'runStrategy', note: `${why}: set spec.runStrategy=Halted instead` };
    case 'restart': {
      const vm = await getObject(client, 'virtualmachines', namespace, name, opts.signal);
      if (!vm) throw new Error(`VirtualMachine ${namespace}/${name} does not exist`);
      const strategy = vm.spec?.runStrategy ?? (vm.spec?.running ? 'Always' : 'Halted');
      if (strategy !== 'Always' && strategy !== 'RerunOnFailure') {
        throw new Error(`cannot restart ${namespace}/${name} without virt-api: its runStrategy is ${strategy}, so deleting its VMI would stop it; stop and start it instead`);
      }
      const deleted = await deleteObject(client, 'virtualmachineinstances', namespace, name, opts);
      if (!deleted) throw new Error(`VirtualMachine ${namespace}/${name} is not running (no VirtualMachineInstance): start it instead`);
      return { action, via: 'delete-vmi', note: `${why}: deleted the VirtualMachineInstance so the VM controller starts a new one` };
    }
    case 'migrate': {
      const migration = await createMigration(client, namespace, name, opts);
      return { action, via: 'migration-object', note: `${why}: created VirtualMachineInstanceMigration ${migration.metadata.name}`, migration };
    }
  }
}

/** Creates a VirtualMachineInstanceMigration for the VMI `vmiName` (named `<vmi>-migration-xxxxx`). */
export async function createMigration(client: KubeClient, namespace: string, vmiName: string, opts: WriteOptions = {}): Promise<VirtualMachineInstanceMigration> {
  checkLabel('namespace', namespace);
  checkSubdomain('VirtualMachineInstance name', vmiName);
  const prefix = `${vmiName.slice(0, 40)}-migration-`;
  return createObject(
    client,
    'virtualmachineinstancemigrations',
    { metadata: { name: '', generateName: prefix, namespace }, spec: { vmiName } },
    opts,
  );
}

export const FINAL_MIGRATION_PHASES = new Set(['Succeeded', 'Failed']);

export interface FollowOptions {
  /** called with each new phase (and once with the phase found at the start) */
  onPhase?: (phase: string, migration: VirtualMachineInstanceMigration) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Follows a migration until it reaches Succeeded or Failed and resolves with it (the caller reads
 * the phase); rejects when it is deleted first or the time runs out (saying the last phase).
 */
export async function followMigration(client: KubeClient, namespace: string, name: string, opts: FollowOptions = {}): Promise<VirtualMachineInstanceMigration> {
  const def = RESOURCES.virtualmachineinstancemigrations;
  const ref = describeRef(def, namespace, name);
  const start = await getObject(client, 'virtualmachineinstancemigrations', namespace, name, opts.signal);
  if (!start) throw new Error(`${ref} does not exist`);
  let phase = start.status?.phase ?? 'Pending';
  opts.onPhase?.(phase, start);
  if (FINAL_MIGRATION_PHASES.has(phase)) return start;
  let rv = start.metadata.resourceVersion ?? '';
  const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
  const key = objectKey(namespace, name);
  while (Date.now() < deadline) {
    if (opts.signal?.aborted) throw new Error(`stopped following ${ref} (last phase ${phase})`);
    const outcome = await new Promise<{ done?: VirtualMachineInstanceMigration; deleted?: boolean; gone?: boolean; rv: string }>((resolve, reject) => {
      let last = rv;
      let settled = false;
      const finish = (v: { done?: VirtualMachineInstanceMigration; deleted?: boolean; gone?: boolean }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        handle?.stop();
        resolve({ ...v, rv: last });
      };
      const onAbort = (): void => finish({});
      const timer = setTimeout(() => finish({}), Math.max(0, deadline - Date.now()));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      let handle: { stop(): void } | undefined;
      client
        .watch(
          resourcePath(def, namespace),
          { fieldSelector: `metadata.name=${name}`, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 60 },
          (type, obj) => {
            if (type === 'ERROR') {
              if ((obj as KubeStatus).code === 410) finish({ gone: true });
              else reject(new KubeApiError((obj as KubeStatus).code ?? 500, obj as KubeStatus, 'watch error', `WATCH ${ref}`));
              return;
            }
            const m = obj as KubeObject as VirtualMachineInstanceMigration;
            if (m.metadata.resourceVersion) last = m.metadata.resourceVersion;
            if (type === 'BOOKMARK' || objectKey(m.metadata.namespace, m.metadata.name) !== key) return;
            if (type === 'DELETED') return finish({ deleted: true });
            const p = m.status?.phase ?? 'Pending';
            if (p !== phase) {
              phase = p;
              opts.onPhase?.(p, m);
            }
            if (FINAL_MIGRATION_PHASES.has(p)) finish({ done: m });
          },
          (err) => (err ? reject(err) : finish({})),
        )
        .then((h) => {
          handle = h;
          if (settled) h.stop();
        }, reject);
    });
    if (outcome.done) return outcome.done;
    if (outcome.deleted) throw new Error(`${ref} was deleted before it finished (last phase ${phase})`);
    if (outcome.gone) {
      const fresh = await getObject(client, 'virtualmachineinstancemigrations', namespace, name, opts.signal);
      if (!fresh) throw new Error(`${ref} was deleted before it finished (last phase ${phase})`);
      const p = fresh.status?.phase ?? 'Pending';
      if (p !== phase) {
        phase = p;
        opts.onPhase?.(p, fresh);
      }
      if (FINAL_MIGRATION_PHASES.has(p)) return fresh;
      rv = fresh.metadata.resourceVersion ?? '';
    } else rv = outcome.rv;
  }
  throw new Error(`timed out following ${ref}: still ${phase}`);
}

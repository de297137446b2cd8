// Server-side apply with field manager `ovnlab`, shown before it is done: a dry-run apply
// returns the object exactly as the server would store it (defaults, webhooks, merges with
// other managers' fields), we diff that against what is stored now, and only `commit()`
// writes — with the read resourceVersion as precondition, so what lands is what was shown.
import type { KubeClient } from './kube-client';
import { KubeApiError, isApiError } from './kube-errors';
import { FIELD_MANAGER, StaleObjectError, checkObjectRef, describeRef, getObject, isConflict } from './kube-objects';
import { RESOURCES, type ResourceKey, type ResourceTypes, apiVersionOf, resourcePath } from './resource-catalogue';
import type { KubeObject } from './resources';

export interface FieldChange {
  op: 'add' | 'remove' | 'change';
  /** dotted path; keys containing dots are bracketed: metadata.annotations["ovn.kubernetes.io/ip_address"] */
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface ApplyPlan<T extends KubeObject> {
  ref: string;
  /** the object as stored now (undefined: apply will create it) */
  current: T | undefined;
  /** the object as the server would store it after the apply */
  proposed: T;
  changes: FieldChange[];
  /** performs the apply; fails with StaleObjectError if the object changed since the plan */
  commit(): Promise<T>;
}

export interface ApplyOptions {
  fieldManager?: string;
  /** take over fields another manager owns (kubectl's --force-conflicts) */
  force?: boolean;
  signal?: AbortSignal;
}

/** Fields the server changes on every write; a diff of them says nothing about the apply. */
const VOLATILE_METADATA = new Set(['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink']);

export async function planApply<K extends ResourceKey>(
  client: KubeClient,
  resource: K,
  object: ResourceTypes[K],
  opts: ApplyOptions = {},
): Promise<ApplyPlan<ResourceTypes[K]>> {
  const def = RESOURCES[resource];
  const { namespace, name } = object.metadata;
  checkObjectRef(def, namespace, name);
  const ref = describeRef(def, namespace, name);
  const body = { ...object, apiVersion: apiVersionOf(def), kind: def.kind, metadata: { ...object.metadata } };
  delete body.metadata.resourceVersion;
  delete body.metadata.managedFields;
  const send = (dryRun: boolean, resourceVersion?: string): Promise<ResourceTypes[K]> =>
    client
      .request<ResourceTypes[K]>('PATCH', resourcePath(def, namespace, name), {
        body: resourceVersion ? { ...body, metadata: { ...body.metadata, resourceVersion } } : body,
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: opts.fieldManager ?? FIELD_MANAGER, force: opts.force ? true : undefined, dryRun: dryRun ? 'All' : undefined },
        signal: opts.signal,
      })
      .catch((e: unknown) => {
        throw explainApplyError(e, ref);
      });
  const current = await getObject(client, resource, namespace, name, opts.signal);
  const proposed = await send(true);
  const changes = diffObjects(current ?? { metadata: {} }, proposed);
  return {
    ref,
    current,
    proposed,
    changes,
    commit: async () => {
      try {
        // A precondition on create would be refused; on update it pins the diff we showed.
        return await send(false, current?.metadata.resourceVersion);
      } catch (e) {
        if (e instanceof KubeApiError && e.status === 409 && current && /modified|resourceVersion|precondition/i.test(e.message)) {
          const now = await getObject(client, resource, namespace, name, opts.signal);
          throw new StaleObjectError(ref, current.metadata.resourceVersion, now?.metadata.resourceVersion, e.message);
        }
        throw e;
      }
    },
  };
}

function explainApplyError(e: unknown, ref: string): unknown {
  if (isConflict(e) && /conflict/i.test(e.message) && !/modified/i.test(e.message)) {
    return new KubeApiError(409, { message: `${ref}: ${e.message} (another field manager owns these fields: apply with force to take them over)` }, '', e.request);
  }
  if (isApiError(e, 422)) return new KubeApiError(422, { message: `${ref} was refused by the API server: ${e.message}`, details: e.details }, '', e.request);
  return e;
}

function pathJoin(base: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Field-level differences from `before` to `after`; arrays compare as whole values. Skips volatile metadata and status. */
export function diffObjects(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (isPlainObject(a) && isPlainObject(b)) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of [...keys].sort()) {
        if (path === '' && k === 'status') continue;
        if (path === 'metadata' && VOLATILE_METADATA.has(k)) continue;
        const p = pathJoin(path, k);
        if (!(k in a)) out.push({ op: 'add', path: p, after: b[k] });
        else if (!(k in b)) out.push({ op: 'remove', path: p, before: a[k] });
        else walk(a[k], b[k], p);
      }
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ op: 'change', path, before: a, after: b });
  };
  walk(before, after, '');
  return out;
}

/** One line per change, like a unified diff's +/- lines. */
export function formatChanges(changes: readonly FieldChange[]): string {
  if (changes.length === 0) return '(no changes)';
  const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? 'undefined');
  return changes
    .map((c) => {
      if (c.op === 'add') return `+ ${c.path}: ${show(c.after)}`;
      if (c.op === 'remove') return `- ${c.path}: ${show(c.before)}`;
      return `~ ${c.path}: ${show(c.before)} → ${show(c.after)}`;
    })
    .join('\n');
}

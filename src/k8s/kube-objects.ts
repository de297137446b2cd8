// Typed single-object calls over the catalogue: get, create, merge-patch, delete. The
// content types are the API server's: merge patch (RFC 7386, `null` deletes a key).
import type { KubeClient } from './kube-client';
import { KubeApiError, isApiError } from './kube-errors';
import { checkLabel, checkSubdomain } from './names';
import { RESOURCES, type ResourceDef, type ResourceKey, type ResourceTypes, apiVersionOf, resourcePath } from './resource-catalogue';
import type { KubeObject } from './resources';

export const FIELD_MANAGER = 'ovnlab';

export interface WriteOptions {
  /** ask the server to validate and default the change without storing it */
  dryRun?: boolean;
  fieldManager?: string;
  signal?: AbortSignal;
}

/** What a merge patch may contain: nested objects, and `null` to delete a key. */
export type MergePatch = { [key: string]: MergePatch | string | number | boolean | null | unknown[] };

function defOf(resource: ResourceKey | ResourceDef): ResourceDef {
  return typeof resource === 'string' ? RESOURCES[resource] : resource;
}

/** Validates the namespace/name pair for a kind before it goes into a URL. */
export function checkObjectRef(def: ResourceDef, namespace: string | undefined, name: string): void {
  checkSubdomain(`${def.kind} name`, name);
  if (def.namespaced) checkLabel(`namespace for ${def.kind} "${name}"`, namespace);
}

function writeQuery(opts: WriteOptions): Record<string, string | undefined> {
  return { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager ?? FIELD_MANAGER };
}

export async function getObject<K extends ResourceKey>(
  client: KubeClient,
  resource: K,
  namespace: string | undefined,
  name: string,
  signal?: AbortSignal,
): Promise<ResourceTypes[K] | undefined>;
export async function getObject(client: KubeClient, resource: ResourceDef, namespace: string | undefined, name: string, signal?: AbortSignal): Promise<KubeObject | undefined>;
export async function getObject(
  client: KubeClient,
  resource: ResourceKey | ResourceDef,
  namespace: string | undefined,
  name: string,
  signal?: AbortSignal,
): Promise<KubeObject | undefined> {
  const def = defOf(resource);
  checkObjectRef(def, namespace, name);
  try {
    return await client.request<KubeObject>('GET', resourcePath(def, namespace, name), { signal });
  } catch (e) {
    if (isApiError(e, 404)) return undefined;
    throw e;
  }
}

export async function createObject<K extends ResourceKey>(client: KubeClient, resource: K, object: ResourceTypes[K], opts: WriteOptions = {}): Promise<ResourceTypes[K]> {
  const def = RESOURCES[resource];
  const name = object.metadata.name;
  if (name || !object.metadata.generateName) checkObjectRef(def, object.metadata.namespace, name);
  else if (def.namespaced) checkLabel(`namespace for ${def.kind}`, object.metadata.namespace);
  const body = { ...object, apiVersion: apiVersionOf(def), kind: def.kind };
  return client.request<ResourceTypes[K]>('POST', resourcePath(def, object.metadata.namespace), { body, query: writeQuery(opts), signal: opts.signal });
}

export async function mergePatchObject<K extends ResourceKey>(
  client: KubeClient,
  resource: K,
  namespace: string | undefined,
  name: string,
  patch: MergePatch,
  opts: WriteOptions = {},
): Promise<ResourceTypes[K]> {
  const def = RESOURCES[resource];
  checkObjectRef(def, namespace, name);
  return client.request<ResourceTypes[K]>('PATCH', resourcePath(def, namespace, name), {
    body: patch,
    contentType: 'application/merge-patch+json',
    query: writeQuery(opts),
    signal: opts.signal,
  });
}

export async function deleteObject(client: KubeClient, resource: ResourceKey, namespace: string | undefined, name: string, opts: WriteOptions = {}): Promise<boolean> {
  const def = RESOURCES[resource];
  checkObjectRef(def, namespace, name);
  try {
    await client.request('DELETE', resourcePath(def, namespace, name), { query: { dryRun: opts.dryRun ? 'All' : undefined }, signal: opts.signal });
    return true;
  } catch (e) {
    if (isApiError(e, 404)) return false;
    throw e;
  }
}

/** "VirtualMachine default/vm1" for messages. */
export function describeRef(def: ResourceDef, namespace: string | undefined, name: string): string {
  return `${def.kind} ${def.namespaced && namespace ? `${namespace}/` : ''}${name}`;
}

/** A 409 Conflict after the retries we were allowed: someone else changed the object. */
export class StaleObjectError extends Error {
  constructor(
    readonly ref: string,
    readonly expectedResourceVersion: string | undefined,
    readonly currentResourceVersion: string | undefined,
    readonly serverMessage: string,
  ) {
    super(
      `${ref} was changed by someone else` +
        (expectedResourceVersion ? ` (you had resourceVersion ${expectedResourceVersion}, it is now ${currentResourceVersion ?? 'unknown'})` : '') +
        `: reload it and try again. The API server said: ${serverMessage}`,
    );
    this.name = 'StaleObjectError';
  }
}

export function isConflict(e: unknown): e is KubeApiError {
  return e instanceof KubeApiError && e.status === 409;
}

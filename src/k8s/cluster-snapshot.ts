// The read-only picture of a cluster that the joins work on: one map per catalogue resource,
// keyed `ns/name` (namespaced) or `name`. The live store hands out its own maps; tests and
// the CLI build one from plain arrays.
import { RESOURCE_KEYS, type ResourceKey, type ResourceTypes, objectKey } from './resource-catalogue';

export type ClusterSnapshot = { readonly [K in ResourceKey]: ReadonlyMap<string, ResourceTypes[K]> };

export type SnapshotInput = { [K in ResourceKey]?: readonly ResourceTypes[K][] };

export function snapshotFrom(input: SnapshotInput): ClusterSnapshot {
  const out = {} as { [K in ResourceKey]: Map<string, ResourceTypes[K]> };
  for (const key of RESOURCE_KEYS) {
    const m = new Map<string, ResourceTypes[typeof key]>();
    for (const o of input[key] ?? []) m.set(objectKey(o.metadata.namespace, o.metadata.name), o);
    (out as Record<ResourceKey, Map<string, unknown>>)[key] = m;
  }
  return out;
}

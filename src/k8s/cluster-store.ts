// The live picture of one kubeconfig context: a list+watch loop per resource of the catalogue,
// change events carrying the resource and kind, per-resource states the user can read ("no
// access to …", "not served …"), a connection state ("cannot reach the API server at …"),
// and join indexes rebuilt lazily when something changed.
import type { BackoffOptions } from './backoff';
import type { ClusterSnapshot } from './cluster-snapshot';
import type { KubeClient } from './kube-client';
import { RESOURCES, RESOURCE_KEYS, type ResourceKey, type ResourceTypes, objectKey } from './resource-catalogue';
import { type ChangeType, ResourceReflector, type ResourceStatus } from './resource-reflector';
import type { KubeObject } from './resources';
import { type StoreIndexes, buildIndexes } from './store-indexes';

export interface StoreChange {
  type: ChangeType;
  resource: ResourceKey;
  kind: string;
  object: KubeObject;
  /** the object as it was before (modified, deleted) */
  previous?: KubeObject;
}

export type ConnectionState =
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'unreachable'; message: string }
  | { state: 'stopped' };

export interface ClusterStoreOptions {
  /** only this namespace for namespaced kinds (cluster-scoped kinds are always read cluster-wide) */
  namespace?: string;
  /** the resources to follow (default: the whole catalogue) */
  resources?: readonly ResourceKey[];
  backoff?: BackoffOptions;
  watchTimeoutSeconds?: number;
}

type Listener<T> = (value: T) => void;

export class ClusterStore {
  private readonly reflectors = new Map<ResourceKey, ResourceReflector>();
  private readonly changeListeners = new Set<Listener<StoreChange>>();
  private readonly statusListeners = new Set<Listener<{ resource: ResourceKey; status: ResourceStatus }>>();
  private readonly connectionListeners = new Set<Listener<ConnectionState>>();
  private connectionState: ConnectionState = { state: 'connecting' };
  private cachedIndexes: StoreIndexes | undefined;
  private started = false;
  private changeCount = 0;
  /** resolves when every resource is listed and watched, or has reported why it could not be */
  readonly ready: Promise<void>;

  constructor(
    readonly client: KubeClient,
    readonly options: ClusterStoreOptions = {},
  ) {
    for (const key of options.resources ?? RESOURCE_KEYS) {
      const def = RESOURCES[key];
      this.reflectors.set(
        key,
        new ResourceReflector(
          client,
          def,
          options.namespace,
          {
            change: (type, object, previous) => this.emitChange({ type, resource: key, kind: def.kind, object, previous }),
            status: (status) => this.emitStatus(key, status),
          },
          { backoff: options.backoff, watchTimeoutSeconds: options.watchTimeoutSeconds },
        ),
      );
    }
    this.ready = Promise.all([...this.reflectors.values()].map((r) => r.settled)).then(() => undefined);
  }

  get context(): string {
    return this.client.context;
  }

  get server(): string {
    return this.client.server;
  }

  get connection(): ConnectionState {
    return this.connectionState;
  }

  /** How many change events have been delivered (lets callers see whether anything moved). */
  get changes(): number {
    return this.changeCount;
  }

  start(): this {
    if (!this.started) {
      this.started = true;
      for (const r of this.reflectors.values()) r.start();
    }
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.reflectors.values()].map((r) => r.stop()));
    this.setConnection({ state: 'stopped' });
    this.changeListeners.clear();
    this.statusListeners.clear();
  }

  resources(): ResourceKey[] {
    return [...this.reflectors.keys()];
  }

  status(resource: ResourceKey): ResourceStatus {
    const r = this.reflectors.get(resource);
    return r ? r.status : { state: 'stopped', message: `${resource} is not followed by this store`, lists: 0, gone: 0 };
  }

  /** Resources that are not synced, with the reason (for a tree's warning rows or a CLI's stderr). */
  problems(): { resource: ResourceKey; status: ResourceStatus }[] {
    const out: { resource: ResourceKey; status: ResourceStatus }[] = [];
    for (const [resource, r] of this.reflectors) if (r.status.state !== 'synced') out.push({ resource, status: r.status });
    return out;
  }

  map<K extends ResourceKey>(resource: K): ReadonlyMap<string, ResourceTypes[K]> {
    return (this.reflectors.get(resource)?.items ?? EMPTY) as ReadonlyMap<string, ResourceTypes[K]>;
  }

  list<K extends ResourceKey>(resource: K): ResourceTypes[K][] {
    return [...this.map(resource).values()];
  }

  get<K extends ResourceKey>(resource: K, namespace: string | undefined, name: string): ResourceTypes[K] | undefined {
    const def = RESOURCES[resource];
    return this.map(resource).get(objectKey(def.namespaced ? namespace : undefined, name));
  }

  /** The live maps as a snapshot (not a copy: read it now, do not keep it across events). */
  snapshot(): ClusterSnapshot {
    const out: Partial<Record<ResourceKey, ReadonlyMap<string, unknown>>> = {};
    for (const key of RESOURCE_KEYS) out[key] = this.map(key);
    return out as ClusterSnapshot;
  }

  /** Join indexes over the current contents, rebuilt only after a change. */
  indexes(): StoreIndexes {
    this.cachedIndexes ??= buildIndexes(this.snapshot());
    return this.cachedIndexes;
  }

  onChange(fn: Listener<StoreChange>): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  onStatus(fn: Listener<{ resource: ResourceKey; status: ResourceStatus }>): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  onConnection(fn: Listener<ConnectionState>): () => void {
    this.connectionListeners.add(fn);
    return () => this.connectionListeners.delete(fn);
  }

  /**
   * Resolves with the first value `probe` returns (checked now and after every change, status
   * or connection event), or rejects after `timeoutMs` — what actions use to follow a
   * migration's phase or a patch landing, and tests use to wait for a state.
   */
  waitFor<T>(probe: () => T | undefined, timeoutMs: number, what = 'the expected change'): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const offs: (() => void)[] = [];
      const off = (): void => offs.forEach((f) => f());
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        const v = probe();
        if (v !== undefined) {
          clearTimeout(timer);
          off();
          resolve(v);
        }
      };
      offs.push(this.onChange(check), this.onStatus(check), this.onConnection(check));
    });
  }

  private emitChange(change: StoreChange): void {
    this.changeCount++;
    this.cachedIndexes = undefined;
    for (const fn of this.changeListeners) fn(change);
  }

  private emitStatus(resource: ResourceKey, status: ResourceStatus): void {
    if (status.state === 'unreachable') this.setConnection({ state: 'unreachable', message: status.message ?? `cannot reach the API server at ${this.server}` });
    else if (status.state !== 'stopped' && status.state !== 'starting') this.setConnection({ state: 'connected' });
    for (const fn of this.statusListeners) fn({ resource, status });
  }

  private setConnection(next: ConnectionState): void {
    const cur = this.connectionState;
    if (cur.state === next.state && (cur as { message?: string }).message === (next as { message?: string }).message) return;
    if (cur.state === 'stopped') return;
    this.connectionState = next;
    for (const fn of this.connectionListeners) fn(next);
  }
}

const EMPTY: ReadonlyMap<string, KubeObject> = new Map<string, KubeObject>();

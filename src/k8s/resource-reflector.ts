// One resource's list+watch loop: LIST, then WATCH from the list's resourceVersion; a watch that
// ends is resumed from the last resourceVersion seen; "410 Gone" (the server compacted past it)
// means our copy may have missed events, so we LIST again and report the difference as
// events. Failures become a readable status, never an exception out of the loop.
import { Backoff, type BackoffOptions, sleep } from './backoff';
import type { KubeClient } from './kube-client';
import { KubeApiError, KubeUnreachableError } from './kube-errors';
import { type ResourceDef, objectKey, resourcePath, scopeText } from './resource-catalogue';
import type { KubeList, KubeObject, KubeStatus } from './resources';

export type ResourceState = 'starting' | 'synced' | 'forbidden' | 'not-served' | 'unauthorized' | 'unreachable' | 'error' | 'stopped';

export interface ResourceStatus {
  state: ResourceState;
  /** what the user reads, e.g. "no access to virtualmachines.kubevirt.io in namespace a" */
  message?: string;
  /** the server's own words, when it gave any */
  detail?: string;
  /** how many times this resource was listed (1 after the first sync; more after 410s) */
  lists: number;
  /** count of 410 Gone answers that forced a relist */
  gone: number;
}

export type ChangeType = 'added' | 'modified' | 'deleted';

export interface ReflectorSink {
  change(type: ChangeType, object: KubeObject, previous: KubeObject | undefined): void;
  status(status: ResourceStatus): void;
}

export interface ReflectorOptions {
  backoff?: BackoffOptions;
  /** seconds the server keeps one watch open before closing it (default 240–299, spread so watches do not end together) */
  watchTimeoutSeconds?: number;
}

class GoneError extends Error {}

export class ResourceReflector {
  readonly items = new Map<string, KubeObject>();
  private current: ResourceStatus = { state: 'starting', lists: 0, gone: 0 };
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private settle!: () => void;
  /** resolves once the first LIST succeeded and its WATCH is open, or the first failure was reported */
  readonly settled = new Promise<void>((r) => (this.settle = r));
  private watch: { stop(): void } | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly client: KubeClient,
    readonly def: ResourceDef,
    readonly namespace: string | undefined,
    private readonly sink: ReflectorSink,
    private readonly opts: ReflectorOptions = {},
  ) {
    this.backoff = new Backoff(opts.backoff);
  }

  get status(): ResourceStatus {
    return this.current;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.setStatus({ state: 'stopped' });
    this.settle();
  }

  private get path(): string {
    return resourcePath(this.def, this.def.namespaced ? this.namespace : undefined);
  }

  private async run(): Promise<void> {
    let rv: string | undefined;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        if (rv === undefined) rv = await this.list();
        rv = await this.watchFrom(rv);
      } catch (e) {
        if (signal.aborted) break;
        // 410 can also come as the HTTP status of the watch request itself, not only as an ERROR event
        if (e instanceof GoneError || (e instanceof KubeApiError && e.status === 410)) {
          rv = undefined;
          this.setStatus({ gone: this.current.gone + 1 });
          continue;
        }
        const persistent = this.reportFailure(e);
        // A LIST that failed leaves rv undefined; a watch that lost its connection keeps rv and
        // resumes from it, and only a 410 then forces the relist.
        await sleep(persistent ? this.backoff.persistentMs : this.backoff.next(), signal);
      }
    }
  }

  private async list(): Promise<string> {
    const list = await this.client.request<KubeList>('GET', this.path, { signal: this.abort.signal, timeoutMs: 120_000 });
    if (this.abort.signal.aborted) return '';
    const seen = new Set<string>();
    for (const obj of list.items) {
      // Items of a List carry no kind/apiVersion; add them so consumers see whole objects.
      obj.kind ??= this.def.kind;
      obj.apiVersion ??= this.def.group ? `${this.def.group}/${this.def.version}` : this.def.version;
      const key = objectKey(obj.metadata.namespace, obj.metadata.name);
      seen.add(key);
      const old = this.items.get(key);
      this.items.set(key, obj);
      if (!old) this.sink.change('added', obj, undefined);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.sink.change('modified', obj, old);
    }
    for (const [key, old] of this.items) {
      if (!seen.has(key)) {
        this.items.delete(key);
        this.sink.change('deleted', old, old);
      }
    }
    this.backoff.reset();
    this.setStatus({ state: 'synced', message: undefined, detail: undefined, lists: this.current.lists + 1 });
    return list.metadata.resourceVersion ?? '';
  }

  /** Watches until the stream ends; resolves with the last resourceVersion seen, rejects with GoneError on 410. */
  private watchFrom(rv: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (this.abort.signal.aborted) return resolve(rv);
      let last = rv;
      let failure: unknown;
      const timeoutSeconds = this.opts.watchTimeoutSeconds ?? 240 + Math.floor(Math.random() * 60);
      const query = { resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds };
      const started = Date.now();
      let events = 0;
      const onEvent = (type: string, obj: KubeObject | KubeStatus): void => {
        events++;
        if (type === 'ERROR') {
          const st = obj as KubeStatus;
          failure = st.code === 410 ? new GoneError(st.message) : new KubeApiError(st.code ?? 500, st, 'watch error', `WATCH ${this.path}`);
          this.watch?.stop();
          finish(null);
          return;
        }
        const o = obj as KubeObject;
        if (o.metadata?.resourceVersion) last = o.metadata.resourceVersion;
        if (type === 'BOOKMARK') return;
        const key = objectKey(o.metadata.namespace, o.metadata.name);
        const old = this.items.get(key);
        if (type === 'DELETED') {
          if (this.items.delete(key)) this.sink.change('deleted', o, old);
        } else {
          this.items.set(key, o);
          this.sink.change(old ? 'modified' : 'added', o, old);
        }
      };
      let finished = false;
      const onAbort = (): void => {
        this.watch?.stop();
        finish(null);
      };
      const finish = (err: unknown): void => {
        if (finished) return;
        finished = true;
        this.watch = undefined;
        this.abort.signal.removeEventListener('abort', onAbort);
        if (failure) return reject(failure);
        if (err) return reject(err);
        // A stream the server closed at once, with nothing in it, would spin: pace it.
        if (Date.now() - started < 500 && events === 0) {
          void sleep(this.backoff.next(), this.abort.signal).then(() => resolve(last));
        } else resolve(last);
      };
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      this.client
        .watch(this.path, query, onEvent, finish)
        .then((handle) => {
          if (finished) handle.stop();
          else {
            this.watch = handle;
            // the watch is open: a resource that was unreachable is back
            if (this.current.state !== 'synced') this.setStatus({ state: 'synced', message: undefined, detail: undefined });
            this.backoff.reset();
            // ready means listed AND watching: a change made right after `ready` is never missed or late
            this.settle();
          }
        })
        .catch(finish);
    });
  }

  /** Turns a failure into the status the user reads; returns true when retrying soon is pointless. */
  private reportFailure(e: unknown): boolean {
    const scope = scopeText(this.def, this.def.namespaced ? this.namespace : undefined);
    let status: Partial<ResourceStatus>;
    let persistent = false;
    if (e instanceof KubeUnreachableError) {
      status = { state: 'unreachable', message: e.message, detail: undefined };
    } else if (e instanceof KubeApiError && e.status === 403) {
      status = { state: 'forbidden', message: `no access to ${scope}`, detail: e.message };
      persistent = true;
    } else if (e instanceof KubeApiError && e.status === 401) {
      status = {
        state: 'unauthorized',
        message: `the API server at ${this.client.server} refused the credentials of context "${this.client.context}": log in again or fix the kubeconfig`,
        detail: e.message,
      };
      persistent = true;
    } else if (e instanceof KubeApiError && e.status === 404) {
      const plural = this.def.group ? `${this.def.plural}.${this.def.group}` : this.def.plural;
      status = { state: 'not-served', message: `${plural} is not served by this cluster (${missingHint(this.def.group)})`, detail: e.message };
      persistent = true;
    } else {
      status = { state: 'error', message: `${scope}: ${(e as Error).message ?? String(e)}`, detail: undefined };
    }
    this.setStatus(status);
    this.settle();
    return persistent;
  }

  private setStatus(patch: Partial<ResourceStatus>): void {
    const next = { ...this.current, ...patch };
    const changed = next.state !== this.current.state || next.message !== this.current.message || next.lists !== this.current.lists || next.gone !== this.current.gone;
    this.current = next;
    if (changed) this.sink.status(next);
  }
}

function missingHint(group: string): string {
  switch (group) {
    case 'kubeovn.io':
      return 'is Kube-OVN installed?';
    case 'kubevirt.io':
      return 'is KubeVirt installed?';
    case 'k8s.cni.cncf.io':
      return 'is Multus installed?';
    default:
      return 'check the cluster version';
  }
}

// The lab controller's link to the lab's real kube-apiserver: before planning it pulls every
// object it acts on into its working store; after planning it pushes what Kube-OVN and KubeVirt
// would write (IP objects, VMIs, status, events) back, only where something changed, so a
// watch loop that reconciles on every change settles instead of feeding itself.
import { KubeApiError } from '../../../k8s/kube-errors';
import type { KubeClient } from '../../../k8s/kube-client';
import { RESOURCES, resourcePath, type ResourceDef, type ResourceKey } from '../../../k8s/resource-catalogue';
import type { KubeObject } from './kube-object';
import type { ObjectStore } from './object-store';
import type { LabEvent } from './translate';

/** What the controller reads, in the order objects are planned. */
export const PULLED: ResourceKey[] = [
  'nodes', 'vpcs', 'subnets', 'configmaps', 'ips', 'virtualmachines', 'virtualmachineinstances', 'virtualmachineinstancemigrations', 'ovn-eips', 'ovn-fips',
];
/** Kinds the controller owns whole objects of (it creates and deletes them). */
const OWNED: ResourceKey[] = ['ips', 'virtualmachineinstances'];
/** Kinds whose status the controller writes. */
const STATUS: ResourceKey[] = ['subnets', 'vpcs', 'virtualmachines', 'virtualmachineinstances', 'virtualmachineinstancemigrations', 'ovn-eips', 'ovn-fips', 'nodes'];

interface ApiObject {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; namespace?: string; resourceVersion?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
}

const defOfKind = (kind: string): [ResourceKey, ResourceDef] | undefined =>
  (Object.entries(RESOURCES) as Array<[ResourceKey, ResourceDef]>).find(([, d]) => d.kind === kind);

function toLab(o: ApiObject): KubeObject {
  const md = o.metadata;
  return {
    apiVersion: o.apiVersion, kind: o.kind,
    metadata: {
      name: md.name, ...(md.namespace ? { namespace: md.namespace } : {}),
      ...(md.uid ? { uid: String(md.uid) } : {}),
      ...(md.labels ? { labels: md.labels as Record<string, string> } : {}),
      ...(md.annotations ? { annotations: md.annotations as Record<string, string> } : {}),
      ...(md.creationTimestamp ? { creationTimestamp: String(md.creationTimestamp) } : {}),
    },
    ...(o.spec ? { spec: o.spec } : {}),
    ...(o.status ? { status: o.status } : {}),
    ...(o.data ? { data: o.data } : {}),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

export class KubeSync {
  /** the API's view at the last pull: `kind/ns/name` → object (with resourceVersion) */
  private seen = new Map<string, ApiObject>();

  constructor(readonly client: KubeClient) {}

  /** A request, retried while the API server is still settling (right after start, a new CRD's storage answers 5xx/429 for a moment). */
  private async req<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: { body?: unknown } = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.request<T>(method, path, opts);
      } catch (e) {
        const transient = e instanceof KubeApiError && (e.status === 429 || e.status >= 500);
        if (!transient || attempt >= 40) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  private key(kind: string, name: string, ns?: string): string {
    return `${kind}/${ns ?? ''}/${name}`;
  }

  /** Replaces the store's copy of every pulled kind with the API's objects (creation order). */
  async pull(store: ObjectStore): Promise<void> {
    this.seen.clear();
    const lists = await Promise.all(PULLED.map((k) => this.req<{ items: ApiObject[] }>('GET', resourcePath(RESOURCES[k]))));
    PULLED.forEach((k, i) => {
      const def = RESOURCES[k];
      const items = lists[i].items
        .map((o) => ({ ...o, apiVersion: `${def.group ? `${def.group}/` : ''}${def.version}`, kind: def.kind }))
        .sort((a, b) => String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')));
      for (const o of items) this.seen.set(this.key(def.kind, o.metadata.name, o.metadata.namespace), o);
      store.replaceKind(def.kind, items.map(toLab));
    });
  }

  /** Creates or replaces objects the way `kubectl apply` ends up (status untouched). */
  async apply(objs: KubeObject[]): Promise<void> {
    for (const o of objs) {
      const found = defOfKind(o.kind);
      if (!found) throw new Error(`the lab's API server does not serve ${o.kind} (served: ${PULLED.map((k) => RESOURCES[k].kind).join(', ')})`);
      const def = found[1];
      const ns = def.namespaced ? o.metadata.namespace ?? 'default' : undefined;
      // KubeVirt serves its old versions (v1alpha3, as seed 000 uses) as v1 with the same shape; our CRDs serve v1 only
      const apiVersion = def.group === 'kubevirt.io' ? 'kubevirt.io/v1' : o.apiVersion;
      const body = { apiVersion, kind: o.kind, metadata: { name: o.metadata.name, ...(ns ? { namespace: ns } : {}), labels: o.metadata.labels, annotations: o.metadata.annotations }, spec: o.spec, data: o.data };
      try {
        const cur = await this.req<ApiObject>('GET', resourcePath(def, ns, o.metadata.name));
        await this.req('PUT', resourcePath(def, ns, o.metadata.name), { body: { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata.resourceVersion }, status: cur.status } });
      } catch (e) {
        if (!(e instanceof KubeApiError && e.status === 404)) throw e;
        await this.req('POST', resourcePath(def, ns), { body });
      }
    }
  }

  async remove(o: KubeObject): Promise<boolean> {
    const found = defOfKind(o.kind);
    if (!found) return false;
    const def = found[1];
    try {
      await this.req('DELETE', resourcePath(def, def.namespaced ? o.metadata.namespace ?? 'default' : undefined, o.metadata.name));
      return true;
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) return false;
      throw e;
    }
  }

  /** Writes back the controller's objects and statuses where they differ from the last pull. */
  async push(store: ObjectStore, events: LabEvent[]): Promise<void> {
    for (const k of OWNED) {
      const def = RESOURCES[k];
      const want = store.list(def.kind);
      const wantKeys = new Set(want.map((o) => this.key(def.kind, o.metadata.name, o.metadata.namespace)));
      for (const o of want) {
        const cur = this.seen.get(this.key(def.kind, o.metadata.name, o.metadata.namespace));
        const ns = def.namespaced ? o.metadata.namespace : undefined;
        const body = { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, ...(ns ? { namespace: ns } : {}), labels: o.metadata.labels ?? {} }, spec: o.spec ?? {} };
        if (!cur) {
          const made = await this.req<ApiObject>('POST', resourcePath(def, ns), { body });
          this.seen.set(this.key(def.kind, o.metadata.name, ns), made);
        } else if (!same(cur.spec ?? {}, o.spec ?? {}) || !same(cur.metadata.labels ?? {}, o.metadata.labels ?? {})) {
          const upd = await this.req<ApiObject>('PUT', resourcePath(def, ns, o.metadata.name), { body: { ...body, metadata: { ...body.metadata, resourceVersion: cur.metadata.resourceVersion }, status: cur.status } });
          this.seen.set(this.key(def.kind, o.metadata.name, ns), upd);
        }
      }
      for (const [key, cur] of this.seen) {
        if (!key.startsWith(`${def.kind}/`) || wantKeys.has(key)) continue;
        await this.remove(toLab(cur));
        this.seen.delete(key);
      }
    }
    for (const k of STATUS) {
      const def = RESOURCES[k];
      for (const o of store.list(def.kind)) {
        if (!o.status) continue;
        const ns = def.namespaced ? o.metadata.namespace : undefined;
        const cur = this.seen.get(this.key(def.kind, o.metadata.name, ns));
        if (!cur || same(cur.status ?? {}, o.status)) continue;
        try {
          const upd = await this.req<ApiObject>('PUT', resourcePath(def, ns, o.metadata.name, 'status'), { body: { ...cur, status: o.status } });
          this.seen.set(this.key(def.kind, o.metadata.name, ns), upd);
        } catch (e) {
          // a user edit raced us: the next reconcile (the watch sees that edit) writes it again
          if (!(e instanceof KubeApiError && (e.status === 409 || e.status === 404))) throw e;
        }
      }
    }
    for (const e of events) {
      const ns = e.namespace ?? 'default';
      const name = `${e.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
      const found = defOfKind(e.kind);
      await this.req('POST', `/api/v1/namespaces/${encodeURIComponent(ns)}/events`, {
        body: {
          apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: ns },
          involvedObject: { kind: e.kind, name: e.name, ...(e.namespace ? { namespace: e.namespace } : {}), ...(found ? { apiVersion: `${found[1].group ? `${found[1].group}/` : ''}${found[1].version}` } : {}) },
          reason: e.reason, message: e.message, type: e.type, source: { component: 'ovnlab-lab-controller' },
          firstTimestamp: new Date().toISOString(), lastTimestamp: new Date().toISOString(), count: 1,
        },
      }).catch(() => undefined); // events are best effort, as in client-go's recorder
    }
  }
}


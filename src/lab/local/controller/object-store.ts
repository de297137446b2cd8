// The lab's object store: the Kubernetes objects applied to the lab, in apply order, with the
// status the controller writes back and the events it records, kept in <lab dir>/objects.json.
// It stands in for the API server so the lab works without one; objects keep the API's shape
// (apiVersion/kind/metadata/spec/status) so the same YAML goes to either.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type KubeObject, objectKey, rec } from './kube-object';
import type { LabEvent } from './translate';

export interface StoredEvent extends LabEvent {
  count: number;
  lastTimestamp: string;
}

interface StoreFile {
  objects: KubeObject[];
  events: StoredEvent[];
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const CLUSTER_SCOPED = new Set(['Node', 'Vpc', 'Subnet', 'IP', 'OvnEip', 'OvnFip', 'Namespace', 'ProviderNetwork', 'Vlan']);

export class ObjectStore {
  private data: StoreFile = { objects: [], events: [] };

  private constructor(readonly file: string) {}

  static async open(dir: string): Promise<ObjectStore> {
    const s = new ObjectStore(join(dir, 'objects.json'));
    try {
      s.data = JSON.parse(await readFile(s.file, 'utf8')) as StoreFile;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${s.file} is unreadable (${(e as Error).message}): fix or delete it`);
    }
    return s;
  }

  async save(): Promise<void> {
    const tmp = `${this.file}.tmp-${process.pid}`;
    await writeFile(tmp, JSON.stringify(this.data, null, 1));
    await rename(tmp, this.file);
  }

  list(kind?: string): KubeObject[] {
    return kind ? this.data.objects.filter((o) => o.kind === kind) : [...this.data.objects];
  }

  get(kind: string, name: string, namespace?: string): KubeObject | undefined {
    return this.data.objects.find((o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? '') === (namespace ?? ''));
  }

  /** kubectl-apply-like: replaces metadata labels/annotations and spec/data, keeps status and creation time. */
  upsert(o: KubeObject): 'created' | 'configured' | 'unchanged' {
    const i = this.data.objects.findIndex((x) => objectKey(x) === objectKey(o));
    if (i < 0) {
      this.data.objects.push({ ...o, metadata: { ...o.metadata, creationTimestamp: o.metadata.creationTimestamp ?? new Date().toISOString() } });
      return 'created';
    }
    const cur = this.data.objects[i];
    const next: KubeObject = { ...o, metadata: { ...o.metadata, creationTimestamp: cur.metadata.creationTimestamp, uid: cur.metadata.uid ?? o.metadata.uid }, status: cur.status };
    if (JSON.stringify({ ...next, status: undefined }) === JSON.stringify({ ...cur, status: undefined })) return 'unchanged';
    this.data.objects[i] = next;
    return 'configured';
  }

  remove(kind: string, name: string, namespace?: string): boolean {
    const before = this.data.objects.length;
    this.data.objects = this.data.objects.filter((o) => !(o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? '') === (namespace ?? '')));
    return this.data.objects.length !== before;
  }

  setStatus(kind: string, name: string, namespace: string | undefined, status: Record<string, unknown>): void {
    const o = this.get(kind, name, namespace);
    if (o) o.status = status;
  }

  /** Replaces every object of `kind` by `objs`, keeping creation order of those that stay. */
  replaceKind(kind: string, objs: KubeObject[]): void {
    const keep = new Map(objs.map((o) => [objectKey(o), o]));
    const out: KubeObject[] = [];
    for (const o of this.data.objects) {
      if (o.kind !== kind) out.push(o);
      else if (keep.has(objectKey(o))) {
        const n = keep.get(objectKey(o))!;
        out.push({ ...n, metadata: { ...n.metadata, creationTimestamp: o.metadata.creationTimestamp } });
        keep.delete(objectKey(o));
      }
    }
    for (const o of keep.values()) out.push({ ...o, metadata: { ...o.metadata, creationTimestamp: new Date().toISOString() } });
    this.data.objects = out;
  }

  /** Records an event, folding repeats into a count like the API server does. */
  recordEvent(e: LabEvent): boolean {
    const now = new Date().toISOString();
    const same = this.data.events.find((x) => x.kind === e.kind && x.name === e.name && x.namespace === e.namespace && x.reason === e.reason && x.message === e.message);
    if (same) {
      same.count++;
      same.lastTimestamp = now;
      return false;
    }
    this.data.events.push({ ...e, count: 1, lastTimestamp: now });
    if (this.data.events.length > 500) this.data.events.splice(0, this.data.events.length - 500);
    return true;
  }

  events(): StoredEvent[] {
    return [...this.data.events];
  }
}

/** Parses YAML/JSON text into objects (Lists are flattened); says which document is wrong. */
export function parseObjects(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  const docs = parseAllDocuments(text);
  docs.forEach((d, i) => {
    if (d.errors.length > 0) throw new Error(`${source}: document ${i + 1}: ${d.errors[0].message}`);
    const v = d.toJS() as unknown;
    if (v === null || v === undefined) return;
    const items = rec(v).kind === 'List' || String(rec(v).kind ?? '').endsWith('List') ? (Array.isArray(rec(v).items) ? (rec(v).items as unknown[]) : []) : [v];
    for (const it of items) out.push(checkObject(it, `${source}: document ${i + 1}`));
  });
  return out;
}

function checkObject(v: unknown, where: string): KubeObject {
  const o = rec(v);
  const md = rec(o.metadata);
  if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') throw new Error(`${where}: not a Kubernetes object (apiVersion and kind are required)`);
  if (typeof md.name !== 'string' || !NAME.test(md.name)) throw new Error(`${where}: ${o.kind} needs metadata.name of lowercase letters, digits, '-' or '.' (got ${JSON.stringify(md.name)})`);
  if (md.namespace !== undefined && (typeof md.namespace !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(md.namespace))) {
    throw new Error(`${where}: metadata.namespace ${JSON.stringify(md.namespace)} is not a valid namespace name`);
  }
  const namespace = CLUSTER_SCOPED.has(o.kind) ? undefined : typeof md.namespace === 'string' ? md.namespace : 'default';
  return {
    apiVersion: o.apiVersion, kind: o.kind,
    metadata: {
      name: md.name, ...(namespace ? { namespace } : {}),
      ...(md.labels ? { labels: rec(md.labels) as Record<string, string> } : {}),
      ...(md.annotations ? { annotations: rec(md.annotations) as Record<string, string> } : {}),
      ...(typeof md.uid === 'string' ? { uid: md.uid } : {}),
    },
    ...(o.spec !== undefined ? { spec: rec(o.spec) } : {}),
    ...(o.data !== undefined ? { data: rec(o.data) as Record<string, string> } : {}),
  };
}

// The minimal shape of the Kubernetes objects the lab controller reads and writes. Objects come
// from the lab's API store as parsed YAML/JSON; every field the controller relies on is read
// through the narrow accessors below, so malformed input yields a clear condition, not a crash.
export interface KubeMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** `<kind>/<namespace>/<name>` (cluster-scoped: `<kind>//<name>`). */
export function objectKey(o: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function rec(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function strList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  return [];
}

/** Annotations of a VM's pod template (`spec.template.metadata.annotations`), where Kube-OVN reads them. */
export function templateAnnotations(vm: KubeObject): Record<string, string> {
  const a = rec(rec(rec(vm.spec).template).metadata).annotations;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(a))) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Whether a VirtualMachine should run (runStrategy wins over the deprecated spec.running). */
export function vmWantsRunning(vm: KubeObject): boolean {
  const spec = rec(vm.spec);
  const rs = str(spec.runStrategy);
  if (rs) return rs === 'Always' || rs === 'RerunOnFailure' || rs === 'Once';
  return spec.running === true;
}

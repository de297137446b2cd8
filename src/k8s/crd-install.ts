// Installs ovnlab's CustomResourceDefinitions (deploy/crds/*.yaml: Kube-OVN, KubeVirt, Multus)
// into an API server and waits until each one is Established, i.e. its REST endpoint serves.
// Re-running is safe: definitions we installed before are replaced with the current ones, and a
// same-named definition installed by someone else (e.g. Kube-OVN itself) is left alone.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ApiException, ApiextensionsV1Api, loadAllYaml, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';

/** The directory with ovnlab's CRD manifests, found at or above `from` (the checkout or extension root). */
export async function findCrdDir(from: string = process.cwd()): Promise<string | undefined> {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'deploy', 'crds');
    try {
      await stat(join(candidate, 'subnets.kubeovn.io.yaml'));
      return candidate;
    } catch {
      // not here: look one level up
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * Reads every CustomResourceDefinition document from the *.yaml files in `dir`, sorted by file name.
 * The documents go through client-node's loader, which maps JSON names to its model's property
 * names (`x-kubernetes-preserve-unknown-fields` → `x_kubernetes_preserve_unknown_fields`): a plain
 * parsed object handed to the typed API would silently lose those keys when serialized.
 */
export async function loadCrds(dir: string): Promise<V1CustomResourceDefinition[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort();
  const crds: V1CustomResourceDefinition[] = [];
  for (const f of files) {
    let docs: unknown[];
    try {
      docs = loadAllYaml(await readFile(join(dir, f), 'utf8'));
    } catch (e) {
      throw new Error(`${join(dir, f)}: ${(e as Error).message}`);
    }
    for (const doc of docs) {
      if (!doc) continue;
      const crd = doc as V1CustomResourceDefinition;
      if (crd.kind !== 'CustomResourceDefinition' || !crd.metadata?.name) {
        throw new Error(`${join(dir, f)}: expected a CustomResourceDefinition with metadata.name, got kind ${String(crd.kind)}`);
      }
      crds.push(crd);
    }
  }
  return crds;
}

/** The API server's own message from a failed request (its Status.message), or the error's text. */
export function apiErrorMessage(e: unknown): string {
  if (e instanceof ApiException) {
    const body: unknown = e.body;
    let parsed: unknown = body;
    if (typeof body === 'string') {
      try {
        parsed = JSON.parse(body);
      } catch {
        return `HTTP ${e.code}: ${body}`;
      }
    }
    if (parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string') return parsed.message;
    return `HTTP ${e.code}`;
  }
  return e instanceof Error ? e.message : String(e);
}

export interface InstallCrdsOptions {
  /** How long to wait for all definitions to become Established. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * Replace a same-named definition that ovnlab did not install (no `managed-by: ovnlab` label).
   * Off by default: on a real cluster that would overwrite Kube-OVN's or KubeVirt's own CRDs.
   */
  replaceForeign?: boolean;
}

/** The label our manifests carry; only definitions with it are replaced on re-install. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'ovnlab';

function condition(crd: V1CustomResourceDefinition, type: string): { status: string; message?: string } | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

/**
 * Creates `crds` (replacing earlier ovnlab-installed versions, keeping anyone else's) and resolves
 * when every one is Established; returns their names.
 */
export async function installCrds(kc: KubeConfig, crds: V1CustomResourceDefinition[], opts: InstallCrdsOptions = {}): Promise<string[]> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const names: string[] = [];
  for (const crd of crds) {
    const name = crd.metadata?.name;
    if (!name) throw new Error('a CustomResourceDefinition without metadata.name cannot be installed');
    try {
      await api.createCustomResourceDefinition({ body: crd });
    } catch (e) {
      if (!(e instanceof ApiException) || e.code !== 409) throw new Error(`installing CRD ${name} failed: ${apiErrorMessage(e)}`);
      const current = await api.readCustomResourceDefinition({ name });
      if (current.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE && !opts.replaceForeign) {
        // Someone else's definition (the real project's): use it as it is.
        names.push(name);
        continue;
      }
      const body: V1CustomResourceDefinition = { ...crd, metadata: { ...crd.metadata, resourceVersion: current.metadata?.resourceVersion } };
      try {
        await api.replaceCustomResourceDefinition({ name, body });
      } catch (e2) {
        throw new Error(`updating CRD ${name} failed: ${apiErrorMessage(e2)}`);
      }
    }
    names.push(name);
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const pending = new Set(names);
  while (pending.size) {
    if (opts.signal?.aborted) throw new Error('CRD installation cancelled');
    for (const name of [...pending]) {
      const crd = await api.readCustomResourceDefinition({ name });
      const accepted = condition(crd, 'NamesAccepted');
      if (accepted?.status === 'False') throw new Error(`CRD ${name} was not accepted: ${accepted.message ?? 'names conflict'}`);
      if (condition(crd, 'Established')?.status === 'True') pending.delete(name);
    }
    if (!pending.size) break;
    if (Date.now() > deadline) throw new Error(`CRDs not Established after ${opts.timeoutMs ?? 30_000} ms: ${[...pending].join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return names;
}

/** Loads ovnlab's CRDs (from `dir`, or deploy/crds found from the working directory) and installs them. */
export async function installOvnlabCrds(kc: KubeConfig, opts: InstallCrdsOptions & { dir?: string } = {}): Promise<string[]> {
  const dir = opts.dir ?? (await findCrdDir());
  if (!dir) throw new Error('deploy/crds not found: run from the ovnlab checkout or pass the directory holding the CRD manifests');
  return installCrds(kc, await loadCrds(dir), opts);
}

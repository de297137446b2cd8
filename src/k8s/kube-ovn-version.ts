// Which Kube-OVN a cluster runs, read from the `kube-ovn-controller` Deployment's image tag
// (e.g. docker.io/kubeovn/kube-ovn:v1.13.2 → v1.13.2), so YAML features can choose the
// annotation forms that version understands.
import type { KubeClient } from './kube-client';
import { isApiError } from './kube-errors';
import { getObject } from './kube-objects';
import { checkLabel } from './names';
import { DEPLOYMENTS } from './resource-catalogue';
import type { Deployment } from './resources';
import { KUBE_OVN_NAMESPACE } from './ovn-pods';

export type KubeOvnVersion =
  | { known: true; version: string; image: string }
  | { known: false; reason: string; image?: string };

export const CONTROLLER_DEPLOYMENT = 'kube-ovn-controller';

/** The tag of an image reference, if it looks like a version: "repo/kube-ovn:v1.13.2" → "v1.13.2"; digests and "latest" give undefined. */
export function versionFromImage(image: string): string | undefined {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  if (colon <= slash) return undefined;
  const tag = noDigest.slice(colon + 1);
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?([-+.][0-9A-Za-z.+-]*)?$/.exec(tag);
  if (!m) return undefined;
  return tag.startsWith('v') ? tag : `v${tag}`;
}

/** Pure: the version a kube-ovn-controller Deployment runs. */
export function versionFromDeployment(dep: Deployment | undefined): KubeOvnVersion {
  if (!dep) return { known: false, reason: `no ${CONTROLLER_DEPLOYMENT} Deployment found` };
  const containers = dep.spec?.template?.spec?.containers ?? [];
  const c = containers.find((x) => x.name === CONTROLLER_DEPLOYMENT) ?? containers.find((x) => x.image?.includes('kube-ovn')) ?? containers[0];
  if (!c?.image) return { known: false, reason: `${CONTROLLER_DEPLOYMENT} has no container image` };
  const version = versionFromImage(c.image);
  return version ? { known: true, version, image: c.image } : { known: false, reason: `image ${c.image} has no version tag`, image: c.image };
}

/** Reads the Deployment; "unknown" (with why) when it is absent or we may not read it. */
export async function detectKubeOvnVersion(client: KubeClient, opts: { namespace?: string; signal?: AbortSignal } = {}): Promise<KubeOvnVersion> {
  const ns = checkLabel('Kube-OVN namespace', opts.namespace ?? KUBE_OVN_NAMESPACE);
  try {
    const dep = (await getObject(client, DEPLOYMENTS, ns, CONTROLLER_DEPLOYMENT, opts.signal)) as Deployment | undefined;
    const v = versionFromDeployment(dep);
    return v.known || dep ? v : { known: false, reason: `no ${CONTROLLER_DEPLOYMENT} Deployment in ${ns}: Kube-OVN is not installed there` };
  } catch (e) {
    if (isApiError(e, 403)) return { known: false, reason: `no access to deployments in ${ns}, so the Kube-OVN version is unknown` };
    throw e;
  }
}

/** "v1.13.2" or "unknown (why)". */
export function formatKubeOvnVersion(v: KubeOvnVersion): string {
  return v.known ? v.version : `unknown (${v.reason})`;
}

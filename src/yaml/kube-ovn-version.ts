// Kube-OVN version comparisons for version-aware edits and diagnostics.

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

/** "v1.13.0", "1.12.35", "v1.14.0-rc.1" (pre-release tags count as the release). */
export function parseVersion(text: string | undefined): Version | undefined {
  if (!text) return undefined;
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * First Kube-OVN release without `allow_live_migration` (and `ovn.kubernetes.io/migrate`):
 * removed by kubeovn/kube-ovn PR #4191 (June 2024); v1.12.35 still reads it, v1.13.0 does not
 * (docs/reference: /work/shared/reference/kube-ovn-to-ovn-nb.md §3). From v1.13.0 on, live
 * migration over the pod network uses KubeVirt's
 * `kubevirt.io/allow-pod-bridge-network-live-migration` annotation instead.
 */
export const LIVE_MIGRATION_ANNOTATION_REMOVED_IN: Version = { major: 1, minor: 13, patch: 0 };

/** True when the version reads the old per-attachment `allow_live_migration` annotation. */
export function usesLegacyMigration(version: Version): boolean {
  return compareVersions(version, LIVE_MIGRATION_ANNOTATION_REMOVED_IN) < 0;
}

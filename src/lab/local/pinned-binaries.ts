// The one place that says which kube-apiserver / etcd versions ovnlab uses, where users'
// machines may download them from, and the checksum each download must match.
// Downloads go through ../pinned-download (shared with the kind lab's tool fetcher): written
// beside the destination, hashed while they stream, renamed into place only when the digest
// matches; here a mismatch or a failed transfer removes the partial file too.
import { chmod, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { downloadVerified, type DigestAlgorithm } from '../pinned-download';

/**
 * The kube-apiserver version built from the Go module proxy by scripts/build-kube-apiserver.sh
 * (tools/kube-apiserver/go.mod pins the same one; a unit test keeps them equal).
 */
export const KUBE_APISERVER_VERSION = 'v1.34.12';

/** Where built and downloaded binaries are kept, as `<name>-<version>`. */
export function defaultBinCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.OVNLAB_BIN_CACHE || join(homedir(), '.cache', 'ovnlab', 'bin');
}

export type { DigestAlgorithm };

/** A file published by a project's release process, pinned by its digest. */
export interface PinnedArtifact {
  /** What it is, for messages: "envtest v1.34.1 linux/amd64". */
  label: string;
  url: string;
  algorithm: DigestAlgorithm;
  /** Lower-case hex digest of the whole file. */
  digest: string;
  /**
   * For archives: the binaries inside it (path in the archive → name in the cache) and the
   * version they are cached under.
   */
  contains?: { version: string; members: Record<string, string> };
}

/**
 * The kube-apiserver + etcd pair from the release assets of kubernetes-sigs/controller-tools
 * (the "envtest" bundles that controller-runtime's setup-envtest downloads): one archive with
 * both binaries, built by the Kubernetes and etcd projects, so one digest covers both.
 * The sha256 is the GitHub release asset digest of envtest-v1.34.1 (recorded 2026-10 by a
 * public project that verified its download); this machine has no route to GitHub, so the
 * download path is tested against a local server, not against this URL.
 */
export const PINNED_ARTIFACTS: Record<string, PinnedArtifact> = {
  'envtest-v1.34.1-linux-amd64': {
    label: 'envtest v1.34.1 linux/amd64 (kube-apiserver + etcd)',
    url: 'https://github.com/kubernetes-sigs/controller-tools/releases/download/envtest-v1.34.1/envtest-v1.34.1-linux-amd64.tar.gz',
    algorithm: 'sha256',
    digest: 'c8500090806ed5ce4064eeeb2a5666476a5168c1f4ff0eadd54fe59b22c4baa7',
    contains: {
      version: 'v1.34.1',
      members: {
        'controller-tools/envtest/kube-apiserver': 'kube-apiserver',
        'controller-tools/envtest/etcd': 'etcd',
      },
    },
  },
};

/** The pinned archive with kube-apiserver and etcd for this platform, if there is one. */
export function pinnedControlPlaneFor(platform: string = process.platform, arch: string = process.arch): PinnedArtifact | undefined {
  const goArch = arch === 'x64' ? 'amd64' : arch;
  return PINNED_ARTIFACTS[`envtest-v1.34.1-${platform}-${goArch}`];
}

export interface DownloadOptions {
  /** Replaces the artifact's URL (tests serve the file from 127.0.0.1). */
  url?: string;
  signal?: AbortSignal;
  /** Called with bytes received so far and the total when the server says it. */
  onProgress?: (received: number, total?: number) => void;
}

/**
 * Downloads `artifact` to `dest`, verifying its digest. Resolves to `dest`; rejects, leaving
 * neither `dest` nor a temporary file, when the transfer fails or the digest differs.
 * (The shared implementation in ../pinned-download, without resuming.)
 */
export async function downloadPinned(artifact: PinnedArtifact, dest: string, opts: DownloadOptions = {}): Promise<string> {
  return downloadVerified(artifact, dest, { ...opts, resume: false });
}

/**
 * Downloads a pinned archive and puts the binaries it `contains` into `cacheDir` as
 * `<name>-<version>`. Returns name → path. The archive is verified before anything is
 * extracted; extraction happens in a temporary directory that is always removed.
 */
export async function installPinnedArchive(artifact: PinnedArtifact, cacheDir: string, opts: DownloadOptions = {}): Promise<Record<string, string>> {
  if (!artifact.contains) throw new Error(`pinned ${artifact.label} is not an archive of binaries`);
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, '.install-'));
  try {
    const archive = await downloadPinned(artifact, join(work, 'archive.tar.gz'), opts);
    const members = Object.keys(artifact.contains.members);
    for (const m of members) {
      if (m.startsWith('/') || m.split('/').includes('..')) throw new Error(`pinned ${artifact.label}: unsafe member path ${m}`);
    }
    const r = await execa('tar', ['-xzf', archive, '-C', work, '--', ...members], { reject: false });
    if (r.exitCode !== 0) throw new Error(`could not unpack ${artifact.label}: ${r.stderr.trim() || r.message}`);
    const out: Record<string, string> = {};
    for (const [member, name] of Object.entries(artifact.contains.members)) {
      const target = join(cacheDir, `${name}-${artifact.contains.version}`);
      const from = join(work, member);
      if (!(await stat(from)).isFile()) throw new Error(`pinned ${artifact.label}: ${member} is not a file`);
      await chmod(from, 0o755);
      await rename(from, target);
      out[name] = target;
    }
    return out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

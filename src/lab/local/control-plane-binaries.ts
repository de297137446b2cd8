// Finds the kube-apiserver and etcd binaries the local control plane runs, in this order:
// a configured path, $OVNLAB_KUBE_APISERVER / $OVNLAB_ETCD, the ovnlab cache
// (`<cache>/<name>-<version>`), PATH; and when asked, fetches what is missing: the pinned
// release download (verified by digest) or a build from the Go module proxy.
import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { KUBE_APISERVER_VERSION, defaultBinCache, installPinnedArchive, pinnedControlPlaneFor } from './pinned-binaries';

export type ControlPlaneBinary = 'kube-apiserver' | 'etcd';
export type BinarySource = 'configured' | 'env' | 'cache' | 'path' | 'download' | 'build';

export interface FoundBinary {
  path: string;
  source: BinarySource;
}

export interface FindBinaryOptions {
  /** A path the user configured; used as-is when executable. */
  configured?: string;
  cacheDir?: string;
  /** The version to prefer in the cache; any cached `<name>-v*` is used when it is absent. */
  version?: string;
  env?: NodeJS.ProcessEnv;
}

const ENV_VARS: Record<ControlPlaneBinary, string> = { 'kube-apiserver': 'OVNLAB_KUBE_APISERVER', etcd: 'OVNLAB_ETCD' };

async function isExecutable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

function versionKey(v: string): number[] {
  return v.replace(/^v/, '').split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
}

function compareVersions(a: string, b: string): number {
  const x = versionKey(a);
  const y = versionKey(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Looks for `name` everywhere except the network; undefined when it is nowhere. */
export async function findBinary(name: ControlPlaneBinary, opts: FindBinaryOptions = {}): Promise<FoundBinary | undefined> {
  const env = opts.env ?? process.env;
  if (opts.configured) {
    if (await isExecutable(opts.configured)) return { path: opts.configured, source: 'configured' };
    throw new Error(`the configured ${name} path ${opts.configured} is not an executable file: fix the setting or clear it`);
  }
  const fromEnv = env[ENV_VARS[name]];
  if (fromEnv) {
    if (await isExecutable(fromEnv)) return { path: fromEnv, source: 'env' };
    throw new Error(`$${ENV_VARS[name]}=${fromEnv} is not an executable file: fix or unset it`);
  }
  const cache = opts.cacheDir ?? defaultBinCache(env);
  if (opts.version && (await isExecutable(join(cache, `${name}-${opts.version}`)))) {
    return { path: join(cache, `${name}-${opts.version}`), source: 'cache' };
  }
  let cached: string[] = [];
  try {
    cached = (await readdir(cache)).filter((f) => f.startsWith(`${name}-v`) && /^v[0-9][0-9.]*$/.test(f.slice(name.length + 1)));
  } catch {
    // no cache directory yet
  }
  cached.sort((a, b) => compareVersions(b.slice(name.length + 1), a.slice(name.length + 1)));
  for (const f of cached) if (await isExecutable(join(cache, f))) return { path: join(cache, f), source: 'cache' };
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, name)))) return { path: join(dir, name), source: 'path' };
  }
  return undefined;
}

/** The go tool, from PATH or the usual install location; undefined when Go is not installed. */
export async function findGo(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && (await isExecutable(join(dir, 'go')))) return join(dir, 'go');
  }
  return (await isExecutable('/usr/local/go/bin/go')) ? '/usr/local/go/bin/go' : undefined;
}

/** scripts/build-kube-apiserver.sh of the ovnlab checkout at or above `from`, if there is one. */
export async function findBuildScript(from: string = process.cwd()): Promise<string | undefined> {
  let dir = resolve(from);
  for (;;) {
    const p = join(dir, 'scripts', 'build-kube-apiserver.sh');
    // Both the script and the Go module it builds, so another project's scripts/ is not taken.
    if ((await isExecutable(p)) && (await exists(join(dir, 'tools', 'kube-apiserver', 'go.mod')))) return p;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export interface EnsureOptions {
  cacheDir?: string;
  configured?: Partial<Record<ControlPlaneBinary, string>>;
  /** Fetch the pinned release archive when a binary is missing (needs internet). */
  allowDownload?: boolean;
  /** Build kube-apiserver from the Go module proxy when it is missing and Go is installed. */
  allowBuild?: boolean;
  /** Where to look for the ovnlab checkout that holds the build script. */
  repoRoot?: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface ControlPlaneBinaries {
  kubeApiserver: FoundBinary;
  etcd: FoundBinary;
}

/** Why the binaries cannot be had here, or undefined when ensureControlPlaneBinaries can succeed. */
export async function controlPlaneUnavailable(opts: EnsureOptions = {}): Promise<string | undefined> {
  const find = (n: ControlPlaneBinary) => findBinary(n, { configured: opts.configured?.[n], cacheDir: opts.cacheDir, version: n === 'kube-apiserver' ? KUBE_APISERVER_VERSION : undefined, env: opts.env });
  const [api, etcd] = [await find('kube-apiserver'), await find('etcd')];
  if (api && etcd) return undefined;
  if (opts.allowDownload && pinnedControlPlaneFor()) return undefined;
  const missing = [api ? undefined : 'kube-apiserver', etcd ? undefined : 'etcd'].filter(Boolean).join(' and ');
  if (opts.allowBuild && (await findGo(opts.env)) && (await findBuildScript(opts.repoRoot))) return undefined;
  const fix = etcd ? 'run scripts/build-kube-apiserver.sh' : 'install etcd (apt-get install etcd-server) and run scripts/build-kube-apiserver.sh (or build etcd too with --etcd)';
  return `${missing} not found ($OVNLAB_KUBE_APISERVER/$OVNLAB_ETCD, ${opts.cacheDir ?? defaultBinCache(opts.env)}, PATH) and cannot be built here (needs Go >= 1.24 and the ovnlab checkout): ${fix}`;
}

/** Finds both binaries, downloading or building what is missing when allowed. */
export async function ensureControlPlaneBinaries(opts: EnsureOptions = {}): Promise<ControlPlaneBinaries> {
  const env = opts.env ?? process.env;
  const cacheDir = opts.cacheDir ?? defaultBinCache(env);
  const find = (n: ControlPlaneBinary) =>
    findBinary(n, { configured: opts.configured?.[n], cacheDir, version: n === 'kube-apiserver' ? KUBE_APISERVER_VERSION : undefined, env });
  let api = await find('kube-apiserver');
  let etcd = await find('etcd');
  if ((!api || !etcd) && opts.allowDownload) {
    const pinned = pinnedControlPlaneFor();
    if (pinned) {
      opts.log?.(`downloading ${pinned.label}`);
      const got = await installPinnedArchive(pinned, cacheDir, { signal: opts.signal });
      if (!api && got['kube-apiserver']) api = { path: got['kube-apiserver'], source: 'download' };
      if (!etcd && got.etcd) etcd = { path: got.etcd, source: 'download' };
    }
  }
  if ((!api || !etcd) && opts.allowBuild) {
    const go = await findGo(env);
    const script = await findBuildScript(opts.repoRoot);
    if (go && script) {
      const what = [api ? '' : `kube-apiserver ${KUBE_APISERVER_VERSION}`, etcd ? '' : 'etcd'].filter(Boolean).join(' and ');
      opts.log?.(`building ${what} from the Go module proxy (minutes on a cold cache)`);
      const r = await execa(script, etcd ? [] : ['--etcd'], {
        env: { ...env, GO: go, OVNLAB_BIN_CACHE: cacheDir },
        reject: false,
        cancelSignal: opts.signal,
        all: true,
      });
      if (r.failed) throw new Error(`building ${what} failed: ${(r.all ?? r.message).trim().split('\n').slice(-15).join('\n')}`);
      opts.log?.((r.all ?? '').trim());
      const builtApi = api ? undefined : await find('kube-apiserver');
      if (builtApi) api = { path: builtApi.path, source: 'build' };
      const builtEtcd = etcd ? undefined : await find('etcd');
      if (builtEtcd) etcd = { path: builtEtcd.path, source: 'build' };
    }
  }
  if (!api || !etcd) {
    const why = await controlPlaneUnavailable({ ...opts, allowBuild: false, allowDownload: false });
    throw new Error(why ?? 'kube-apiserver or etcd not found');
  }
  return { kubeApiserver: api, etcd };
}

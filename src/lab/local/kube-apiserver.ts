// A real kube-apiserver with its etcd, on loopback, for the tests and the local lab.
// No controllers, no nodes: objects are stored and validated exactly as a cluster does
// (CRD schemas, RBAC, admission), but nothing reconciles them.
// Everything lives in one directory: certificates, the token file, etcd's data, logs,
// a kubeconfig per user and state.json with the pids, so `stopKubeApiServerAt(dir)` can stop
// a control plane started by another process (the CLI's `lab up` / `lab down`).
// Both daemons run detached in their own process groups; stopping signals the group and
// waits until the process is gone.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { checkSubjectName, createClientCert, createControlPlaneCerts, type CertPaths } from './control-plane-certs';
import { ensureControlPlaneBinaries, type ControlPlaneBinaries, type EnsureOptions } from './control-plane-binaries';

/** A user authenticated by a bearer token from the static token file (fixed at start). */
export interface StaticTokenUser {
  name: string;
  /** Generated when absent. */
  token?: string;
  groups?: string[];
}

/** A user added after start: authenticated by a client certificate our CA signed. */
export interface KubeUser {
  name: string;
  groups: string[];
  kubeconfigPath: string;
  certPem: string;
  keyPem: string;
}

export interface StartKubeApiServerOptions {
  /** Working directory; a new temporary one (removed by stop) when absent. */
  dir?: string;
  /** Binaries to run; found (or fetched, as `ensure` allows) when absent. */
  binaries?: ControlPlaneBinaries;
  ensure?: EnsureOptions;
  /** More token users besides the admin (`admin`, group system:masters). */
  users?: StaticTokenUser[];
  /** Extra kube-apiserver flags, e.g. ['--disable-admission-plugins=ServiceAccount']. */
  extraArgs?: string[];
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface KubeApiServer {
  dir: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Kubeconfig of the admin user (token auth, system:masters). */
  kubeconfigPath: string;
  /** The admin's bearer token. */
  token: string;
  caPem: string;
  /** Bearer token of every static token user, admin included. */
  tokens: Record<string, string>;
  etcdUrl: string;
  pids: { etcd: number; kubeApiserver: number };
  binaries: ControlPlaneBinaries;
  /** Adds a certificate-authenticated user (the token file is only read at start). */
  addUser(name: string, opts?: { groups?: string[] }): Promise<KubeUser>;
  /** Stops both daemons and, when the directory was made by start, removes it. */
  stop(): Promise<void>;
}

interface ControlPlaneState {
  etcdPid: number;
  kubeApiserverPid: number;
  server: string;
  etcdUrl: string;
}

const STATE_FILE = 'state.json';

/**
 * `n` distinct ports that were free a moment ago on 127.0.0.1 (the daemons bind them right
 * after). All are held open together while choosing, so the kernel cannot hand out one twice.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((res, rej) => {
        s.once('error', rej);
        s.listen(0, '127.0.0.1', () => res());
      });
      const addr = s.address();
      if (!addr || typeof addr !== 'object') throw new Error('could not get a free port on 127.0.0.1');
      ports.push(addr.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((res) => s.close(() => res()))));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** True while `pid` is a live process (a zombie left for a missing parent counts as gone). */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Whether `pid`'s command line mentions `marker` (our directory): guards against reused pids. */
async function pidRunsFrom(pid: number, marker: string): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(marker);
  } catch {
    return false;
  }
}

/** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcessGroup(pid: number, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  if (!(await isRunning(pid))) return;
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isRunning(pid))) return;
    await sleep(50);
  }
  signal('SIGKILL');
  for (let i = 0; i < 100; i++) {
    if (!(await isRunning(pid))) return;
    await sleep(50);
  }
  throw new Error(`process ${pid} did not exit after SIGKILL`);
}

/** Stops a control plane started (possibly by another process) in `dir`; the directory stays. */
export async function stopKubeApiServerAt(dir: string): Promise<void> {
  let state: ControlPlaneState;
  try {
    state = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as ControlPlaneState;
  } catch {
    return;
  }
  for (const pid of [state.kubeApiserverPid, state.etcdPid]) {
    if (Number.isInteger(pid) && pid > 1 && (await pidRunsFrom(pid, dir))) await stopProcessGroup(pid);
  }
}

function spawnDetached(file: string, args: string[], logPath: string): { pid: number; exited: () => number | undefined } {
  let exitCode: number | undefined;
  // The child gets the log file's descriptor itself, not a pipe through us: the daemons must
  // keep running (and logging) after a CLI invocation that started them has exited.
  // execa's types list only descriptors 3-9 for stdout/stderr; any open one works at runtime.
  const fd = openSync(logPath, 'a') as 3;
  try {
    const child = execa(file, args, { detached: true, reject: false, stdin: 'ignore', stdout: fd, stderr: fd });
    if (child.pid === undefined) throw new Error(`could not start ${file}`);
    child.then((r) => (exitCode = r.exitCode ?? -1), () => (exitCode = -1));
    child.unref();
    return { pid: child.pid, exited: () => exitCode };
  } finally {
    closeSync(fd);
  }
}

async function tail(path: string, lines = 20): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function etcdVersion(etcd: string): Promise<number[]> {
  const r = await execa(etcd, ['--version'], { reject: false });
  const m = /etcd Version:\s*(\d+)\.(\d+)\.(\d+)/.exec(r.stdout);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}

function get(url: string, caPem: string, token: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = request(url, { ca: caPem, headers: { authorization: `Bearer ${token}` }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function waitForEtcd(url: string, etcd: { exited: () => number | undefined }, logPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const code = etcd.exited();
    if (code !== undefined) throw new Error(`etcd exited (code ${code}) while starting:\n${await tail(logPath)}`);
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = await r.text();
      if (r.ok && /"health":\s*"true"/.test(body)) return;
      last = `HTTP ${r.status}: ${body.trim()}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`etcd at ${url} was not healthy after ${timeoutMs} ms (${last}):\n${await tail(logPath)}`);
    await sleep(100);
  }
}

/** A kubeconfig document (YAML text) for one user of the server. */
export function kubeconfigYaml(server: string, caPem: string, user: string, auth: { token: string } | { certPem: string; keyPem: string }): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const userEntry = 'token' in auth
    ? { token: auth.token }
    : { 'client-certificate-data': b64(auth.certPem), 'client-key-data': b64(auth.keyPem) };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'ovnlab-local', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name: user, user: userEntry }],
    contexts: [{ name: `${user}@ovnlab-local`, context: { cluster: 'ovnlab-local', user } }],
    'current-context': `${user}@ovnlab-local`,
  });
}

function tokenFileLine(u: Required<StaticTokenUser>, uid: string): string {
  // token,user,uid,"group1,group2" — names were checked, so no quoting beyond the groups.
  return `${u.token},${u.name},${uid}${u.groups.length ? `,"${u.groups.join(',')}"` : ''}`;
}

/** Starts etcd and kube-apiserver and waits until /readyz answers ok. */
export async function startKubeApiServer(opts: StartKubeApiServerOptions = {}): Promise<KubeApiServer> {
  const log = opts.log ?? (() => {});
  const ownDir = !opts.dir;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'ovnlab-kapi-')));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const started: number[] = [];
  const cleanup = async () => {
    for (const pid of started.reverse()) await stopProcessGroup(pid);
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };
  try {
    const binaries = opts.binaries ?? (await ensureControlPlaneBinaries({ log, ...opts.ensure }));
    const certs: CertPaths = await createControlPlaneCerts(join(dir, 'pki'));
    const caPem = await readFile(certs.caCert, 'utf8');

    const admin: Required<StaticTokenUser> = { name: 'admin', token: randomBytes(24).toString('hex'), groups: ['system:masters'] };
    const users: Required<StaticTokenUser>[] = [admin];
    for (const u of opts.users ?? []) {
      checkSubjectName('user name', u.name);
      for (const g of u.groups ?? []) checkSubjectName('group name', g);
      if (u.token !== undefined && !/^[A-Za-z0-9._-]{16,}$/.test(u.token)) {
        throw new Error(`token for ${u.name} must be at least 16 letters, digits or . _ -`);
      }
      if (users.some((x) => x.name === u.name)) throw new Error(`user ${u.name} is listed twice`);
      users.push({ name: u.name, token: u.token ?? randomBytes(24).toString('hex'), groups: u.groups ?? [] });
    }
    const tokenFile = join(dir, 'tokens.csv');
    await writeFile(tokenFile, users.map((u, i) => tokenFileLine(u, `ovnlab-${i}`)).join('\n') + '\n', { mode: 0o600 });

    const [etcdClientPort, etcdPeerPort, apiPort] = await freePorts(3);
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcdArgs = [
      '--name', 'ovnlab', '--data-dir', join(dir, 'etcd-data'),
      '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `ovnlab=${peerUrl}`,
      '--logger', 'zap', '--log-level', 'warn',
    ];
    const [major, minor] = await etcdVersion(binaries.etcd.path);
    // A throwaway test store needs no durability; the flag exists from etcd 3.5.
    if (major > 3 || (major === 3 && minor >= 5)) etcdArgs.push('--unsafe-no-fsync');
    const etcdLog = join(dir, 'etcd.log');
    log(`starting etcd ${binaries.etcd.path} on ${etcdUrl}`);
    const etcd = spawnDetached(binaries.etcd.path, etcdArgs, etcdLog);
    started.push(etcd.pid);

    // kube-apiserver retries an absent etcd, but only slowly (and noisily): start it once etcd answers.
    await waitForEtcd(etcdUrl, etcd, etcdLog, opts.readyTimeoutMs ?? 90_000);

    const server = `https://127.0.0.1:${apiPort}`;
    const apiArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--cert-dir=${certs.dir}`,
      `--tls-cert-file=${certs.serverCert}`, `--tls-private-key-file=${certs.serverKey}`,
      `--client-ca-file=${certs.caCert}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=Node,RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${certs.saPub}`, `--service-account-signing-key-file=${certs.saKey}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--allow-privileged=true',
      // One client, no tenants: fairness queues only slow start-up.
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      // The `kubernetes` Service's endpoints may not be a loopback address; nothing here needs them.
      '--endpoint-reconciler-type=none',
      ...(opts.extraArgs ?? []),
    ];
    const apiLog = join(dir, 'kube-apiserver.log');
    log(`starting kube-apiserver ${binaries.kubeApiserver.path} on ${server}`);
    const api = spawnDetached(binaries.kubeApiserver.path, apiArgs, apiLog);
    started.push(api.pid);
    const state: ControlPlaneState = { etcdPid: etcd.pid, kubeApiserverPid: api.pid, server, etcdUrl };
    await writeFile(join(dir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');

    const deadline = Date.now() + (opts.readyTimeoutMs ?? 90_000);
    let last = '';
    for (;;) {
      for (const [name, p, logPath] of [['etcd', etcd, etcdLog], ['kube-apiserver', api, apiLog]] as const) {
        const code = p.exited();
        if (code !== undefined) throw new Error(`${name} exited (code ${code}) before the API server was ready:\n${await tail(logPath)}`);
      }
      try {
        const r = await get(`${server}/readyz`, caPem, admin.token, 5_000);
        if (r.status === 200) break;
        last = `HTTP ${r.status}: ${r.body.trim().split('\n').filter((l) => l.includes('[-]')).join('; ') || r.body.trim().slice(0, 200)}`;
      } catch (e) {
        last = (e as Error).message;
      }
      if (Date.now() > deadline) {
        throw new Error(`kube-apiserver was not ready after ${opts.readyTimeoutMs ?? 90_000} ms (${last}):\n${await tail(apiLog)}`);
      }
      await sleep(250);
    }

    const kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfigYaml(server, caPem, admin.name, { token: admin.token }), { mode: 0o600 });
    for (const u of users.slice(1)) {
      await writeFile(join(dir, `kubeconfig-${u.name}`), kubeconfigYaml(server, caPem, u.name, { token: u.token }), { mode: 0o600 });
    }
    log(`kube-apiserver ready at ${server}; kubeconfig ${kubeconfigPath}`);

    let stopped = false;
    return {
      dir,
      server,
      kubeconfigPath,
      token: admin.token,
      caPem,
      tokens: Object.fromEntries(users.map((u) => [u.name, u.token])),
      etcdUrl,
      pids: { etcd: etcd.pid, kubeApiserver: api.pid },
      binaries,
      async addUser(name, userOpts = {}) {
        const groups = userOpts.groups ?? [];
        const { certPem, keyPem } = await createClientCert(certs, name, groups);
        const path = join(dir, `kubeconfig-${name}`);
        await writeFile(path, kubeconfigYaml(server, caPem, name, { certPem, keyPem }), { mode: 0o600 });
        return { name, groups, kubeconfigPath: path, certPem, keyPem };
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await cleanup();
      },
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

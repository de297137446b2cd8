// Before `lab up --backend kind` touches anything: can this machine run the kind lab, and
// what will it use? Every check answers in a sentence the user can act on. A `fail` stops
// `up`; a `warn` is printed and `up` goes on; `kvm` decides KubeVirt's useEmulation.
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, networkInterfaces, totalmem } from 'node:os';
import { execa } from 'execa';
import { findTool, type ToolLocation } from './tool-fetch';
import { KIND_TOOLS, TOOL_PINS, toolPlatform, type KindTool, type ToolPlatform } from './versions';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface PreflightCheck {
  id: string;
  status: CheckStatus;
  message: string;
}

export interface PreflightReport {
  checks: PreflightCheck[];
  /** /dev/kvm is usable: KubeVirt runs VMs with KVM; otherwise with software emulation */
  kvm: boolean;
  /** tools already present (the rest will be fetched, when pinned) */
  tools: Partial<Record<KindTool, ToolLocation>>;
  ok: boolean;
}

export const DOCKER_NOT_RUNNING = 'Docker is not running: start it, or use the local lab (`ovnlab lab up`)';

/** Docker daemon reachable? Runs `docker info` (the client must be on PATH or configured). */
export async function checkDocker(docker = 'docker', env: NodeJS.ProcessEnv = process.env): Promise<PreflightCheck> {
  const r = await execa(docker, ['info', '--format', '{{.ServerVersion}}'], { reject: false, timeout: 20_000, env, stdin: 'ignore' });
  if (r.failed && r.exitCode === undefined && !r.timedOut) {
    return { id: 'docker', status: 'fail', message: `Docker is not installed (no "${docker}" to run): install Docker, or use the local lab (\`ovnlab lab up\`)` };
  }
  const version = String(r.stdout ?? '').trim();
  if (r.exitCode !== 0 || !version) {
    const why = String(r.stderr ?? '').trim().split('\n').find((l) => l.trim()) ?? (r.timedOut ? '`docker info` did not answer in 20 s' : '');
    return { id: 'docker', status: 'fail', message: `${DOCKER_NOT_RUNNING}${why ? ` (${why.trim()})` : ''}` };
  }
  return { id: 'docker', status: 'ok', message: `Docker engine ${version} is running` };
}

const GiB = 1024 ** 3;

/** Three kind nodes with Kube-OVN and KubeVirt need about 8 GiB; below 4 GiB they do not come up. */
export function checkMemory(bytes: number = totalmem()): PreflightCheck {
  const gib = (bytes / GiB).toFixed(1);
  if (bytes >= 8 * GiB) return { id: 'memory', status: 'ok', message: `${gib} GiB of memory` };
  if (bytes >= 4 * GiB) return { id: 'memory', status: 'warn', message: `${gib} GiB of memory: the lab wants 8 GiB; VMs may fail to schedule (try --workers 1)` };
  return { id: 'memory', status: 'fail', message: `${gib} GiB of memory: the kind lab needs at least 4 GiB (8 GiB recommended); use the local lab (\`ovnlab lab up\`)` };
}

export function checkCpus(count: number = cpus().length): PreflightCheck {
  if (count >= 4) return { id: 'cpu', status: 'ok', message: `${count} CPUs` };
  if (count >= 2) return { id: 'cpu', status: 'warn', message: `${count} CPUs: the lab wants 4; bringing it up will be slow` };
  return { id: 'cpu', status: 'fail', message: `${count} CPU: the kind lab needs at least 2` };
}

export async function checkKvm(device = '/dev/kvm'): Promise<PreflightCheck & { kvm: boolean }> {
  try {
    await access(device, constants.R_OK | constants.W_OK);
    return { id: 'kvm', status: 'ok', message: `${device} is usable: KubeVirt runs VMs with KVM`, kvm: true };
  } catch {
    return { id: 'kvm', status: 'warn', message: `no usable ${device}: KubeVirt will use software emulation (useEmulation), VMs boot slowly`, kvm: false };
  }
}

/** kind's known issue: too few inotify watches/instances make kubelets fail on multi-node clusters. */
export async function checkInotify(procDir = '/proc/sys/fs/inotify', platform: string = process.platform): Promise<PreflightCheck> {
  if (platform !== 'linux') return { id: 'inotify', status: 'ok', message: 'inotify limits are Docker Desktop\'s concern on this OS' };
  const read = async (name: string) => Number.parseInt((await readFile(`${procDir}/${name}`, 'utf8')).trim(), 10);
  try {
    const watches = await read('max_user_watches');
    const instances = await read('max_user_instances');
    if (watches >= 524288 && instances >= 512) return { id: 'inotify', status: 'ok', message: `inotify: ${watches} watches, ${instances} instances` };
    return {
      id: 'inotify',
      status: 'warn',
      message: `inotify limits are low (${watches} watches, ${instances} instances): kind nodes may fail with "too many open files"; run \`sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512\``,
    };
  } catch (e) {
    return { id: 'inotify', status: 'warn', message: `could not read the inotify limits (${(e as Error).message})` };
  }
}

/** A fixed host port must be free (the default lets Docker pick one, so there is nothing to check). */
export async function checkPort(port: number, host = '127.0.0.1'): Promise<PreflightCheck> {
  if (port === 0) return { id: 'ports', status: 'ok', message: 'the API server port is chosen by Docker (no fixed port)' };
  const free = await new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
  return free
    ? { id: 'ports', status: 'ok', message: `port ${host}:${port} is free` }
    : { id: 'ports', status: 'fail', message: `port ${host}:${port} is in use: stop what listens there, or choose another API server port` };
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, len] = cidr.split('/');
  const bits = Number(len);
  const size = 2 ** (32 - bits);
  const start = Math.floor(ipToInt(net ?? '0.0.0.0') / size) * size;
  const v = ipToInt(ip);
  return v >= start && v < start + size;
}

/** The external Docker network must not overlap an address this host already has. */
export function checkSubnetFree(cidr: string, interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces()): PreflightCheck {
  for (const [name, addrs] of Object.entries(interfaces)) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4' && inCidr(a.address, cidr)) {
        return { id: 'external-subnet', status: 'fail', message: `the external network ${cidr} overlaps ${name} (${a.address}): choose another --external-subnet` };
      }
    }
  }
  return { id: 'external-subnet', status: 'ok', message: `${cidr} is free on this host` };
}

/** ssh-keygen makes the key `lab exec` uses to reach the sample VMs (OpenSSH client). */
export async function checkSshKeygen(file = 'ssh-keygen', env: NodeJS.ProcessEnv = process.env): Promise<PreflightCheck> {
  const r = await execa(file, ['-l', '-f', '/dev/null'], { reject: false, timeout: 10_000, env, stdin: 'ignore' });
  if (r.failed && r.exitCode === undefined && !r.timedOut) {
    return { id: 'ssh-keygen', status: 'fail', message: 'ssh-keygen is missing (the lab makes an SSH key for the sample VMs): install the OpenSSH client' };
  }
  return { id: 'ssh-keygen', status: 'ok', message: 'ssh-keygen is available' };
}

export interface ToolPreflightOptions {
  configured?: Partial<Record<KindTool, string>>;
  env?: NodeJS.ProcessEnv;
  cacheDir?: string;
  platform?: ToolPlatform;
}

/** Each tool: found (where), or fetched at `up` (pinned), or a fail saying how to install it. */
export async function checkTools(opts: ToolPreflightOptions = {}): Promise<{ checks: PreflightCheck[]; found: Partial<Record<KindTool, ToolLocation>> }> {
  const checks: PreflightCheck[] = [];
  const found: Partial<Record<KindTool, ToolLocation>> = {};
  const platform = opts.platform ?? toolPlatform();
  for (const tool of KIND_TOOLS) {
    let loc: ToolLocation | undefined;
    try {
      loc = await findTool(tool, { configured: opts.configured?.[tool], env: opts.env, cacheDir: opts.cacheDir });
    } catch (e) {
      checks.push({ id: `tool-${tool}`, status: 'fail', message: (e as Error).message });
      continue;
    }
    if (loc) {
      found[tool] = loc;
      checks.push({ id: `tool-${tool}`, status: 'ok', message: `${tool}: ${loc.path} (${loc.source})` });
      continue;
    }
    const pin = TOOL_PINS[tool];
    const asset = platform ? pin.assets[platform] : undefined;
    if (asset?.sha256) {
      checks.push({ id: `tool-${tool}`, status: 'ok', message: `${tool}: not found; will fetch ${pin.version} for ${platform} (sha256 ${asset.sha256.slice(0, 12)}…)` });
    } else {
      checks.push({
        id: `tool-${tool}`,
        // virtctl is only needed for `lab exec` into VMs, not to bring the lab up
        status: tool === 'virtctl' ? 'warn' : 'fail',
        message: `${tool}: not found, and ovnlab has no published checksum for ${tool} ${pin.version} on ${platform ?? `${process.platform}/${process.arch}`}, so it will not download it: install ${tool} and put it on PATH (or set ovnlab.tools.${tool})`,
      });
    }
  }
  return { checks, found };
}

export interface PreflightOptions extends ToolPreflightOptions {
  docker?: string;
  sshKeygen?: string;
  externalSubnet: string;
  apiServerPort?: number;
  kvmDevice?: string;
}

export async function runPreflight(opts: PreflightOptions): Promise<PreflightReport> {
  const docker = await checkDocker(opts.docker ?? 'docker', opts.env);
  const kvm = await checkKvm(opts.kvmDevice);
  const tools = await checkTools(opts);
  const checks: PreflightCheck[] = [
    docker,
    checkMemory(),
    checkCpus(),
    { id: kvm.id, status: kvm.status, message: kvm.message },
    await checkInotify(),
    await checkPort(opts.apiServerPort ?? 0),
    checkSubnetFree(opts.externalSubnet),
    await checkSshKeygen(opts.sshKeygen, opts.env),
    ...tools.checks,
  ];
  return { checks, kvm: kvm.kvm, tools: tools.found, ok: checks.every((c) => c.status !== 'fail') };
}

/** One line per check, marked ok / warn / FAIL. */
export function formatPreflight(r: PreflightReport): string {
  return r.checks.map((c) => `${c.status === 'ok' ? 'ok  ' : c.status === 'warn' ? 'warn' : 'FAIL'}  ${c.message}`).join('\n');
}

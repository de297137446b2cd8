// Network namespaces and veth pairs for emulated nodes and VMs (iproute2 through execa).
// Names are validated here because they reach `ip` command lines.
import { execa } from 'execa';

const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/; // IFNAMSIZ is 16 including the NUL
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const IPV4_CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
const IPV4 = /^(\d{1,3}\.){3}\d{1,3}$/;

export function assertNetnsName(name: string): void {
  if (!NETNS_NAME.test(name)) throw new Error(`invalid network namespace name "${name}": use letters, digits, '.', '_' or '-' (at most 64)`);
}
export function assertIfName(name: string): void {
  if (!IFNAME.test(name)) throw new Error(`invalid interface name "${name}": at most 15 letters, digits, '.', '_' or '-'`);
}
function assertMac(mac: string): void {
  if (!MAC.test(mac)) throw new Error(`invalid MAC address "${mac}": expected six lowercase hex pairs like 0a:58:0a:10:00:0f`);
}

async function ip(args: string[], opts: { reject?: boolean } = {}): Promise<{ exitCode: number; stderr: string; stdout: string }> {
  const r = await execa('ip', args, { reject: false, timeout: 15_000 });
  if (r.exitCode !== 0 && opts.reject !== false) {
    throw new Error(`ip ${args.join(' ')} failed: ${String(r.stderr).trim()}`);
  }
  return { exitCode: r.exitCode ?? 1, stderr: String(r.stderr), stdout: String(r.stdout) };
}

export async function netnsExists(name: string): Promise<boolean> {
  assertNetnsName(name);
  const r = await ip(['netns', 'list']);
  return r.stdout.split('\n').some((l) => l.split(' ')[0] === name);
}

export async function addNetns(name: string): Promise<void> {
  assertNetnsName(name);
  await ip(['netns', 'add', name]);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Deleting a namespace destroys the veth ends and netdev taps inside it. Missing is fine. */
export async function delNetns(name: string): Promise<void> {
  assertNetnsName(name);
  await ip(['netns', 'del', name], { reject: false });
}

export async function delLink(name: string, netns?: string): Promise<void> {
  assertIfName(name);
  await ip([...(netns ? ['-n', netns] : []), 'link', 'del', name], { reject: false });
}

export interface VethEnd {
  name: string;
  /** namespace of this end; undefined = the host's */
  netns?: string;
}

export async function addVeth(a: VethEnd, b: VethEnd): Promise<void> {
  assertIfName(a.name);
  assertIfName(b.name);
  if (a.netns) assertNetnsName(a.netns);
  if (b.netns) assertNetnsName(b.netns);
  await ip([
    'link', 'add', a.name, ...(a.netns ? ['netns', a.netns] : []),
    'type', 'veth', 'peer', 'name', b.name, ...(b.netns ? ['netns', b.netns] : []),
  ]);
}

export interface GuestNic {
  netns: string;
  ifname: string;
  mac: string;
  /** e.g. 10.16.0.15/16 */
  cidr: string;
  gateway?: string;
  mtu?: number;
}

/** Configures the guest end of a VM's NIC: MAC, address, MTU, default route, link up. */
export async function configureGuestNic(n: GuestNic): Promise<void> {
  assertNetnsName(n.netns);
  assertIfName(n.ifname);
  assertMac(n.mac);
  if (!IPV4_CIDR.test(n.cidr)) throw new Error(`invalid address "${n.cidr}": expected IPv4/prefix`);
  await ip(['-n', n.netns, 'link', 'set', n.ifname, 'address', n.mac, ...(n.mtu ? ['mtu', String(n.mtu)] : []), 'up']);
  await ip(['-n', n.netns, 'addr', 'add', n.cidr, 'dev', n.ifname]);
  if (n.gateway) {
    if (!IPV4.test(n.gateway)) throw new Error(`invalid gateway "${n.gateway}"`);
    await ip(['-n', n.netns, 'route', 'add', 'default', 'via', n.gateway]);
  }
}

export async function linkUp(name: string, netns?: string): Promise<void> {
  assertIfName(name);
  await ip([...(netns ? ['-n', netns] : []), 'link', 'set', name, 'up']);
}

/** Runs a command inside a namespace (argument array, no shell). */
export async function execInNetns(
  netns: string,
  cmd: string,
  args: string[],
  opts: { timeoutMs?: number } = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  assertNetnsName(netns);
  const r = await execa('ip', ['netns', 'exec', netns, cmd, ...args], { reject: false, timeout: opts.timeoutMs ?? 30_000 });
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** True when this process may create namespaces (root, or CAP_SYS_ADMIN). */
export function canUseNetns(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

// IPv4 address management for one subnet, the way Kube-OVN's IPAM behaves (pkg/ipam/subnet.go):
// the gateway (first address unless given) is always excluded, excludeIps takes single
// addresses and `a..b` ranges, a static IP must be inside the CIDR and free, and a dynamic IP is
// the lowest free address. Pure: the set of used addresses is passed in.

export interface Cidr {
  /** network address as a 32-bit unsigned number */
  base: number;
  prefix: number;
  text: string;
}

const DOTTED = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function parseIp(s: string): number | undefined {
  if (!DOTTED.test(s)) return undefined;
  return s.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIp(n: number): string {
  return [24, 16, 8, 0].map((sh) => Math.floor(n / 2 ** sh) % 256).join('.');
}

/** Parses `a.b.c.d/p`; the address must be the network address (10.16.0.0/16, not 10.16.0.5/16). */
export function parseCidr(s: string): Cidr | { error: string } {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s.trim());
  if (!m) return { error: `"${s}" is not an IPv4 CIDR like 10.16.0.0/16` };
  const ip = parseIp(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix < 8 || prefix > 30) return { error: `"${s}" is not an IPv4 CIDR with a prefix from /8 to /30` };
  const size = 2 ** (32 - prefix);
  if (ip % size !== 0) return { error: `"${s}" has host bits set: did you mean ${formatIp(ip - (ip % size))}/${prefix}?` };
  return { base: ip, prefix, text: `${formatIp(ip)}/${prefix}` };
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + cidrSize(c);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

export interface SubnetPool {
  cidr: Cidr;
  gateway: number;
  /** [from, to] inclusive */
  excluded: Array<[number, number]>;
}

/** Builds the pool; the gateway defaults to the first host address and is always excluded. */
export function makePool(cidrText: string, gatewayText: string | undefined, excludeIps: string[]): SubnetPool | { error: string } {
  const cidr = parseCidr(cidrText);
  if ('error' in cidr) return cidr;
  const gateway = gatewayText ? parseIp(gatewayText) : cidr.base + 1;
  if (gateway === undefined) return { error: `gateway "${gatewayText}" is not an IPv4 address` };
  if (!hostIn(cidr, gateway)) return { error: `gateway ${gatewayText} is not a host address of ${cidr.text}` };
  const excluded: Array<[number, number]> = [[gateway, gateway]];
  for (const e of excludeIps) {
    const [a, b] = e.split('..');
    const from = parseIp(a.trim());
    const to = b === undefined ? from : parseIp(b.trim());
    if (from === undefined || to === undefined || to < from) return { error: `excludeIps entry "${e}" is not an address or a range like 10.16.0.1..10.16.0.10` };
    if (!cidrContains(cidr, from) || !cidrContains(cidr, to)) return { error: `excludeIps entry "${e}" is outside ${cidr.text}` };
    excluded.push([from, to]);
  }
  return { cidr, gateway, excluded };
}

function hostIn(c: Cidr, ip: number): boolean {
  return ip > c.base && ip < c.base + cidrSize(c) - 1;
}

export function isExcluded(p: SubnetPool, ip: number): boolean {
  return p.excluded.some(([a, b]) => ip >= a && ip <= b);
}

export type StaticCheck = { ok: true; ip: number } | { ok: false; reason: 'InvalidIP' | 'OutOfSubnet' | 'Excluded' | 'Conflict'; message: string };

/** Checks a requested (pinned) address against the pool and the addresses in use by others. */
export function checkStatic(p: SubnetPool, text: string, usedByOthers: Map<number, string>, subnetName: string): StaticCheck {
  const ip = parseIp(text.trim());
  if (ip === undefined) return { ok: false, reason: 'InvalidIP', message: `"${text}" is not an IPv4 address` };
  if (!hostIn(p.cidr, ip)) return { ok: false, reason: 'OutOfSubnet', message: `${text} is outside subnet ${subnetName} (${p.cidr.text}): pick an address inside it` };
  if (ip === p.gateway) return { ok: false, reason: 'Excluded', message: `${text} is the gateway of subnet ${subnetName}` };
  if (isExcluded(p, ip)) return { ok: false, reason: 'Excluded', message: `${text} is in the excludeIps of subnet ${subnetName}` };
  const owner = usedByOthers.get(ip);
  if (owner) return { ok: false, reason: 'Conflict', message: `${text} is already taken by ${owner} in subnet ${subnetName}` };
  return { ok: true, ip };
}

/** The lowest free host address, or undefined when the subnet is full. */
export function allocateLowest(p: SubnetPool, used: Map<number, string>): number | undefined {
  const last = p.cidr.base + cidrSize(p.cidr) - 2;
  for (let ip = p.cidr.base + 1; ip <= last; ip++) {
    if (!used.has(ip) && !isExcluded(p, ip)) return ip;
  }
  return undefined;
}

/** Free host addresses left (for Subnet status v4availableIPs). */
export function availableCount(p: SubnetPool, used: Map<number, string>): number {
  const hosts = cidrSize(p.cidr) - 2;
  let excluded = 0;
  for (const [a, b] of p.excluded) excluded += b - a + 1;
  let usedNotExcluded = 0;
  for (const ip of used.keys()) if (hostIn(p.cidr, ip) && !isExcluded(p, ip)) usedNotExcluded++;
  return Math.max(0, hosts - excluded - usedNotExcluded);
}

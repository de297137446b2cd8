// IP address math for pinning VM IPs: parse IPv4/IPv6, CIDR membership, Kube-OVN's excludeIps
// syntax (single IPs and `first..last` ranges) and "next free IP" in a subnet.
// Addresses are bigint so one code path serves both families.

export type IpFamily = 4 | 6;

export interface ParsedIp {
  family: IpFamily;
  value: bigint;
}

export interface Cidr {
  family: IpFamily;
  /** network address (host bits cleared) */
  network: bigint;
  prefix: number;
  /** the text it was parsed from */
  text: string;
}

/** An inclusive address range; a single excludeIps entry is a range with first == last. */
export interface IpRange {
  family: IpFamily;
  first: bigint;
  last: bigint;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

export function parseIpv4(text: string): bigint | undefined {
  // plain numbers first, one BigInt at the end: this runs for every pinned IP on every keystroke
  let v = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46 /* . */) {
      // no empty parts, no leading zeros ("010" is octal to some tools and invalid to Go)
      if (digits === 0 || digits > 3 || part > 255 || (digits > 1 && text.charCodeAt(i - digits) === 48)) return undefined;
      v = v * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
    } else {
      return undefined;
    }
  }
  return parts === 4 ? BigInt(v) : undefined;
}

export function parseIpv6(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  let v = 0n;
  for (const g of all) v = (v << 16n) | BigInt(g);
  return v;
}

export function parseIp(text: string): ParsedIp | undefined {
  const t = text.trim();
  if (t.includes(':')) {
    const v = parseIpv6(t);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIpv4(t);
  return v === undefined ? undefined : { family: 4, value: v };
}

export function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) {
    const v = Number(ip.value);
    return `${Math.floor(v / 16777216) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((ip.value >> s) & 0xffffn));
  // RFC 5952: compress the longest run (≥2) of zero groups, the first one on a tie
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function parseCidr(text: string): Cidr | undefined {
  const t = text.trim();
  const slash = t.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(t.slice(0, slash));
  const prefixText = t.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = BITS[ip.family];
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const network = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, network, prefix, text: t };
}

/** A Subnet's cidrBlock may be dual-stack: "10.16.0.0/16,fd00:10:16::/64". */
export function parseCidrList(text: string): Cidr[] | undefined {
  const out: Cidr[] = [];
  for (const part of text.split(',')) {
    const c = parseCidr(part);
    if (!c) return undefined;
    out.push(c);
  }
  return out.length > 0 ? out : undefined;
}

export function cidrLast(c: Cidr): bigint {
  const hostBits = BigInt(BITS[c.family] - c.prefix);
  return c.network | ((1n << hostBits) - 1n);
}

export function cidrContains(c: Cidr, ip: ParsedIp): boolean {
  return c.family === ip.family && ip.value >= c.network && ip.value <= cidrLast(c);
}

/**
 * Kube-OVN's excludeIps entries: "10.16.0.1" or "10.16.0.1..10.16.0.10" (inclusive).
 * Returns undefined for an entry that is neither, so callers can report it.
 */
export function parseIpRange(text: string): IpRange | undefined {
  const t = text.trim();
  const dots = t.indexOf('..');
  if (dots < 0) {
    const ip = parseIp(t);
    return ip ? { family: ip.family, first: ip.value, last: ip.value } : undefined;
  }
  const a = parseIp(t.slice(0, dots));
  const b = parseIp(t.slice(dots + 2));
  if (!a || !b || a.family !== b.family || a.value > b.value) return undefined;
  return { family: a.family, first: a.value, last: b.value };
}

/** Parses a list of excludeIps entries; bad entries are returned separately, not dropped silently. */
export function parseIpRanges(entries: readonly string[]): { ranges: IpRange[]; bad: string[] } {
  const ranges: IpRange[] = [];
  const bad: string[] = [];
  for (const e of entries) {
    for (const piece of e.split(',')) {
      if (piece.trim() === '') continue;
      const r = parseIpRange(piece);
      if (r) ranges.push(r);
      else bad.push(piece.trim());
    }
  }
  return { ranges, bad };
}

export function rangesContain(ranges: readonly IpRange[], ip: ParsedIp): IpRange | undefined {
  return ranges.find((r) => r.family === ip.family && ip.value >= r.first && ip.value <= r.last);
}

/** Gateway when a Subnet does not name one: Kube-OVN takes the first host address. */
export function defaultGateway(c: Cidr): ParsedIp {
  return { family: c.family, value: c.network + 1n };
}

export interface FreeIpQuery {
  cidr: Cidr;
  gateway?: ParsedIp;
  exclude: readonly IpRange[];
  /** addresses held by IP objects or otherwise taken */
  used: readonly ParsedIp[];
  /** give up after this many candidates (a /8 full of ranges must not hang the editor) */
  maxSteps?: number;
}

/**
 * The lowest address in the CIDR that is not the network address, the IPv4 broadcast,
 * the gateway, inside excludeIps or used. Skips whole exclude ranges at once, so a range like
 * 10.16.0.1..10.16.255.254 costs one step.
 */
export function nextFreeIp(q: FreeIpQuery): ParsedIp | undefined {
  const { cidr } = q;
  const family = cidr.family;
  const last = family === 4 && cidr.prefix < 31 ? cidrLast(cidr) - 1n : cidrLast(cidr);
  let candidate = family === 4 && cidr.prefix >= 31 ? cidr.network : cidr.network + 1n;
  const used = new Set<bigint>();
  for (const u of q.used) if (u.family === family) used.add(u.value);
  if (q.gateway && q.gateway.family === family) used.add(q.gateway.value);
  const ranges = q.exclude.filter((r) => r.family === family);
  const maxSteps = q.maxSteps ?? 1_000_000;
  for (let steps = 0; candidate <= last && steps < maxSteps; steps++) {
    const r = ranges.find((x) => candidate >= x.first && candidate <= x.last);
    if (r) { candidate = r.last + 1n; continue; }
    if (used.has(candidate)) { candidate++; continue; }
    return { family, value: candidate };
  }
  return undefined;
}

/** Why an address cannot be pinned in a subnet, or undefined when it can. */
export type IpProblem =
  | { code: 'outside-cidr'; cidr: string }
  | { code: 'network-address' }
  | { code: 'broadcast-address' }
  | { code: 'gateway'; gateway: string }
  | { code: 'excluded'; range: string };

export function checkIpInSubnet(ip: ParsedIp, cidrs: readonly Cidr[], gateway: readonly ParsedIp[], exclude: readonly IpRange[]): IpProblem | undefined {
  const c = cidrs.find((x) => x.family === ip.family);
  if (!c || !cidrContains(c, ip)) return { code: 'outside-cidr', cidr: cidrs.map((x) => x.text).join(',') };
  if (ip.value === c.network && !(c.family === 4 && c.prefix >= 31)) return { code: 'network-address' };
  if (c.family === 4 && c.prefix < 31 && ip.value === cidrLast(c)) return { code: 'broadcast-address' };
  const gw = gateway.find((g) => g.family === ip.family && g.value === ip.value);
  if (gw) return { code: 'gateway', gateway: formatIp(gw) };
  const r = rangesContain(exclude, ip);
  if (r) {
    const text = r.first === r.last ? formatIp({ family: r.family, value: r.first }) : `${formatIp({ family: r.family, value: r.first })}..${formatIp({ family: r.family, value: r.last })}`;
    return { code: 'excluded', range: text };
  }
  return undefined;
}

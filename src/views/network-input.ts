// Validation of the guided "create VPC / Subnet" input, kept apart from the input boxes so every
// rule is testable without an editor. Each check returns the message the input box shows, or
// undefined when the value is fine.
import { isDns1123Label, isDns1123Subdomain } from '../k8s/names';
import type { Subnet, Vpc } from '../k8s/resources';

export interface Ipv4Cidr {
  /** first address of the block as a 32-bit number */
  first: number;
  last: number;
  prefix: number;
  text: string;
}

function ipv4(text: string): number | undefined {
  const p = text.split('.');
  if (p.length !== 4) return undefined;
  let v = 0;
  for (const s of p) {
    if (!/^\d{1,3}$/.test(s) || Number(s) > 255 || (s.length > 1 && s.startsWith('0'))) return undefined;
    v = v * 256 + Number(s);
  }
  return v;
}

function ipv4Text(v: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.');
}

/** Parses `a.b.c.d/n`; the address must be the block's first address (as Kube-OVN requires). */
export function parseIpv4Cidr(text: string): Ipv4Cidr | string {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return `"${text}" is not a CIDR: write it as address/prefix, e.g. 10.20.0.0/24`;
  const addr = ipv4(m[1]);
  const prefix = Number(m[2]);
  if (addr === undefined) return `"${m[1]}" is not an IPv4 address`;
  if (prefix < 8 || prefix > 30) return `prefix /${prefix} is outside /8../30: a subnet needs room for a gateway and some VMs`;
  const size = 2 ** (32 - prefix);
  const first = addr - (addr % size);
  if (first !== addr) return `${text} has host bits set: use ${ipv4Text(first)}/${prefix}`;
  return { first, last: first + size - 1, prefix, text: `${ipv4Text(first)}/${prefix}` };
}

/** Every IPv4 block of a Subnet's cidrBlock (dual stack lists both families, comma separated). */
function subnetBlocks(s: Subnet): Ipv4Cidr[] {
  const out: Ipv4Cidr[] = [];
  for (const part of (s.spec?.cidrBlock ?? '').split(',')) {
    const c = parseIpv4Cidr(part.trim());
    if (typeof c !== 'string') out.push(c);
  }
  return out;
}

export function checkSubnetName(name: string, existing: Iterable<Subnet>): string | undefined {
  if (!name) return 'give the subnet a name';
  if (!isDns1123Subdomain(name) || name.length > 63) return `"${name}" is not a valid name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit`;
  for (const s of existing) if (s.metadata.name === name) return `a Subnet named ${name} already exists`;
  return undefined;
}

export function checkVpcName(name: string, existing: Iterable<Vpc>): string | undefined {
  if (!name) return 'give the VPC a name';
  if (!isDns1123Label(name)) return `"${name}" is not a valid VPC name: lower-case letters, digits and "-", at most 63, starting and ending with a letter or digit`;
  for (const v of existing) if (v.metadata.name === name) return `a Vpc named ${name} already exists`;
  return undefined;
}

/**
 * A CIDR for a new subnet in `vpc`: valid syntax, and no overlap with the subnets of the same VPC
 * (Kube-OVN refuses those) — nor, in the default VPC, with any subnet, because the default VPC
 * routes between all of its subnets and custom VPCs may be peered or share the external network.
 */
export function checkSubnetCidr(text: string, vpc: string, existing: Iterable<Subnet>, defaultVpc = 'ovn-cluster'): string | undefined {
  const c = parseIpv4Cidr(text);
  if (typeof c === 'string') return c;
  for (const s of existing) {
    const sVpc = s.spec?.vpc || defaultVpc;
    if (sVpc !== vpc && vpc !== defaultVpc && sVpc !== defaultVpc) continue;
    for (const b of subnetBlocks(s)) {
      if (c.first <= b.last && b.first <= c.last) return `${c.text} overlaps Subnet ${s.metadata.name} (${b.text}${sVpc !== vpc ? `, VPC ${sVpc}` : ''}): pick another range`;
    }
  }
  return undefined;
}

/** The gateway Kube-OVN would pick: the first usable address. */
export function defaultGateway(cidr: string): string | undefined {
  const c = parseIpv4Cidr(cidr);
  return typeof c === 'string' ? undefined : ipv4Text(c.first + 1);
}

export function checkGateway(gw: string, cidr: string): string | undefined {
  const c = parseIpv4Cidr(cidr);
  if (typeof c === 'string') return c;
  const v = ipv4(gw.trim());
  if (v === undefined) return `"${gw}" is not an IPv4 address`;
  if (v <= c.first || v >= c.last) return `${gw} is not a usable address of ${c.text}`;
  return undefined;
}

export interface SubnetRequest {
  name: string;
  vpc: string;
  cidr: string;
  gateway: string;
  natOutgoing: boolean;
  namespaces: string[];
}

export function subnetObject(r: SubnetRequest): Subnet {
  const spec: NonNullable<Subnet['spec']> = {
    vpc: r.vpc,
    cidrBlock: r.cidr,
    gateway: r.gateway,
    excludeIps: [r.gateway],
    protocol: 'IPv4',
    natOutgoing: r.natOutgoing,
  };
  if (r.namespaces.length) spec.namespaces = r.namespaces;
  return { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: r.name }, spec };
}

export function vpcObject(name: string, namespaces: string[] = []): Vpc {
  return { apiVersion: 'kubeovn.io/v1', kind: 'Vpc', metadata: { name }, spec: namespaces.length ? { namespaces } : {} };
}

/** Comma- or space-separated namespace names; returns the list or what is wrong. */
export function parseNamespaceList(text: string): string[] | string {
  const names = text.split(/[\s,]+/).filter(Boolean);
  for (const n of names) if (!isDns1123Label(n)) return `"${n}" is not a namespace name (lower-case letters, digits and "-")`;
  return [...new Set(names)];
}

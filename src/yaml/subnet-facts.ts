// Which subnet a VM's interface lands in and what that subnet allows, from ClusterFacts or the
// hand-given subnet, with parsed CIDRs and exclude ranges cached for one analysis.
import { DEFAULT_SUBNET, DEFAULT_VPC, type AnalysisContext, type IpInUse, type SubnetFacts } from './cluster-facts';
import { defaultGateway, formatIp, nextFreeIp, parseCidrList, parseIp, parseIpRanges, type Cidr, type IpRange, type ParsedIp } from './ip-range';
import type { VmDocInfo } from './vm-documents';
import { annotationKey } from './annotation-catalogue';

export interface ResolvedSubnet {
  name: string;
  /** how the name was found */
  how: 'annotation' | 'namespace' | 'provider' | 'cluster-default' | 'assumed-default' | 'manual';
  facts?: SubnetFacts;
  vpc: string;
  cidrs?: Cidr[];
  gateways: ParsedIp[];
  exclude: IpRange[];
  badExcludes: string[];
}

export class SubnetBook {
  /** how it was found → subnet name → resolved (nested: no key string per lookup) */
  private readonly cache = new Map<ResolvedSubnet['how'], Map<string, ResolvedSubnet>>();
  private readonly nextFree = new Map<string, string | null>();
  /** IPs pinned in the analysed file, per subnet name, so suggestions skip them too */
  private readonly pinnedInFile = new Map<string, ParsedIp[]>();

  constructor(private readonly ctx: AnalysisContext) {}

  /** Forgets what one analysis learnt about its file (pinned IPs, suggestions); resolved subnets stay. */
  resetFile(): void {
    this.nextFree.clear();
    this.pinnedInFile.clear();
  }

  get hasCluster(): boolean {
    return !!this.ctx.cluster;
  }

  private build(name: string, how: ResolvedSubnet['how'], facts: SubnetFacts | undefined): ResolvedSubnet {
    // how it was found is part of the key: the lens says "(cluster default)" for one VM and not
    // for another that names the same subnet, and the book outlives one analysis in the editor
    let byName = this.cache.get(how);
    if (!byName) this.cache.set(how, (byName = new Map()));
    const hit = byName.get(name);
    if (hit) return hit;
    const cidrs = facts ? parseCidrList(facts.cidrBlock) : undefined;
    const { ranges, bad } = parseIpRanges(facts?.excludeIps ?? []);
    let gateways: ParsedIp[] = [];
    if (facts?.gateway) gateways = facts.gateway.split(',').map((g) => parseIp(g)).filter((g): g is ParsedIp => !!g);
    else if (cidrs) gateways = cidrs.map(defaultGateway);
    const r: ResolvedSubnet = { name, how, facts, vpc: facts?.vpc || DEFAULT_VPC, cidrs, gateways, exclude: ranges, badExcludes: bad };
    byName.set(name, r);
    return r;
  }

  allSubnetNames(): string[] {
    return (this.ctx.cluster?.subnets ?? []).map((s) => s.name);
  }

  findSubnet(name: string): SubnetFacts | undefined {
    // asked for every VM that names its subnet: a loop, no closure per call
    for (const s of this.ctx.cluster?.subnets ?? []) if (s.name === name) return s;
    return undefined;
  }

  /** The subnet of the pod network (attachment undefined) or of a Kube-OVN attachment. */
  resolve(vm: VmDocInfo, attachment?: { nad: string; namespace: string }): ResolvedSubnet {
    const lsKey = annotationKey('logical_switch', attachment);
    let ls: string | undefined;
    for (const a of vm.annotations) if (a.on === 'template' && a.key === lsKey) { ls = a.value; break; }
    const cluster = this.ctx.cluster;
    if (!cluster) {
      const m = this.ctx.manualSubnet;
      if (m && !attachment) return this.build(ls ?? m.name ?? DEFAULT_SUBNET, 'manual', { name: m.name ?? ls ?? DEFAULT_SUBNET, cidrBlock: m.cidrBlock, excludeIps: m.excludeIps, gateway: m.gateway });
      return this.build(ls ?? DEFAULT_SUBNET, ls ? 'annotation' : 'assumed-default', undefined);
    }
    if (ls) return this.build(ls, 'annotation', this.findSubnet(ls));
    if (attachment) {
      const provider = `${attachment.nad}.${attachment.namespace}.ovn`;
      const s = cluster.subnets.find((x) => x.provider === provider);
      if (s) return this.build(s.name, 'provider', s);
    }
    const byNs = this.subnetOfNamespace(vm.namespace ?? 'default');
    if (byNs) return this.build(byNs.name, 'namespace', byNs);
    const def = this.clusterDefault() ?? this.findSubnet(DEFAULT_SUBNET);
    return this.build(def?.name ?? DEFAULT_SUBNET, 'cluster-default', def);
  }

  /** namespace → the subnet that lists it (asked for every VM: looked up once per namespace) */
  private readonly byNamespace = new Map<string, SubnetFacts | null>();

  private subnetOfNamespace(ns: string): SubnetFacts | undefined {
    let s = this.byNamespace.get(ns);
    if (s === undefined) {
      s = null;
      for (const x of this.ctx.cluster?.subnets ?? []) if (x.namespaces?.includes(ns)) { s = x; break; }
      this.byNamespace.set(ns, s);
    }
    return s ?? undefined;
  }

  private clusterDefault(): SubnetFacts | undefined {
    for (const x of this.ctx.cluster?.subnets ?? []) if (x.default) return x;
    return undefined;
  }

  /** The subnet without a logical_switch annotation: by provider, namespace, or the cluster default. */
  defaultSubnet(vm: VmDocInfo, attachment?: { nad: string; namespace: string }): string | undefined {
    const cluster = this.ctx.cluster;
    if (!cluster) return attachment ? undefined : DEFAULT_SUBNET;
    if (attachment) return cluster.subnets.find((x) => x.provider === `${attachment.nad}.${attachment.namespace}.ovn`)?.name;
    return (this.subnetOfNamespace(vm.namespace ?? 'default') ?? this.clusterDefault())?.name ?? DEFAULT_SUBNET;
  }

  notePinned(subnet: string, ip: ParsedIp): void {
    const list = this.pinnedInFile.get(subnet) ?? [];
    list.push(ip);
    this.pinnedInFile.set(subnet, list);
  }

  /** every address held by an IP object → the objects holding it (built once per analysis) */
  private byAddress: Map<string, IpInUse[]> | undefined;

  private addressIndex(): Map<string, IpInUse[]> {
    if (this.byAddress) return this.byAddress;
    const m = new Map<string, IpInUse[]>();
    for (const o of this.ctx.cluster?.ips ?? []) {
      for (const a of o.addresses) {
        for (const part of a.split(',')) {
          const p = parseIp(part);
          if (!p) continue;
          const key = formatIp(p);
          const list = m.get(key);
          if (list) list.push(o);
          else m.set(key, [o]);
        }
      }
    }
    this.byAddress = m;
    return m;
  }

  /** IP objects in the cluster holding this address, other than the VM's own. */
  usedBy(ip: ParsedIp, vm: VmDocInfo): string | undefined {
    for (const o of this.addressIndex().get(formatIp(ip)) ?? []) {
      if (o.podName === vm.name && (o.namespace ?? 'default') === (vm.namespace ?? 'default')) continue;
      return o.podName ? `${o.name} (${o.namespace ?? 'default'}/${o.podName})` : o.name;
    }
    return undefined;
  }

  /** Next free address of the subnet's first family, or undefined when unknown or full. */
  suggest(subnet: ResolvedSubnet): string | undefined {
    const cidr = subnet.cidrs?.[0];
    if (!cidr) return undefined;
    const key = `${subnet.how === 'manual' ? 'manual:' : ''}${subnet.name}`;
    if (this.nextFree.has(key)) return this.nextFree.get(key) ?? undefined;
    const used: ParsedIp[] = [...(this.pinnedInFile.get(subnet.name) ?? [])];
    for (const o of this.ctx.cluster?.ips ?? []) {
      if (o.subnet !== undefined && o.subnet !== subnet.name) continue;
      for (const a of o.addresses) for (const part of a.split(',')) { const p = parseIp(part); if (p) used.push(p); }
    }
    const ip = nextFreeIp({ cidr, gateway: subnet.gateways.find((g) => g.family === cidr.family), exclude: subnet.exclude, used });
    const text = ip ? formatIp(ip) : undefined;
    this.nextFree.set(key, text ?? null);
    return text;
  }

  /** The VPC a namespace is bound to (Vpc spec.namespaces), if any. */
  vpcOfNamespace(ns: string): string | undefined {
    return this.ctx.cluster?.vpcs?.find((v) => v.namespaces?.includes(ns))?.name;
  }
}

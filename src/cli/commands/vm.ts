// `ovnlab vm lint|pin-ip|enable-migration`: the VM YAML checks and edits of the editor, for
// pipelines (GitOps repos lint their VM YAML in CI) and scripts. Edits rewrite only the bytes
// they must, so comments and formatting survive; nothing is written when the check of an edit
// fails.
import { readFile, writeFile } from 'node:fs/promises';
import type { CliCommand, CliIo } from '../command';
import { UsageError } from '../command';
import type { AnalysisContext, ClusterFacts, ManualSubnet } from '../../yaml/cluster-facts';
import { parseCidrList, parseIpRanges } from '../../yaml/ip-range';
import { parseVersion } from '../../yaml/kube-ovn-version';
import { applyEdits, EditError, type TextEdit } from '../../yaml/text-edits';
import { analyzeVmDocuments, type VmDiagnostic } from '../../yaml/vm-analysis';
import type { VmDocInfo, VmRef } from '../../yaml/vm-documents';
import { enableMigrationEdits, pinIpEdits, type EditResult } from '../../yaml/vm-edits';

type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

const str = (v: Values, k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);

/** Cluster facts from a kubeconfig: Subnets, IPs, Vpcs and the Kube-OVN version, read once. */
async function clusterFacts(kubeconfig: string | undefined, context: string | undefined, io: CliIo): Promise<ClusterFacts> {
  const { KubeClient } = await import('../../k8s/kube-client');
  const { RESOURCES, resourcePath } = await import('../../k8s/resource-catalogue');
  const { snapshotFrom } = await import('../../k8s/cluster-snapshot');
  const { clusterFactsFromSnapshot } = await import('../../k8s/cluster-facts');
  const { detectKubeOvnVersion } = await import('../../k8s/kube-ovn-version');
  let client: InstanceType<typeof KubeClient>;
  try {
    client = KubeClient.fromKubeconfig({ kubeconfig, context, env: io.env });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const list = async (def: (typeof RESOURCES)[keyof typeof RESOURCES]) =>
    ((await client.request<{ items?: unknown[] }>('GET', resourcePath(def), { signal: io.signal })).items ?? []);
  const [subnets, ips, vpcs, version] = await Promise.all([
    list(RESOURCES.subnets), list(RESOURCES.ips), list(RESOURCES.vpcs),
    detectKubeOvnVersion(client, { signal: io.signal }),
  ]);
  const snap = snapshotFrom({ subnets, ips, vpcs } as Parameters<typeof snapshotFrom>[0]);
  return clusterFactsFromSnapshot(snap, { source: `context ${client.context}`, kubeOvnVersion: version.known ? version.version : undefined });
}

async function contextFrom(v: Values, io: CliIo): Promise<AnalysisContext> {
  const ctx: AnalysisContext = {};
  const version = str(v, 'kube-ovn-version');
  if (version !== undefined) {
    if (!parseVersion(version)) throw new UsageError(`--kube-ovn-version "${version}" is not a version: give one like v1.13.0`);
    ctx.kubeOvnVersion = version;
  }
  const cidr = str(v, 'subnet-cidr');
  const exclude = str(v, 'exclude');
  if (exclude !== undefined && cidr === undefined) throw new UsageError('--exclude needs --subnet-cidr (the subnet the excluded IPs belong to)');
  if (cidr !== undefined) {
    if (!parseCidrList(cidr)) throw new UsageError(`--subnet-cidr "${cidr}" is not a CIDR: give one like 10.16.0.0/16`);
    const m: ManualSubnet = { cidrBlock: cidr };
    if (exclude !== undefined) {
      const { bad } = parseIpRanges([exclude]);
      if (bad.length > 0) throw new UsageError(`--exclude: "${bad[0]}" is neither an IP nor a range like 10.16.0.1..10.16.0.10`);
      m.excludeIps = exclude.split(',').map((s) => s.trim()).filter(Boolean);
    }
    const subnet = str(v, 'subnet');
    if (subnet) m.name = subnet;
    ctx.manualSubnet = m;
  }
  const kubeconfig = str(v, 'kubeconfig');
  if (kubeconfig !== undefined || str(v, 'context') !== undefined) {
    ctx.cluster = await clusterFacts(kubeconfig, str(v, 'context'), io);
  }
  return ctx;
}

async function readText(file: string, io: CliIo): Promise<string> {
  if (file === '-') return io.readStdin();
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${(e as Error).message})`);
  }
}

function formatDiagnostic(file: string, d: VmDiagnostic): string {
  const fixes = d.fixes.length > 0 ? `  [fix: ${d.fixes.map((f) => f.title).join('; ')}]` : '';
  return `${file}:${d.range.startPos.line + 1}:${d.range.startPos.character + 1}: ${d.severity} ${d.code}: ${d.message}${fixes}`;
}

function parseVmArg(v: Values): VmRef {
  const vm = str(v, 'vm');
  if (!vm) throw new UsageError('--vm NAME is required (NAMESPACE/NAME when several VMs share the name)');
  const [namespace, name] = vm.includes('/') ? vm.split('/', 2) : [undefined, vm];
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || (namespace !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace))) {
    throw new UsageError(`--vm "${vm}" is not a VM name (lowercase letters, digits, "-" and ".")`);
  }
  return { name, namespace, offset: 0 };
}

function findVm(vms: VmDocInfo[], ref: VmRef, file: string): VmDocInfo {
  const hits = vms.filter((x) => x.name === ref.name && (ref.namespace === undefined || (x.namespace ?? 'default') === ref.namespace));
  if (hits.length === 0) {
    const names = vms.map((x) => (x.namespace ? `${x.namespace}/${x.name}` : x.name));
    throw new UsageError(`${file}: no VirtualMachine "${ref.name}"${names.length ? ` (VMs here: ${names.join(', ')})` : ' (no VirtualMachine documents found)'}`, 1);
  }
  if (hits.length > 1) throw new UsageError(`${file}: ${hits.length} VirtualMachines are named "${ref.name}": pass --vm NAMESPACE/NAME`);
  return hits[0];
}

async function writeResult(file: string, text: string, edits: TextEdit[], summary: string, v: Values, io: CliIo): Promise<number> {
  const out = applyEdits(text, edits);
  if (v['dry-run']) {
    io.out(v.json ? JSON.stringify({ file, summary, edits, changed: out !== text }, null, 2) : out);
    return 0;
  }
  if (file === '-') io.out(out);
  else if (out !== text) await writeFile(file, out, 'utf8');
  if (file !== '-') io.out(v.json ? JSON.stringify({ file, summary, edits, changed: out !== text }, null, 2) : out === text ? `${file}: already so, nothing written` : `${file}: ${summary}`);
  return 0;
}

function editOrUsage(f: () => EditResult): EditResult {
  try {
    return f();
  } catch (e) {
    if (e instanceof EditError) throw new UsageError(e.message, 1);
    throw e;
  }
}

const clusterOptions = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'kube-ovn-version': { type: 'string' },
} as const;

export const vmCommands: CliCommand[] = [
  {
    path: ['vm', 'lint'],
    summary: 'check KubeVirt VM YAML for Kube-OVN mistakes (exit 1 on errors)',
    usage: 'vm lint FILE… [--kubeconfig K] [--context C] [--subnet-cidr CIDR [--exclude IPS]] [--kube-ovn-version V] [--json]',
    options: { ...clusterOptions, 'subnet-cidr': { type: 'string' }, exclude: { type: 'string' }, subnet: { type: 'string' } },
    async run(v, files, io) {
      if (files.length === 0) throw new UsageError('vm lint needs at least one FILE (or - for stdin)');
      const ctx = await contextFrom(v, io);
      let errors = 0;
      const report: { file: string; vms: number; diagnostics: VmDiagnostic[] }[] = [];
      for (const file of files) {
        const text = await readText(file, io);
        const a = analyzeVmDocuments(text, ctx);
        errors += a.diagnostics.filter((d) => d.severity === 'error').length;
        report.push({ file, vms: a.vms.length, diagnostics: a.diagnostics });
        if (!v.json) for (const d of a.diagnostics) io.out(formatDiagnostic(file, d));
      }
      if (v.json) io.out(JSON.stringify({ errors, files: report }, null, 2));
      else {
        const vms = report.reduce((n, r) => n + r.vms, 0);
        const warnings = report.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === 'warning').length, 0);
        io.out(`${vms} VM${vms === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
      }
      return errors > 0 ? 1 : 0;
    },
  },
  {
    path: ['vm', 'pin-ip'],
    summary: "pin a VM's IP (ovn.kubernetes.io/ip_address on spec.template.metadata), editing FILE in place",
    usage: 'vm pin-ip FILE --vm NAME (--ip IP | --next-free) [--subnet S] [--attachment NS/NAD] [--subnet-cidr CIDR [--exclude IPS]] [--kubeconfig K] [--dry-run]',
    options: { ...clusterOptions, vm: { type: 'string' }, ip: { type: 'string' }, 'next-free': { type: 'boolean' }, subnet: { type: 'string' }, attachment: { type: 'string' }, 'subnet-cidr': { type: 'string' }, exclude: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    async run(v, files, io) {
      if (files.length !== 1) throw new UsageError('vm pin-ip takes one FILE');
      const ip = str(v, 'ip');
      if (!ip === !v['next-free']) throw new UsageError('give either --ip IP or --next-free');
      const ref = parseVmArg(v);
      const file = files[0];
      const text = await readText(file, io);
      const ctx = await contextFrom(v, io);
      const attText = str(v, 'attachment');
      let attachment: { nad: string; namespace: string } | undefined;
      if (attText !== undefined) {
        const m = /^(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(attText);
        if (!m) throw new UsageError(`--attachment "${attText}" is not NAMESPACE/NAD or NAD`);
        attachment = { nad: m[3], namespace: m[1] ?? '' };
      }
      const analysis = analyzeVmDocuments(text, ctx);
      const vm = findVm(analysis.vms, ref, file);
      if (attachment && !attachment.namespace) attachment.namespace = vm.namespace ?? 'default';
      const subnet = str(v, 'subnet');
      if (subnet && ctx.cluster && !ctx.cluster.subnets.some((s) => s.name === subnet)) {
        throw new UsageError(`Subnet "${subnet}" does not exist in ${ctx.cluster.source} (subnets: ${ctx.cluster.subnets.map((s) => s.name).join(', ')})`, 1);
      }
      let chosen = ip;
      if (!chosen) {
        // the next free IP of the target subnet, as the lens would offer it
        let probe = text;
        if (subnet) probe = applyEdits(text, editOrUsage(() => pinIpEdits(text, vm.ref, { ip: '0.0.0.0', subnet, attachment })).edits);
        const again = analyzeVmDocuments(probe, subnet && ctx.manualSubnet ? { ...ctx, manualSubnet: { ...ctx.manualSubnet, name: subnet } } : ctx);
        const lens = again.lenses.find((l) => l.kind === 'pin-ip' && l.args[0].vm.name === vm.name && l.args[0].vm.namespace === vm.namespace
          && (l.args[0].attachment?.nad ?? '') === (attachment?.nad ?? ''));
        chosen = lens?.args[0].suggestedIp;
        if (!chosen) {
          throw new UsageError(ctx.cluster || ctx.manualSubnet ? 'no free IP left in the subnet' : '--next-free needs the subnet: pass --kubeconfig K, or --subnet-cidr CIDR [--exclude IPS]', ctx.cluster || ctx.manualSubnet ? 1 : 2);
        }
      }
      const res = editOrUsage(() => pinIpEdits(text, vm.ref, { ip: chosen, subnet, attachment }));
      // the pinned IP must pass the same checks lint makes
      const after = analyzeVmDocuments(applyEdits(text, res.edits), ctx);
      const bad = after.diagnostics.filter((d) => d.severity === 'error' && d.code.startsWith('ip-') && d.vm === (vm.namespace ? `${vm.namespace}/${vm.name}` : vm.name));
      if (bad.length > 0) throw new UsageError(`not pinned: ${bad[0].message}`, 1);
      return writeResult(file, text, res.edits, res.summary, v, io);
    },
  },
  {
    path: ['vm', 'enable-migration'],
    summary: 'make a VM live-migratable the way its Kube-OVN version needs, editing FILE in place',
    usage: 'vm enable-migration FILE --vm NAME [--kube-ovn-version V | --kubeconfig K] [--attachment NAME] [--dry-run]',
    options: { ...clusterOptions, vm: { type: 'string' }, attachment: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    async run(v, files, io) {
      if (files.length !== 1) throw new UsageError('vm enable-migration takes one FILE');
      const ref = parseVmArg(v);
      const file = files[0];
      const text = await readText(file, io);
      const ctx = await contextFrom(v, io);
      const vm = findVm(analyzeVmDocuments(text, {}).vms, ref, file);
      const version = ctx.kubeOvnVersion ?? ctx.cluster?.kubeOvnVersion;
      const res = editOrUsage(() => enableMigrationEdits(text, vm.ref, { kubeOvnVersion: version, attachment: str(v, 'attachment') }));
      if (!version && !v.json) io.err('ovnlab: no Kube-OVN version given: writing the v1.13.0+ form (pass --kube-ovn-version for older clusters)');
      return writeResult(file, text, res.edits, res.summary, v, io);
    },
  },
];

// Completions and hovers for VM annotations, as plain data: the editor adapter turns these into
// CompletionItems and Hovers without knowing anything about Kube-OVN.
import { annotationKey, annotationSpec, KUBE_OVN_ANNOTATIONS, KUBEVIRT_BRIDGE_MIGRATION_KEY, parseAnnotationKey, type AnnotationValueKind } from './annotation-catalogue';
import { DEFAULT_VPC, type AnalysisContext } from './cluster-facts';
import { SubnetBook } from './subnet-facts';
import type { VmAnalysis } from './vm-analysis';
import type { OffsetRange, VmDocInfo } from './vm-documents';

export interface KeyCompletion {
  key: string;
  /** one line for the completion list */
  detail: string;
  /** markdown for the documentation pane */
  documentation: string;
  valueKind: AnnotationValueKind;
}

export interface ValueCompletion {
  value: string;
  detail: string;
}

/**
 * Annotation keys worth offering on a VM's spec.template.metadata.annotations: Kube-OVN's keys
 * for the pod network and for each of the VM's Multus attachments, and KubeVirt's migration switch.
 * Keys written by Kube-OVN itself and removed keys are left out.
 */
export function annotationKeyCompletions(vm?: VmDocInfo): KeyCompletion[] {
  const attachments = [undefined, ...(vm?.networks ?? []).filter((n) => n.type === 'multus' && n.attachment).map((n) => n.attachment)];
  const out: KeyCompletion[] = [];
  for (const att of attachments) {
    for (const a of KUBE_OVN_ANNOTATIONS) {
      if (a.setByKubeOvn || a.removedIn || (a.attachmentOnly && !att)) continue;
      out.push({
        key: annotationKey(a.name, att),
        detail: att ? `Kube-OVN, attachment ${att.namespace}/${att.nad}` : 'Kube-OVN, pod network',
        documentation: a.description,
        valueKind: a.value,
      });
    }
  }
  out.push({ key: KUBEVIRT_BRIDGE_MIGRATION_KEY, detail: 'KubeVirt', documentation: 'Set to "true" to live-migrate a VM whose pod network uses bridge binding (Kube-OVN ≥ v1.13.0 relies on it).', valueKind: 'bool' });
  return out;
}

/** Markdown describing an annotation key, or undefined for keys we know nothing about. */
export function annotationHover(key: string): string | undefined {
  if (key === KUBEVIRT_BRIDGE_MIGRATION_KEY) return `**${key}** (KubeVirt)\n\nSet to "true" to allow live migration over the pod network with bridge binding.`;
  const parsed = parseAnnotationKey(key);
  if (!parsed) return undefined;
  const spec = annotationSpec(parsed.name);
  const where = parsed.attachment ? `attachment ${parsed.attachment.namespace}/${parsed.attachment.nad}` : 'pod network';
  if (!spec) return `**${key}**\n\nNot a Kube-OVN annotation Kube-OVN knows (${where}).`;
  const notes = [spec.setByKubeOvn ? 'Written by Kube-OVN; do not set it by hand.' : '', spec.removedIn ? `Removed after Kube-OVN ${spec.removedIn}.` : ''].filter(Boolean);
  return `**${key}** (Kube-OVN, ${where})\n\n${spec.description}${notes.length ? `\n\n${notes.join(' ')}` : ''}`;
}

/**
 * Values to offer for a key: subnet names (with VPC and CIDR) for logical_switch, the next free
 * IP for ip_address, "true"/"false" for switches. Empty when nothing useful is known.
 */
export function annotationValueCompletions(key: string, vm: VmDocInfo | undefined, ctx: AnalysisContext): ValueCompletion[] {
  if (key === KUBEVIRT_BRIDGE_MIGRATION_KEY) return [{ value: 'true', detail: 'allow live migration' }];
  const parsed = parseAnnotationKey(key);
  const spec = parsed && annotationSpec(parsed.name);
  if (!parsed || !spec) return [];
  if (spec.value === 'subnet') {
    return (ctx.cluster?.subnets ?? []).map((s) => ({ value: s.name, detail: `${s.cidrBlock} · VPC ${s.vpc || 'ovn-cluster'}${s.provider && s.provider !== 'ovn' ? ` · provider ${s.provider}` : ''}` }));
  }
  if ((spec.value === 'ip' || spec.value === 'ip-list') && parsed.name === 'ip_address' && vm) {
    const book = new SubnetBook(ctx);
    const subnet = book.resolve(vm, parsed.attachment);
    const ip = book.suggest(subnet);
    return ip ? [{ value: ip, detail: `next free IP in ${subnet.name} (${subnet.facts?.cidrBlock})` }] : [];
  }
  if (spec.value === 'bool') return [{ value: 'true', detail: '' }, { value: 'false', detail: '' }];
  return [];
}

/** What the editor offers at a place in the text: annotation keys, or values for one key. */
export type CompletionsAt =
  | { kind: 'key'; vm: VmDocInfo; range: OffsetRange; items: KeyCompletion[] }
  | {
    kind: 'value'; vm: VmDocInfo; key: string; range: OffsetRange; items: ValueCompletion[];
    /** why values a cluster would give are missing ("no cluster connected …"), for the user */
    note?: string;
  };

export interface HoverAt {
  range: OffsetRange;
  markdown: string;
}

const KEY_TYPED = /^([ \t]*)(["']?)([\w./-]*)$/;
const VALUE_TYPED = /^([ \t]*)(["']?)([\w./-]+)\2[ \t]*:[ \t]+(["']?)([^"'#\s]*)$/;

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function vmAt(vms: readonly VmDocInfo[], offset: number): VmDocInfo | undefined {
  // a VM's range ends at its last value; a new line typed below it still belongs to it
  let best: VmDocInfo | undefined;
  for (const v of vms) if (v.range.start <= offset && offset <= v.docRange.end) best = v;
  return best;
}

/**
 * True when `offset` is on a line of the VM's spec.template.metadata.annotations block (or just
 * below its last entry, with nothing but blank lines between), at the block's key indentation.
 */
function inTemplateAnnotations(text: string, vm: VmDocInfo, ls: number, indent: number): boolean {
  const r = vm.templateAnnotationsRange;
  if (r) {
    const first = vm.annotations.find((a) => a.on === 'template');
    const col = first ? first.keyRange.start - lineStart(text, first.keyRange.start) : -1;
    if (ls < lineStart(text, r.start)) return false;
    if (ls <= r.end) return col < 0 || indent === col;
    return text.slice(r.end, ls).trim() === '' && indent === col;
  }
  // `annotations:` with nothing under it yet: the line above says so
  const prevEnd = ls - 1;
  if (prevEnd <= 0) return false;
  let p = lineStart(text, prevEnd);
  while (p > vm.range.start && text.slice(p, prevEnd).trim() === '') p = lineStart(text, p - 1);
  const prev = text.slice(p, text.indexOf('\n', p) < 0 ? text.length : text.indexOf('\n', p)).replace(/\r$/, '');
  const m = /^([ \t]*)annotations:[ \t]*(#.*)?$/.exec(prev);
  return !!m && m[1].length < indent && p > vm.range.start && /\btemplate:/.test(text.slice(vm.range.start, p));
}

/**
 * Completions for the place `offset` in `text`, given the analysis's VMs (and lenses, whose
 * next free IPs already account for every IP pinned in the file). Undefined when the place is
 * not an annotation key or value of a VM's template.
 */
export function completionsAt(text: string, offset: number, analysis: Pick<VmAnalysis, 'vms' | 'lenses'>, ctx: AnalysisContext): CompletionsAt | undefined {
  const vm = vmAt(analysis.vms, offset);
  if (!vm) return undefined;
  const ls = lineStart(text, offset);
  const before = text.slice(ls, offset);
  const v = VALUE_TYPED.exec(before);
  if (v) {
    const indent = v[1].length;
    if (!inTemplateAnnotations(text, vm, ls, indent)) return undefined;
    const key = v[3];
    const range = { start: offset - v[5].length, end: offset };
    let items = annotationValueCompletions(key, vm, ctx);
    const parsed = parseAnnotationKey(key);
    const spec = parsed && annotationSpec(parsed.name);
    if (parsed?.name === 'ip_address') {
      // the lens's suggestion skips IPs pinned anywhere in the file, not only in the cluster
      const lens = analysis.lenses.find((l) => l.kind === 'pin-ip' && l.args[0].vm.offset === vm.ref.offset
        && l.args[0].attachment?.nad === parsed.attachment?.nad && l.args[0].attachment?.namespace === parsed.attachment?.namespace);
      const ip = lens?.args[0].suggestedIp;
      if (ip) items = [{ value: ip, detail: `next free IP in ${lens.args[0].subnet}` }];
    }
    let note: string | undefined;
    if (!ctx.cluster && (spec?.value === 'subnet' || parsed?.name === 'ip_address') && items.length === 0) {
      note = spec?.value === 'subnet'
        ? 'no cluster connected: connect one (or start the lab) to list its subnets'
        : 'no cluster connected: connect one (or start the lab) to get the next free IP';
    }
    return { kind: 'value', vm, key, range, items, note };
  }
  const k = KEY_TYPED.exec(before);
  if (!k) return undefined;
  if (!inTemplateAnnotations(text, vm, ls, k[1].length)) return undefined;
  // keys the block already has (on other lines) are not offered again
  const present = new Set(vm.annotations.filter((a) => a.on === 'template' && !(ls <= a.keyRange.start && a.keyRange.start <= offset)).map((a) => a.key));
  return {
    kind: 'key',
    vm,
    range: { start: offset - k[3].length, end: offset },
    items: annotationKeyCompletions(vm).filter((c) => !present.has(c.key)),
  };
}

/** Hover text for an annotation key of a VM, or for the subnet / IP value it holds. */
export function hoverAt(offset: number, vms: readonly VmDocInfo[], ctx: AnalysisContext): HoverAt | undefined {
  const vm = vmAt(vms, offset);
  if (!vm) return undefined;
  for (const a of vm.annotations) {
    if (a.keyRange.start <= offset && offset <= a.keyRange.end) {
      const md = annotationHover(a.key);
      if (!md) return undefined;
      const where = a.on === 'vm' && parseAnnotationKey(a.key) ? '\n\n⚠ On the VirtualMachine\'s own metadata nobody reads it: it belongs on spec.template.metadata.annotations.' : '';
      return { range: a.keyRange, markdown: md + where };
    }
    if (a.valueRange && a.valueRange.start <= offset && offset <= a.valueRange.end) {
      const md = valueHover(a.key, a.value, vm, ctx);
      return md ? { range: a.valueRange, markdown: md } : undefined;
    }
  }
  return undefined;
}

function valueHover(key: string, value: string, vm: VmDocInfo, ctx: AnalysisContext): string | undefined {
  const parsed = parseAnnotationKey(key);
  if (!parsed) return undefined;
  if (parsed.name === 'logical_switch') {
    if (!ctx.cluster) return `Subnet **${value}**\n\nNo cluster connected: its CIDR and VPC are unknown here.`;
    const s = ctx.cluster.subnets.find((x) => x.name === value);
    if (!s) return `Subnet **${value}** does not exist in ${ctx.cluster.source}.`;
    const lines = [`Subnet **${s.name}** (${ctx.cluster.source})`, '', `- CIDR: ${s.cidrBlock}`, `- VPC: ${s.vpc || DEFAULT_VPC}`];
    if (s.gateway) lines.push(`- gateway: ${s.gateway}`);
    if (s.excludeIps?.length) lines.push(`- excludeIps: ${s.excludeIps.join(', ')}`);
    if (s.provider && s.provider !== 'ovn') lines.push(`- provider: ${s.provider}`);
    return lines.join('\n');
  }
  if (parsed.name === 'ip_address') {
    const book = new SubnetBook(ctx);
    const subnet = book.resolve(vm, parsed.attachment);
    if (!subnet.facts) return `IP **${value}** in subnet ${subnet.name}\n\nNo cluster connected: the subnet's CIDR is unknown here, so the IP is not checked against it.`;
    return `IP **${value}** in subnet **${subnet.name}** (${subnet.facts.cidrBlock}, VPC ${subnet.vpc})`;
  }
  return undefined;
}

// Completions and hovers for VM annotations, as plain data: the editor adapter turns these into
// CompletionItems and Hovers without knowing anything about Kube-OVN.
import { annotationKey, annotationSpec, KUBE_OVN_ANNOTATIONS, KUBEVIRT_BRIDGE_MIGRATION_KEY, parseAnnotationKey, type AnnotationValueKind } from './annotation-catalogue';
import type { AnalysisContext } from './cluster-facts';
import { SubnetBook } from './subnet-facts';
import type { VmDocInfo } from './vm-documents';

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

// Edits on one VM: pin/unpin an IP, choose the subnet, enable live migration, and the quick fixes
// behind the diagnostics. Each returns minimal text edits ({offset, length, newText}) that an
// editor applies as one WorkspaceEdit and the CLI applies to the file. Explicit edits are checked
// by re-parsing (edit-check.ts) before they are returned.
import { annotationKey, KUBEVIRT_BRIDGE_MIGRATION_KEY } from './annotation-catalogue';
import { checkEdits } from './edit-check';
import { parseIp } from './ip-range';
import { parseVersion, usesLegacyMigration } from './kube-ovn-version';
import {
  EditError, eolOf, fillEmptyPair, formatScalar, indentStep, insertIntoMap, lineStartOf, quoteUsedIn,
  removePair, renameKey, replaceScalar, type InsertStyle, type Quote, type TextEdit,
} from './text-edits';
import { findVms, vmLabel, type FoundVm, type VmRef } from './vm-documents';
import { parseYamlDocumentAt, parseYamlStream } from './yaml-stream';
import { VM_SELECTION } from './fast-scan';
import { asMap, asSeq, getIn, getPair, scalarValue, type YMap } from './yaml-tree';
import { isScalar, type Document } from 'yaml';

export interface EditResult {
  edits: TextEdit[];
  /** one line saying what was written, for the CLI and the editor's status message */
  summary: string;
}

/** Finds the VM again in the current text: first where it was, then anywhere in the file. */
export function locateVm(text: string, ref: VmRef): FoundVm {
  const same = (f: FoundVm) => f.info.name === ref.name && (ref.namespace === undefined || f.info.namespace === ref.namespace);
  const near = parseYamlDocumentAt(text, Math.min(ref.offset, Math.max(0, text.length - 1)));
  if (near) {
    const hit = findVms([near]).filter(same);
    if (hit.length === 1) return hit[0];
  }
  const all = findVms(parseYamlStream(text, { select: VM_SELECTION })).filter(same);
  if (all.length === 0) throw new EditError(`no VirtualMachine named "${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}" in this file`);
  if (all.length > 1) throw new EditError(`${all.length} VirtualMachines are named "${ref.name}": say which one as NAMESPACE/NAME`);
  // edits need the whole document, not the selection
  const full = parseYamlDocumentAt(text, all[0].info.range.start);
  const again = full ? findVms([full]).filter(same) : [];
  if (again.length !== 1) throw new EditError(`internal: VM "${ref.name}" could not be read again`);
  return again[0];
}

function styleFor(text: string, found: FoundVm): InsertStyle {
  return { eol: eolOf(text, found.nodes.doc.start), step: indentStep(found.nodes.doc.root) };
}

export interface AnnotationChange {
  key: string;
  /** null removes the key */
  value: string | null;
}

/** Path of the template annotations from the document root, for the Document API check. */
function annPath(found: FoundVm): (string | number)[] {
  return [...found.nodes.path, 'spec', 'template', 'metadata', 'annotations'];
}

/**
 * Sets and removes keys of spec.template.metadata.annotations, creating `metadata:` and
 * `annotations:` when missing and dropping `annotations:` when it ends up empty.
 */
export function annotationEdits(text: string, found: FoundVm, changes: readonly AnnotationChange[], defaultQuote: Quote = '"'): TextEdit[] {
  const s = styleFor(text, found);
  const vm = found.nodes.vm;
  const template = asMap(getIn(vm, ['spec', 'template']));
  if (!template) throw new EditError(`VM ${vmLabel(found.info)} has no spec.template: add one first`);
  const tmetaPair = getPair(template, 'metadata');
  const tmeta = asMap(tmetaPair?.value);
  const annPair = getPair(tmeta, 'annotations');
  const ann = asMap(annPair?.value);
  const quote = quoteUsedIn(ann) ?? defaultQuote;
  const siblingsQuoted = quoteUsedIn(ann) !== undefined;
  const keyQuote = ann?.pairs.find((p) => p.key.style === 'double' || p.key.style === 'single')?.key.style;
  const keyText = (k: string) => (keyQuote === 'double' ? JSON.stringify(k) : keyQuote === 'single' ? formatScalar(k, "'", true) : formatScalar(k, quote));
  const line = (c: AnnotationChange) => `${keyText(c.key)}: ${formatScalar(c.value ?? '', quote, siblingsQuoted)}`;
  const adds = changes.filter((c) => c.value !== null);
  const edits: TextEdit[] = [];
  if (ann && ann.pairs.length > 0) {
    const toAdd: AnnotationChange[] = [];
    let removed = 0;
    for (const c of changes) {
      const pair = getPair(ann, c.key);
      if (!pair) {
        if (c.value !== null) toAdd.push(c);
        continue;
      }
      if (c.value === null) {
        removed++;
        continue;
      }
      if (pair.value?.kind === 'scalar') {
        if (pair.value.value !== c.value) edits.push(replaceScalar(pair.value, c.value, quote));
      } else if (!pair.value) {
        edits.push({ offset: pair.colonEnd, length: 0, newText: ` ${formatScalar(c.value, quote, siblingsQuoted)}` });
      } else {
        throw new EditError(`annotation ${c.key} holds a map or list; annotations are strings`);
      }
    }
    const remaining = ann.pairs.filter((p) => !changes.some((c) => c.value === null && c.key === p.key.value));
    if (removed > 0 && remaining.length === 0 && toAdd.length === 0) {
      return removeMapPairUpwards(text, tmeta!, annPair!, template);
    }
    for (const p of ann.pairs) if (!remaining.includes(p)) edits.push(removePair(text, ann, p));
    if (toAdd.length > 0) edits.push(insertIntoMap(text, ann, [], toAdd.map(line), s, toAdd.map(line)));
    return edits;
  }
  if (adds.length === 0) return [];
  const leaf = adds.map(line);
  if (annPair) {
    if (ann && ann.flow) return [insertIntoMap(text, ann, [], leaf, s)];
    return [fillEmptyPair(text, annPair, tmeta!.indent, [], leaf, s)];
  }
  if (tmeta) return [insertIntoMap(text, tmeta, ['annotations'], leaf, s)];
  if (tmetaPair) return [fillEmptyPair(text, tmetaPair, template.indent, ['annotations'], leaf, s)];
  // no template metadata yet: put it first in the template, where people expect it
  if (template.flow) throw new EditError('spec.template is written in flow style ({…}); write it as a block to edit it');
  const first = template.pairs[0];
  const ls = lineStartOf(text, first.key.start);
  if (text.slice(ls, first.key.start).trim() !== '') return [insertIntoMap(text, template, ['metadata', 'annotations'], leaf, s)];
  const body = [`metadata:`, `${' '.repeat(s.step)}annotations:`, ...leaf.map((l) => `${' '.repeat(2 * s.step)}${l}`)];
  return [{ offset: ls, length: 0, newText: body.map((l) => ' '.repeat(template.indent) + l + s.eol).join('') }];
}

/** Removes `annotations:` and, when that empties the template's metadata, `metadata:` too. */
function removeMapPairUpwards(text: string, tmeta: YMap, annPair: NonNullable<ReturnType<typeof getPair>>, template: YMap): TextEdit[] {
  if (tmeta.pairs.length === 1) {
    const mp = getPair(template, 'metadata');
    if (mp && template.pairs.length > 1) return [removePair(text, template, mp)];
  }
  return [removePair(text, tmeta, annPair)];
}

/** Mirrors annotationEdits on a yaml Document, for the re-parse check. */
function applyAnnotationChanges(doc: Document.Parsed, found: FoundVm, changes: readonly AnnotationChange[]): void {
  const path = annPath(found);
  // `metadata:` / `annotations:` with nothing after them are null scalars to the Document API
  for (let i = found.nodes.path.length + 3; i <= path.length; i++) {
    const node = doc.getIn(path.slice(0, i), true);
    if (isScalar(node) && (node.value === null || node.value === '')) doc.setIn(path.slice(0, i), doc.createNode({}));
  }
  let removed = false;
  for (const c of changes) {
    if (c.value !== null) doc.setIn([...path, c.key], c.value);
    else if (doc.hasIn([...path, c.key])) { doc.deleteIn([...path, c.key]); removed = true; }
  }
  const js = doc.getIn(path) as { items?: unknown[] } | undefined;
  if (removed && js && Array.isArray(js.items) && js.items.length === 0) {
    doc.deleteIn(path);
    const meta = doc.getIn(path.slice(0, -1)) as { items?: unknown[] } | undefined;
    const template = doc.getIn(path.slice(0, -2)) as { items?: unknown[] } | undefined;
    // as removeMapPairUpwards: metadata goes too when the template keeps other keys, else it stays empty
    if (meta && Array.isArray(meta.items) && meta.items.length === 0) {
      if (template?.items && template.items.length > 1) doc.deleteIn(path.slice(0, -1));
      else doc.setIn(path.slice(0, -1), null);
    }
  }
}

function checked(text: string, found: FoundVm, edits: TextEdit[], change: (doc: Document.Parsed) => void, extraDocs: unknown[] = []): TextEdit[] {
  if (edits.length === 0) return edits;
  checkEdits(text, found.nodes.doc, edits, change, extraDocs);
  return edits;
}

export interface Attachment {
  nad: string;
  namespace: string;
}

export interface PinIpOptions {
  ip: string;
  /** also write logical_switch (leave unset when the subnet is the namespace default) */
  subnet?: string;
  /** pin on this Multus attachment instead of the pod network */
  attachment?: Attachment;
}

export function pinIpEdits(text: string, ref: VmRef, opts: PinIpOptions): EditResult {
  for (const part of opts.ip.split(',')) {
    if (!parseIp(part)) throw new EditError(`"${opts.ip}" is not an IP address: give one like 10.16.0.15 (or "IPv4,IPv6" for dual stack)`);
  }
  if (opts.subnet !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(opts.subnet)) {
    throw new EditError(`"${opts.subnet}" is not a valid subnet name (lowercase letters, digits, "-" and ".")`);
  }
  const found = locateVm(text, ref);
  const changes: AnnotationChange[] = [{ key: annotationKey('ip_address', opts.attachment), value: opts.ip }];
  if (opts.subnet) changes.push({ key: annotationKey('logical_switch', opts.attachment), value: opts.subnet });
  const edits = annotationEdits(text, found, changes);
  return {
    edits: checked(text, found, edits, (d) => applyAnnotationChanges(d, found, changes)),
    summary: `${vmLabel(found.info)}: ${changes.map((c) => `${c.key}: ${c.value}`).join(', ')}`,
  };
}

export function unpinIpEdits(text: string, ref: VmRef, attachment?: Attachment): EditResult {
  const found = locateVm(text, ref);
  const changes: AnnotationChange[] = [{ key: annotationKey('ip_address', attachment), value: null }];
  const edits = annotationEdits(text, found, changes);
  return { edits: checked(text, found, edits, (d) => applyAnnotationChanges(d, found, changes)), summary: `${vmLabel(found.info)}: removed ${changes[0].key}` };
}

export function setSubnetEdits(text: string, ref: VmRef, subnet: string | null, attachment?: Attachment): EditResult {
  if (subnet !== null && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(subnet)) throw new EditError(`"${subnet}" is not a valid subnet name`);
  const found = locateVm(text, ref);
  const changes: AnnotationChange[] = [{ key: annotationKey('logical_switch', attachment), value: subnet }];
  const edits = annotationEdits(text, found, changes);
  return {
    edits: checked(text, found, edits, (d) => applyAnnotationChanges(d, found, changes)),
    summary: subnet === null ? `${vmLabel(found.info)}: subnet back to the namespace default` : `${vmLabel(found.info)}: ${changes[0].key}: ${subnet}`,
  };
}

export interface MigrationOptions {
  /** Kube-OVN version of the target cluster; unset means current (≥ v1.13.0) */
  kubeOvnVersion?: string;
  /** attachment name for the pre-v1.13 recipe (default "attachnet") */
  attachment?: string;
}

/** What enabling live migration writes, for the lens and the CLI. */
export function describeMigration(kubeOvnVersion: string | undefined, namespace: string | undefined, existing?: Attachment): string {
  const v = parseVersion(kubeOvnVersion);
  if (!v || !usesLegacyMigration(v)) return `spec.template.metadata.annotations: ${KUBEVIRT_BRIDGE_MIGRATION_KEY}: "true"`;
  const a = existing ?? { nad: 'attachnet', namespace: namespace ?? 'default' };
  const steps = existing ? '' : `NetworkAttachmentDefinition ${a.namespace}/${a.nad}, pod network → multus ${a.namespace}/${a.nad}, `;
  return `${steps}${a.nad}.${a.namespace}.ovn.kubernetes.io/allow_live_migration: 'true' and default_route: 'true' (Kube-OVN ${kubeOvnVersion} < v1.13.0)`;
}

export function enableMigrationEdits(text: string, ref: VmRef, opts: MigrationOptions = {}): EditResult {
  const found = locateVm(text, ref);
  const v = parseVersion(opts.kubeOvnVersion);
  if (opts.kubeOvnVersion !== undefined && !v) throw new EditError(`"${opts.kubeOvnVersion}" is not a Kube-OVN version: give one like v1.13.0`);
  if (!v || !usesLegacyMigration(v)) {
    const changes: AnnotationChange[] = [{ key: KUBEVIRT_BRIDGE_MIGRATION_KEY, value: 'true' }];
    // the removed per-attachment switch does nothing on these versions; drop it with the change
    for (const a of found.info.annotations) if (a.on === 'template' && /\.kubernetes\.io\/allow_live_migration$/.test(a.key)) changes.push({ key: a.key, value: null });
    const edits = annotationEdits(text, found, changes);
    return { edits: checked(text, found, edits, (d) => applyAnnotationChanges(d, found, changes)), summary: `${vmLabel(found.info)}: ${describeMigration(opts.kubeOvnVersion, found.info.namespace)}` };
  }
  return legacyMigrationEdits(text, found, opts);
}

/** Kube-OVN < v1.13.0: the pod network goes through a Kube-OVN attachment that allows migration. */
function legacyMigrationEdits(text: string, found: FoundVm, opts: MigrationOptions): EditResult {
  const s = styleFor(text, found);
  const ns = found.info.namespace ?? 'default';
  const vm = found.nodes.vm;
  const tspec = asMap(getIn(vm, ['spec', 'template', 'spec']));
  const nets = asSeq(getPair(tspec, 'networks')?.value);
  const existing = found.info.networks.find((n) => n.type === 'multus' && n.attachment);
  const attach = existing?.attachment ?? { nad: opts.attachment ?? 'attachnet', namespace: ns };
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(attach.nad)) throw new EditError(`"${attach.nad}" is not a valid attachment name`);
  const edits: TextEdit[] = [];
  const extraDocs: unknown[] = [];
  let netIndex = -1;
  if (!existing) {
    if (!nets) throw new EditError(`VM ${vmLabel(found.info)} lists no spec.template.spec.networks: add the pod network first`);
    netIndex = nets.items.findIndex((i) => getPair(i, 'pod'));
    const podNet = asMap(nets.items[netIndex]);
    const podPair = getPair(podNet, 'pod');
    if (!podNet || !podPair) throw new EditError(`VM ${vmLabel(found.info)} has no pod network to move onto the attachment`);
    const end = podPair.value ? podPair.value.end : podPair.colonEnd;
    edits.push({ offset: podPair.key.start, length: end - podPair.key.start, newText: `multus: {networkName: ${attach.namespace}/${attach.nad}}` });
    const haveNad = text.includes('NetworkAttachmentDefinition') && parseYamlStream(text, { select: VM_SELECTION }).some((d) => scalarValue(getPair(d.root, 'kind')?.value) === 'NetworkAttachmentDefinition'
      && scalarValue(getIn(d.root, ['metadata', 'name'])) === attach.nad && (scalarValue(getIn(d.root, ['metadata', 'namespace'])) ?? ns) === attach.namespace);
    if (!haveNad) {
      const provider = `${attach.nad}.${attach.namespace}.ovn`;
      const config = JSON.stringify({ cniVersion: '0.3.0', type: 'kube-ovn', server_socket: '/run/openvswitch/kube-ovn-daemon.sock', provider });
      const lines = ['---', 'apiVersion: k8s.cni.cncf.io/v1', 'kind: NetworkAttachmentDefinition', 'metadata:', `  name: ${attach.nad}`, `  namespace: ${attach.namespace}`, 'spec:', `  config: '${config}'`];
      const region = found.nodes.doc;
      const endsWithEol = region.end === 0 || text[region.end - 1] === '\n';
      edits.push({ offset: region.end, length: 0, newText: (endsWithEol ? '' : s.eol) + lines.join(s.eol) + s.eol });
      extraDocs.push({ apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: attach.nad, namespace: attach.namespace }, spec: { config } });
    }
  }
  const subnet = found.info.logicalSwitch?.value ?? 'ovn-default';
  const lsKey = annotationKey('logical_switch', attach);
  // an attachment that already names its subnet keeps it
  const hasLs = found.info.annotations.some((a) => a.on === 'template' && a.key === lsKey);
  const changes: AnnotationChange[] = [
    ...(hasLs ? [] : [{ key: lsKey, value: subnet }]),
    { key: annotationKey('allow_live_migration', attach), value: 'true' },
    { key: annotationKey('default_route', attach), value: 'true' },
  ].filter((c) => !found.info.annotations.some((a) => a.on === 'template' && a.key === c.key && a.value === c.value));
  edits.push(...annotationEdits(text, found, changes, "'"));
  const netPath = [...found.nodes.path, 'spec', 'template', 'spec', 'networks', netIndex];
  const result = checked(text, found, edits, (d) => {
    if (netIndex >= 0) {
      d.deleteIn([...netPath, 'pod']);
      d.setIn([...netPath, 'multus'], d.createNode({ networkName: `${attach.namespace}/${attach.nad}` }));
    }
    applyAnnotationChanges(d, found, changes);
  }, extraDocs);
  return { edits: result, summary: `${vmLabel(found.info)}: ${describeMigration(opts.kubeOvnVersion, attach.namespace, existing ? attach : undefined)}` };
}

/** Quick fix: `running: true|false` → `runStrategy: Always|Halted`. */
export function runStrategyFix(found: FoundVm): TextEdit[] {
  const spec = asMap(getPair(found.nodes.vm, 'spec')?.value);
  const pair = getPair(spec, 'running');
  if (!pair || pair.value?.kind !== 'scalar') return [];
  const strategy = pair.value.value === 'true' ? 'Always' : 'Halted';
  if (getPair(spec, 'runStrategy')) return [];
  return [renameKey(pair.key, 'runStrategy'), { offset: pair.value.start, length: pair.value.end - pair.value.start, newText: strategy }];
}

/** Quick fix: interfaces[].macAddress → `<provider>.kubernetes.io/mac_address` on the template. */
export function macAddressFix(text: string, found: FoundVm, networkName: string): TextEdit[] {
  const ifaces = asSeq(getIn(found.nodes.vm, ['spec', 'template', 'spec', 'domain', 'devices', 'interfaces']));
  const iface = asMap(ifaces?.items.find((i) => scalarValue(getPair(i, 'name')?.value) === networkName));
  const mac = getPair(iface, 'macAddress');
  if (!iface || !mac || mac.value?.kind !== 'scalar') return [];
  const net = found.info.networks.find((n) => n.name === networkName);
  const key = annotationKey('mac_address', net?.type === 'multus' ? net.attachment : undefined);
  return [removePair(text, iface, mac), ...annotationEdits(text, found, [{ key, value: mac.value.value }])];
}

/** Checked versions of the quick fixes, for the CLI and tests. */
export function checkedFix(text: string, found: FoundVm, edits: TextEdit[], change: (doc: Document.Parsed) => void): TextEdit[] {
  return checked(text, found, edits, change);
}

export { annPath, applyAnnotationChanges };

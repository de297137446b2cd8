// Finds KubeVirt VirtualMachines in a YAML stream (top-level documents and `kind: List` items)
// and reads what the lenses, diagnostics and edits need: name, namespace, where the annotations
// are, the pinned IP, the subnet, the networks and interfaces, and the live-migration state.
import { KUBEVIRT_BRIDGE_MIGRATION_KEY, parseAnnotationKey, type AnnotationKeys } from './annotation-catalogue';
import { asMap, asSeq, getIn, getPair, scalarValue, type YDoc, type YMap, type YNode, type YPair, type YScalar } from './yaml-tree';

export interface OffsetRange {
  start: number;
  end: number;
}

export interface VmAnnotation {
  key: string;
  value: string;
  keyRange: OffsetRange;
  valueRange?: OffsetRange;
  /** 'template' = spec.template.metadata.annotations (where Kube-OVN reads them); 'vm' = metadata.annotations */
  on: 'template' | 'vm';
}

export interface VmNetwork {
  name: string;
  /** 'pod' = the cluster network; 'multus' = a NetworkAttachmentDefinition */
  type: 'pod' | 'multus' | 'other';
  /** multus.networkName as written ("ns/nad" or "nad") */
  networkName?: string;
  /** the attachment's NAD and namespace, for `<nad>.<ns>.ovn.kubernetes.io/*` keys */
  attachment?: { nad: string; namespace: string };
  /** multus.default: true replaces the pod network */
  multusDefault?: boolean;
  /** binding of the matching interface: bridge, masquerade, sriov, … */
  binding?: string;
  interfaceRange?: OffsetRange;
  macAddress?: { value: string; range: OffsetRange };
}

export type MigrationState =
  | { state: 'off' }
  /** kubevirt.io/allow-pod-bridge-network-live-migration on the template (Kube-OVN ≥ v1.13.0) */
  | { state: 'on'; via: 'kubevirt-annotation' }
  /** `<attach>.<ns>.ovn.kubernetes.io/allow_live_migration` (Kube-OVN < v1.13.0) */
  | { state: 'on'; via: 'legacy-attachment'; attachment: string };

/** Identifies a VM in a file across re-analyses. */
export interface VmRef {
  name: string;
  namespace?: string;
  /** start offset of the VM object when it was analysed (a hint, re-checked before editing) */
  offset: number;
}

export interface VmDocInfo {
  ref: VmRef;
  name: string;
  namespace?: string;
  apiVersion: string;
  /** index among the stream's documents with content, and the item index inside a List */
  docIndex: number;
  itemIndex?: number;
  /** the VM object (its mapping) */
  range: OffsetRange;
  /** the document region holding it */
  docRange: OffsetRange;
  nameRange?: OffsetRange;
  /** spec.template.metadata.annotations, when present */
  templateAnnotationsRange?: OffsetRange;
  annotations: VmAnnotation[];
  /** ovn.kubernetes.io/ip_address on the template */
  pinnedIp?: { value: string; range: OffsetRange };
  /** ovn.kubernetes.io/logical_switch on the template */
  logicalSwitch?: { value: string; range: OffsetRange };
  networks: VmNetwork[];
  /** the pod network is used (explicitly, or implicitly when spec.template.spec.networks is absent) */
  usesPodNetwork: boolean;
  migration: MigrationState;
  running?: { value: string; range: OffsetRange; keyRange: OffsetRange };
  runStrategy?: string;
  evictionStrategy?: string;
  /** the document was read through the yaml package (anchors, tags, …) */
  viaYamlPackage: boolean;
}

/** The tree nodes behind a VmDocInfo, for the edit builders. */
export interface VmNodes {
  doc: YDoc;
  vm: YMap;
  /** path from the document root to the VM, e.g. [] or ['items', 3] */
  path: (string | number)[];
}

export interface FoundVm {
  info: VmDocInfo;
  nodes: VmNodes;
}

export const VM_API = /^kubevirt\.io\/v1(alpha3|beta1)?$/;

function isVm(node: YNode | null | undefined): boolean {
  if (!node || node.kind !== 'map') return false;
  return scalarValue(getPair(node, 'kind')?.value) === 'VirtualMachine' && VM_API.test(scalarValue(getPair(node, 'apiVersion')?.value) ?? '');
}

function range(n: { start: number; end: number }): OffsetRange {
  return { start: n.start, end: n.end };
}

function readAnnotations(map: YMap | undefined, on: VmAnnotation['on']): VmAnnotation[] {
  if (!map) return [];
  return map.pairs.map((p: YPair) => ({
    key: p.key.value,
    value: p.value?.kind === 'scalar' ? p.value.value : '',
    keyRange: range(p.key),
    valueRange: p.value ? range(p.value) : undefined,
    on,
  }));
}

export const BINDINGS = new Set(['bridge', 'masquerade', 'sriov', 'slirp', 'passt', 'macvtap']);

function readNetworks(tspec: YMap | undefined, namespace: string | undefined): { networks: VmNetwork[]; usesPodNetwork: boolean } {
  const nets = asSeq(getPair(tspec, 'networks')?.value);
  const ifaces = asSeq(getPair(asMap(getPair(asMap(getPair(tspec, 'domain')?.value), 'devices')?.value), 'interfaces')?.value);
  const networks: VmNetwork[] = [];
  for (const item of nets?.items ?? []) {
    const m = asMap(item);
    if (!m) continue;
    const name = scalarValue(getPair(m, 'name')?.value) ?? '';
    const multus = asMap(getPair(m, 'multus')?.value);
    const net: VmNetwork = { name, type: getPair(m, 'pod') ? 'pod' : multus ? 'multus' : 'other' };
    if (multus) {
      const nn = scalarValue(getPair(multus, 'networkName')?.value);
      net.networkName = nn;
      if (nn) {
        const [a, b] = nn.includes('/') ? nn.split('/', 2) : [namespace ?? 'default', nn];
        net.attachment = { nad: b, namespace: a };
      }
      net.multusDefault = scalarValue(getPair(multus, 'default')?.value) === 'true';
    }
    networks.push(net);
  }
  for (const item of ifaces?.items ?? []) {
    const m = asMap(item);
    if (!m) continue;
    const name = scalarValue(getPair(m, 'name')?.value);
    const net = networks.find((n) => n.name === name);
    if (!net) continue;
    net.interfaceRange = range(m);
    for (const p of m.pairs) if (BINDINGS.has(p.key.value)) net.binding = p.key.value;
    if (!net.binding) {
      const binding = asMap(getPair(m, 'binding')?.value);
      const bn = scalarValue(getPair(binding, 'name')?.value);
      if (bn) net.binding = bn;
    }
    const mac = getPair(m, 'macAddress');
    if (mac?.value?.kind === 'scalar') net.macAddress = { value: mac.value.value, range: range(mac.value) };
  }
  const usesPodNetwork = nets ? networks.some((n) => n.type === 'pod') && !networks.some((n) => n.multusDefault) : true;
  return { networks, usesPodNetwork };
}

export function migrationOf(annotations: VmAnnotation[], keys?: AnnotationKeys): MigrationState {
  const tmpl = annotations.filter((a) => a.on === 'template');
  if (tmpl.some((a) => a.key === KUBEVIRT_BRIDGE_MIGRATION_KEY && a.value === 'true')) return { state: 'on', via: 'kubevirt-annotation' };
  for (const a of tmpl) {
    const k = keys ? keys.parse(a.key) : parseAnnotationKey(a.key);
    if (k?.attachment && k.name === 'allow_live_migration' && a.value === 'true') return { state: 'on', via: 'legacy-attachment', attachment: `${k.attachment.nad}.${k.attachment.namespace}` };
  }
  return { state: 'off' };
}

function describeVm(vm: YMap, doc: YDoc, docIndex: number, path: (string | number)[], itemIndex?: number): FoundVm {
  const meta = asMap(getPair(vm, 'metadata')?.value);
  const namePair = getPair(meta, 'name');
  const name = scalarValue(namePair?.value) ?? '';
  const namespace = scalarValue(getPair(meta, 'namespace')?.value);
  const spec = asMap(getPair(vm, 'spec')?.value);
  const template = asMap(getPair(spec, 'template')?.value);
  const tmeta = asMap(getPair(template, 'metadata')?.value);
  const tspec = asMap(getPair(template, 'spec')?.value);
  const tann = asMap(getPair(tmeta, 'annotations')?.value);
  const annotations = [...readAnnotations(tann, 'template'), ...readAnnotations(asMap(getPair(meta, 'annotations')?.value), 'vm')];
  const tmplValue = (key: string) => {
    const a = annotations.find((x) => x.on === 'template' && x.key === key);
    return a && a.valueRange ? { value: a.value, range: a.valueRange } : undefined;
  };
  const runningPair = getPair(spec, 'running');
  const { networks, usesPodNetwork } = readNetworks(tspec, namespace);
  const info: VmDocInfo = {
    ref: { name, namespace, offset: vm.start },
    name,
    namespace,
    apiVersion: scalarValue(getPair(vm, 'apiVersion')?.value) ?? '',
    docIndex,
    itemIndex,
    range: range(vm),
    docRange: { start: doc.start, end: doc.end },
    nameRange: namePair?.value ? range(namePair.value) : undefined,
    templateAnnotationsRange: tann ? range(tann) : undefined,
    annotations,
    pinnedIp: tmplValue('ovn.kubernetes.io/ip_address'),
    logicalSwitch: tmplValue('ovn.kubernetes.io/logical_switch'),
    networks,
    usesPodNetwork,
    migration: migrationOf(annotations),
    running: runningPair?.value?.kind === 'scalar' ? { value: runningPair.value.value, range: range(runningPair.value), keyRange: range(runningPair.key) } : undefined,
    runStrategy: scalarValue(getPair(spec, 'runStrategy')?.value),
    evictionStrategy: scalarValue(getPair(tspec, 'evictionStrategy')?.value),
    viaYamlPackage: doc.viaYamlPackage,
  };
  return { info, nodes: { doc, vm, path } };
}

/** Every VM in the stream, in file order. */
export function findVms(docs: readonly YDoc[], firstIndex = 0): FoundVm[] {
  const out: FoundVm[] = [];
  docs.forEach((doc, i) => {
    const docIndex = firstIndex + i;
    const root = doc.root;
    if (root && root.kind === 'map' && isVm(root)) {
      out.push(describeVm(root, doc, docIndex, []));
      return;
    }
    if (root?.kind === 'map' && /List$/.test(scalarValue(getPair(root, 'kind')?.value) ?? '')) {
      const items = asSeq(getPair(root, 'items')?.value);
      items?.items.forEach((item, i) => {
        if (item && item.kind === 'map' && isVm(item)) out.push(describeVm(item, doc, docIndex, ['items', i], i));
      });
    }
  });
  return out;
}

/** The scalar node of a template annotation's value (for edits). */
export function templateAnnotationsMap(vm: YMap): YMap | undefined {
  return asMap(getIn(vm, ['spec', 'template', 'metadata', 'annotations']));
}

export function vmLabel(info: Pick<VmDocInfo, 'name' | 'namespace'>): string {
  return info.namespace ? `${info.namespace}/${info.name}` : info.name;
}

export type { YScalar };

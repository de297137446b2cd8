// What each sidebar row says: label, description, the codicon and theme colour it wears, and the
// tooltip (Markdown) with the full object summary. Pure functions of the joined rows from
// src/k8s/joined-views.ts, so wording and icon choices are testable without an editor.
import type { EipRow, SubnetRow, VmRow, VpcRow } from '../k8s/joined-views';

export interface RowText {
  label: string;
  description: string;
  /** codicon id */
  icon: string;
  /** ThemeColor id, when the state deserves a colour */
  color?: string;
  /** Markdown */
  tooltip: string;
  /** the contextValue: "kind" then ":flag" per state, matched with `viewItem =~ /…/` in menus */
  context: string;
}

/** Markdown-escapes text that comes from the cluster (names, messages). */
export function md(text: string | number | undefined): string {
  if (text === undefined || text === '') return '—';
  return String(text).replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

function table(rows: [string, string | number | undefined][]): string {
  const body = rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `| ${k} | ${md(v)} |`);
  return ['| | |', '|---|---|', ...body].join('\n');
}

const RUNNING = new Set(['Running', 'Migrating']);
const STARTING = new Set(['Starting', 'Provisioning', 'Pending', 'Scheduling', 'Scheduled', 'WaitingForVolumeBinding']);

function vmIcon(r: VmRow): { icon: string; color?: string } {
  if (r.migration) return { icon: 'arrow-swap', color: 'charts.blue' };
  if (RUNNING.has(r.status)) return { icon: 'vm-running', color: 'testing.iconPassed' };
  if (STARTING.has(r.status)) return { icon: 'vm-outline', color: 'charts.yellow' };
  if (r.status === 'Stopped' || r.status === 'Halted') return { icon: 'vm', color: 'disabledForeground' };
  if (/error|crash|fail|unschedulable/i.test(r.status)) return { icon: 'vm', color: 'errorForeground' };
  return { icon: 'vm' };
}

const IP_MODE_WORDS: Record<VmRow['ipMode'], string> = {
  pinned: 'pinned (ovn.kubernetes.io/ip_address)',
  kept: 'kept (Kube-OVN holds its IP CR across restarts)',
  dynamic: 'dynamic (the next start takes any free address)',
};

export function vmText(r: VmRow): RowText {
  const { icon, color } = vmIcon(r);
  const parts = [r.status];
  // words, not an emoji: the editor's UI font may have no glyph for it
  if (r.ip) parts.push(`${r.ip} ${r.ipMode}`);
  else if (r.pinnedIp) parts.push(`${r.pinnedIp} pinned`);
  if (r.node) parts.push(r.node);
  if (r.migration) parts.push(`migrating ${r.migration.sourceNode ?? '?'}→${r.migration.targetNode ?? '?'} (${r.migration.phase})`);
  const running = RUNNING.has(r.status) || STARTING.has(r.status) || r.runStrategy === 'Always' || r.runStrategy === 'RerunOnFailure';
  const flags = [running ? 'running' : 'stopped'];
  if (r.ip) flags.push('ip');
  if (r.eip) flags.push('eip');
  if (r.node) flags.push('node');
  if (r.migration) flags.push('migrating');
  const warnings: string[] = [];
  if (r.pinMismatch) warnings.push(`⚠ pinned ${md(r.pinnedIp)} but running with ${md(r.ip)}: the pin was added after the VM started; restart it to apply`);
  const tooltip = [
    `**VirtualMachine ${md(r.namespace)}/${md(r.name)}**`,
    '',
    table([
      ['Status', r.status],
      ['Run strategy', r.runStrategy],
      ['IP', r.ips.length > 1 ? r.ips.join(', ') : r.ip],
      ['IP mode', IP_MODE_WORDS[r.ipMode]],
      ['Pinned IP', r.pinnedIp],
      ['MAC', r.mac],
      ['Subnet', r.subnet ? `${r.subnet}${r.subnetSource ? ` (from ${r.subnetSource})` : ''}` : undefined],
      ['VPC', r.vpc],
      ['Node', r.node],
      ['External IP', r.eip],
      ['Migration', r.migration ? `${r.migration.name ?? '(from the VMI)'}: ${r.migration.phase}, ${r.migration.sourceNode ?? '?'} → ${r.migration.targetNode ?? '?'}` : undefined],
    ]),
    ...warnings.map((w) => `\n${w}`),
  ].join('\n');
  return { label: r.name, description: parts.join(' · '), icon, color, tooltip, context: `vm:${flags.join(':')}` };
}

export function subnetText(r: SubnetRow): RowText {
  const usage = r.available === undefined ? `${r.used} used` : `${r.used} used / ${r.available} free`;
  const parts = [r.cidr, usage];
  if (r.natOutgoing) parts.push('NAT');
  const full = r.available === 0;
  const tooltip = [
    `**Subnet ${md(r.name)}**${r.default ? ' (default)' : ''}`,
    '',
    table([
      ['CIDR', r.cidr],
      ['Gateway', r.gateway],
      ['Protocol', r.protocol],
      ['VPC', r.vpc],
      ['Used IPs', `${r.used}${r.usageSource === 'counted' ? ' (counted from IP objects)' : ''}`],
      ['Available IPs', r.available],
      ['Excluded', r.excludeIps.join(', ')],
      ['NAT outgoing', r.natOutgoing ? 'yes' : 'no'],
      ['Namespaces', r.namespaces.join(', ')],
      ['VMs / pods', `${r.vms} / ${r.pods}`],
    ]),
  ].join('\n');
  return {
    label: r.name,
    description: parts.join(' · '),
    icon: 'type-hierarchy-sub',
    color: full ? 'errorForeground' : r.default ? 'charts.green' : undefined,
    tooltip,
    context: `subnet${r.default ? ':default' : ''}`,
  };
}

export function vpcText(r: VpcRow): RowText {
  const parts = [`${r.subnets.length} subnet${r.subnets.length === 1 ? '' : 's'}`, `${r.vms} VM${r.vms === 1 ? '' : 's'}`];
  if (!r.exists) parts.push('no Vpc object');
  const tooltip = [
    `**Vpc ${md(r.name)}**${r.default ? ' (default)' : ''}`,
    '',
    table([
      ['Router', r.router],
      ['Subnets', r.subnets.join(', ')],
      ['VMs', r.vms],
    ]),
    ...(r.exists ? [] : ['', `⚠ Subnets name VPC ${md(r.name)} but no Vpc object exists`]),
  ].join('\n');
  return {
    label: r.name,
    description: parts.join(' · '),
    icon: 'cloud',
    color: r.exists ? (r.default ? 'charts.green' : undefined) : 'list.warningForeground',
    tooltip,
    context: `vpc${r.default ? ':default' : ''}`,
  };
}

const EIP_SOURCE_WORDS: Record<EipRow['source'], string> = {
  OvnFip: 'OvnFip',
  OvnDnatRule: 'OvnDnatRule',
  OvnSnatRule: 'OvnSnatRule',
  IptablesFIPRule: 'IptablesFIPRule',
  'pod-annotation': 'pod annotation ovn.kubernetes.io/eip',
  'vm-annotation': 'VM template annotation ovn.kubernetes.io/eip',
  OvnEip: 'OvnEip (not bound)',
};

export function eipText(r: EipRow): RowText {
  const owner = r.vm ? `${r.vm.namespace}/${r.vm.name}` : r.pod ? `${r.pod.namespace}/${r.pod.name}` : undefined;
  const chain = [r.internalIp, owner, r.node].filter(Boolean).join(' → ');
  const description = [chain ? `→ ${chain}` : r.source === 'OvnEip' ? 'unbound' : '→ ?', r.ports, r.source === 'pod-annotation' || r.source === 'vm-annotation' ? 'annotation' : r.source].filter(Boolean).join(' · ');
  const tooltip = [
    `**${md(r.externalIp ?? '(no address yet)')}** — ${md(EIP_SOURCE_WORDS[r.source])} ${md(r.namespace ? `${r.namespace}/${r.name}` : r.name)}`,
    '',
    table([
      ['External IP', r.externalIp],
      ['EIP object', r.eipName],
      ['Internal IP', r.internalIp],
      ['VM', r.vm ? `${r.vm.namespace}/${r.vm.name}` : undefined],
      ['Pod', r.pod ? `${r.pod.namespace}/${r.pod.name}` : undefined],
      ['Node', r.node],
      ['VPC', r.vpc],
      ['Ports', r.ports],
      ['Ready', r.ready === undefined ? undefined : r.ready ? 'yes' : 'no'],
    ]),
  ].join('\n');
  const flags = ['eip', r.source === 'pod-annotation' || r.source === 'vm-annotation' ? 'annotation' : r.source === 'OvnFip' ? 'fip' : 'crd'];
  if (r.externalIp) flags.push('ip');
  if (r.vm) flags.push('vm');
  return {
    label: r.externalIp ?? r.name,
    description,
    icon: r.source === 'OvnEip' ? 'circle-large-outline' : r.source === 'OvnSnatRule' ? 'arrow-up' : 'globe',
    color: r.ready === false ? 'list.warningForeground' : undefined,
    tooltip,
    context: flags.join(':'),
  };
}

/** The row shown for a resource the store cannot read (403, not served, an error). */
export function problemText(resource: string, state: string, message: string | undefined, detail: string | undefined): RowText {
  const words = message ?? `${resource}: ${state}`;
  const hint =
    state === 'forbidden' ? 'Ask for list/watch permission, or narrow `ovnlab.namespaceFilter` to namespaces you may read.'
      : state === 'not-served' ? 'The CRD is not installed in this cluster.'
        : state === 'unauthorized' ? 'The kubeconfig credentials were refused: refresh them (e.g. log in again) or pick another context.'
          : 'ovnlab keeps retrying; see the log (**ovnlab: Show Log**).';
  return {
    label: words,
    description: state,
    icon: state === 'not-served' ? 'info' : 'warning',
    color: state === 'not-served' ? undefined : 'list.warningForeground',
    tooltip: [`**${md(words)}**`, '', detail ? `> ${md(detail)}` : '', '', hint].join('\n'),
    context: 'problem',
  };
}

// `ovnlab get vms|vpcs|subnets|eips`: the joined views no single kubectl call gives (VM →
// status, IP, pinned/kept, subnet, VPC, node; EIP → internal IP → VM → node), read from any
// kubeconfig context. Lists once through the same store the sidebar uses, prints, stops.
// Exit codes: 0 done; 1 the cluster could not be read (unreachable, 403 on the main resource,
// kind not served); 3 printed, but some joined resources could not be read (warnings on stderr).
import type { CliCommand, CliIo } from '../command';
import { UsageError } from '../command';
import { ClusterStore } from '../../k8s/cluster-store';
import { eipRows, subnetRows, vmRows, vpcRows, type EipRow, type SubnetRow, type VmRow, type VpcRow } from '../../k8s/joined-views';
import { KubeClient } from '../../k8s/kube-client';
import { checkLabel } from '../../k8s/names';
import type { ResourceKey } from '../../k8s/resource-catalogue';

type View = 'vms' | 'vpcs' | 'subnets' | 'eips';

const ALIASES: Record<string, View> = { vms: 'vms', vm: 'vms', vpcs: 'vpcs', vpc: 'vpcs', subnets: 'subnets', subnet: 'subnets', eips: 'eips', eip: 'eips' };

/** The resource each view is about (its failure fails the command) and the ones it joins in. */
const NEEDS: Record<View, { main: ResourceKey; joined: ResourceKey[] }> = {
  vms: {
    main: 'virtualmachines',
    joined: ['virtualmachineinstances', 'virtualmachineinstancemigrations', 'ips', 'subnets', 'pods', 'ovn-eips', 'ovn-fips'],
  },
  vpcs: { main: 'vpcs', joined: ['subnets', 'ips'] },
  subnets: { main: 'subnets', joined: ['ips'] },
  eips: {
    main: 'ovn-eips',
    joined: ['ovn-fips', 'ovn-dnat-rules', 'ovn-snat-rules', 'iptables-eips', 'iptables-fip-rules', 'ips', 'pods', 'virtualmachines', 'virtualmachineinstances'],
  },
};

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('   ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

const dash = (v: string | number | undefined): string => (v === undefined || v === '' ? '-' : String(v));

function vmTable(rows: VmRow[]): string {
  return formatTable(
    ['NAMESPACE', 'NAME', 'STATUS', 'IP', 'IP-MODE', 'SUBNET', 'VPC', 'NODE', 'MIGRATION', 'EIP'],
    rows.map((r) => [
      r.namespace,
      r.name,
      r.status,
      dash(r.ip),
      r.ipMode + (r.pinMismatch ? ` (pin ${r.pinnedIp} not applied)` : ''),
      dash(r.subnet),
      dash(r.vpc),
      dash(r.node),
      r.migration ? `${r.migration.phase}${r.migration.sourceNode ? ` ${r.migration.sourceNode}→${r.migration.targetNode ?? '?'}` : ''}` : '-',
      dash(r.eip),
    ]),
  );
}

function vpcTable(rows: VpcRow[]): string {
  return formatTable(
    ['NAME', 'DEFAULT', 'SUBNETS', 'VMS'],
    rows.map((r) => [r.name + (r.exists ? '' : ' (no Vpc object)'), r.default ? 'yes' : 'no', dash(r.subnets.join(',')), String(r.vms)]),
  );
}

function subnetTable(rows: SubnetRow[]): string {
  return formatTable(
    ['NAME', 'VPC', 'CIDR', 'GATEWAY', 'USED', 'AVAILABLE', 'NAT-OUTGOING', 'VMS', 'PODS'],
    rows.map((r) => [r.name, r.vpc, dash(r.cidr), dash(r.gateway), String(r.used), dash(r.available), r.natOutgoing ? 'yes' : 'no', String(r.vms), String(r.pods)]),
  );
}

function eipTable(rows: EipRow[]): string {
  return formatTable(
    ['EXTERNAL-IP', 'INTERNAL-IP', 'VM/POD', 'NODE', 'VIA', 'NAME', 'READY'],
    rows.map((r) => [
      dash(r.externalIp),
      dash(r.internalIp),
      r.vm ? `vm ${r.vm.namespace}/${r.vm.name}` : r.pod ? `pod ${r.pod.namespace}/${r.pod.name}` : '-',
      dash(r.node),
      r.source + (r.ports ? ` ${r.ports}` : ''),
      r.namespace ? `${r.namespace}/${r.name}` : r.name,
      r.ready === undefined ? '-' : r.ready ? 'yes' : 'no',
    ]),
  );
}

async function runGet(view: View, v: Record<string, unknown>, io: CliIo): Promise<number> {
  const namespace = typeof v.namespace === 'string' ? v.namespace : undefined;
  if (namespace !== undefined) {
    try {
      checkLabel('namespace', namespace);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  let client: KubeClient;
  try {
    client = KubeClient.fromKubeconfig({
      kubeconfig: typeof v.kubeconfig === 'string' ? v.kubeconfig : undefined,
      context: typeof v.context === 'string' ? v.context : undefined,
      env: io.env,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const need = NEEDS[view];
  const store = new ClusterStore(client, { namespace, resources: [need.main, ...need.joined] }).start();
  try {
    const aborted = new Promise<'aborted'>((resolve) => io.signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
    if ((await Promise.race([store.ready.then(() => 'ready' as const), aborted])) === 'aborted') return 130;
    const conn = store.connection;
    if (conn.state === 'unreachable') throw new UsageError(`${conn.message} (context "${client.context}")`, 1);
    const main = store.status(need.main);
    // Clusters without the OVN EIP CRDs still have EIPs by pod annotation: not fatal for `get eips`.
    const tolerated = view === 'eips' && main.state === 'not-served';
    if (main.state !== 'synced' && !tolerated) {
      throw new UsageError(`${main.message ?? main.state}${main.detail ? ` — the API server said: ${main.detail}` : ''} (context "${client.context}")`, 1);
    }
    // Joined kinds that are simply not installed (no Multus, no iptables NAT CRDs) are normal;
    // anything else we could not read makes the rows incomplete, and the user should know.
    const warnings = store
      .problems()
      .filter((p) => p.resource !== need.main && p.status.state !== 'not-served')
      .map((p) => `${p.status.message ?? p.status.state}: the ${view} view lacks what it would join from ${p.resource}`);
    const snap = store.snapshot();
    const ix = store.indexes();
    let rows: VmRow[] | VpcRow[] | SubnetRow[] | EipRow[];
    let table: string;
    switch (view) {
      case 'vms': {
        const r = vmRows(snap, ix, namespace);
        rows = r;
        table = vmTable(r);
        break;
      }
      case 'vpcs': {
        const r = vpcRows(snap, ix);
        rows = r;
        table = vpcTable(r);
        break;
      }
      case 'subnets': {
        const r = subnetRows(snap, ix);
        rows = r;
        table = subnetTable(r);
        break;
      }
      case 'eips': {
        const r = eipRows(snap, ix).filter((e) => !namespace || !(e.vm || e.pod) || (e.vm ?? e.pod)?.namespace === namespace);
        rows = r;
        table = eipTable(r);
        break;
      }
    }
    if (v.json) io.out(JSON.stringify({ context: client.context, server: client.server, view, namespace: namespace ?? null, items: rows, warnings }, null, 2));
    else io.out(rows.length ? table : `no ${view} found${namespace ? ` in namespace ${namespace}` : ''} (context "${client.context}")`);
    for (const w of warnings) io.err(`warning: ${w}`);
    return warnings.length ? 3 : 0;
  } finally {
    await store.stop();
  }
}

export const getCommands: CliCommand[] = [
  {
    path: ['get'],
    summary: 'joined cluster views: VMs (IP, pinned/kept, subnet, VPC, node), VPCs, Subnets (usage), EIPs (→ VM → node)',
    usage: 'get vms|vpcs|subnets|eips [--kubeconfig FILE] [--context NAME] [-n NAMESPACE] [--json]',
    options: {
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
    },
    async run(v, positionals, io) {
      const view = positionals.length === 1 ? ALIASES[positionals[0]] : undefined;
      if (!view) {
        throw new UsageError(`get takes one of vms, vpcs, subnets, eips${positionals.length ? `, got: ${positionals.join(' ')}` : ''} (e.g. \`ovnlab get vms -n default\`)`);
      }
      return runGet(view, v, io);
    },
  },
];

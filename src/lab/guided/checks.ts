// The checks of the guided labs: each reads real state (the lab's status, OVN Northbound through
// the OvnTarget, a ping run inside a VM, a node's OpenFlow counters, a trace, the lab's YAML as
// the user edited it) and says what is missing and what to do. No vscode here: the walkthrough
// glue (src/views/walkthrough-*.ts), the CLI (`ovnlab labs check`) and the tests share them.
import { parseAllDocuments } from 'yaml';
import type { LabBackend, LabStatus, LabVmStatus } from '../lab-backend';
import type { OvnTarget } from '../../ovn/ovn-target';
import { asList, type DbRow } from '../../ovn/ctl-json';
import { parseFlowDump } from '../../ovn/flow-dump';
import { runTrace, type TraceResult } from '../../ovn/trace-run';
import { KUBEVIRT_BRIDGE_MIGRATION_KEY } from '../../yaml/annotation-catalogue';

export interface CheckResult {
  ok: boolean;
  /** what was found, or what is missing and what to do */
  message: string;
}

/** Values one step remembers for a later one (the IP before a restart, the node before a migration). */
export interface GuidedMemo {
  get(key: string): string | undefined;
  set(key: string, value: string): Promise<void>;
}

const pass = (message: string): CheckResult => ({ ok: true, message });
const fail = (message: string): CheckResult => ({ ok: false, message });

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/;

function assertIp(ip: string): void {
  if (!IPV4.test(ip)) throw new Error(`"${ip}" is not an IPv4 address`);
}
function assertName(n: string): void {
  if (!NAME.test(n)) throw new Error(`"${n}" is not a VM name (<vm> or <vm>.<namespace>, lower-case)`);
}

/** `vm` or `vm.ns` → its status row. */
export function findVm(st: LabStatus, vm: string): LabVmStatus | undefined {
  const [name, ns = 'default'] = vm.split('.');
  return st.vms.find((v) => v.name === name && v.namespace === ns);
}

/** Why the kind lab cannot be checked (from its status: Docker not running, no cluster, unfinished steps), or undefined when it is up. */
export function kindLabNotRunning(st: LabStatus, dir: string): string | undefined {
  const why = st.notes.filter((n) => !/^kubectl context /.test(n)).join('; ');
  if (st.state === 'down') return `kind lab not running: ${why || `nothing recorded in ${dir}`}; start it with \`ovnlab lab up --backend kind\``;
  if (st.state === 'broken') return `kind lab not running: it is broken${why ? ` (${why})` : ''}; run \`ovnlab lab up --backend kind\` to resume, or \`ovnlab lab down --backend kind\` and up again`;
  return undefined;
}

async function upStatus(backend: LabBackend): Promise<LabStatus | CheckResult> {
  const st = await backend.status();
  if (backend.kind === 'kind') {
    const down = kindLabNotRunning(st, backend.dir);
    if (down) return fail(down);
  }
  if (st.state === 'down') return fail(`no ${backend.kind} lab is running in ${backend.dir}: start it (ovnlab lab up) first`);
  if (st.state === 'broken') return fail(`the ${backend.kind} lab in ${backend.dir} is broken (some daemons are gone): run \`ovnlab lab down\`, then \`ovnlab lab up\``);
  return st;
}

export async function checkLabUp(backend: LabBackend): Promise<CheckResult> {
  const st = await upStatus(backend);
  if ('ok' in st) return st;
  const down = st.nodes.filter((n) => !n.chassisUp).map((n) => n.name);
  if (down.length > 0) return fail(`the lab is up but the chassis of ${down.join(', ')} did not register: run \`ovnlab lab down\` and \`ovnlab lab up\` again`);
  return pass(`the ${st.backend} lab is up with ${st.nodes.length} nodes (${st.nodes.map((n) => n.name).join(', ')})`);
}

/** The VM runs and has an IP (the given one, when given). */
export async function checkVmHasIp(backend: LabBackend, vm: string, ip?: string, opts: { pinned?: boolean } = {}): Promise<CheckResult> {
  assertName(vm);
  if (ip) assertIp(ip);
  const st = await upStatus(backend);
  if ('ok' in st) return st;
  const v = findVm(st, vm);
  if (!v) return fail(`there is no VM ${vm} in the lab yet: apply its YAML (the step's button, or ovnlab lab apply -f FILE)`);
  if (v.phase !== 'Running') return fail(`VM ${vm} is ${v.phase}${v.message ? ` (${v.message})` : ''}: it must be Running${v.message ? '; fix what the message says and apply again' : ''}`);
  if (!v.ip) return fail(`VM ${vm} runs but has no IP yet`);
  if (ip && v.ip !== ip) return fail(`VM ${vm} has ${v.ip}, not ${ip}: pin ${ip} with the "Pin IP" lens (ovn.kubernetes.io/ip_address on spec.template.metadata.annotations) and apply again`);
  if (opts.pinned && !v.pinned) return fail(`VM ${vm} has ${v.ip} but it was not pinned: add ovn.kubernetes.io/ip_address with the lens and apply`);
  return pass(`VM ${vm} is Running on ${v.node ?? '?'} with ${v.ip}${v.pinned ? ' (pinned)' : ''}`);
}

/** The VM is stopped and its IP object is kept (keep-vm-ip). Remembers that IP as `memoKey`. */
export async function checkVmStoppedKeepsIp(backend: LabBackend, vm: string, memo: GuidedMemo, memoKey: string): Promise<CheckResult> {
  assertName(vm);
  const st = await upStatus(backend);
  if ('ok' in st) return st;
  const v = findVm(st, vm);
  if (!v) return fail(`there is no VM ${vm} in the lab: do the first step (apply the VM) again`);
  if (v.phase !== 'Stopped') return fail(`VM ${vm} is ${v.phase}, not Stopped: stop it (runStrategy: Halted — the step's button, or Stop VM in the Virtual Machines view)`);
  if (!v.ip) return fail(`VM ${vm} is stopped and its IP object is gone: keep-vm-ip did not keep it`);
  const before = memo.get(memoKey);
  if (before && before !== v.ip) return fail(`VM ${vm} held ${before} while running, its IP object now says ${v.ip}`);
  await memo.set(memoKey, v.ip);
  return pass(`VM ${vm} is Stopped and its IP object still holds ${v.ip}`);
}

/** The VM runs with the IP remembered under `memoKey` (by an earlier step). */
export async function checkVmKeptIp(backend: LabBackend, vm: string, memo: GuidedMemo, memoKey: string): Promise<CheckResult> {
  const before = memo.get(memoKey);
  if (!before) return fail(`no IP was recorded for ${vm} yet: complete the earlier steps of this lab first (their checks record it)`);
  const r = await checkVmHasIp(backend, vm);
  if (!r.ok) return r;
  const v = findVm(await backend.status(), vm)!;
  if (v.ip !== before) return fail(`VM ${vm} came back with ${v.ip}, not ${before}: the IP was not kept`);
  return pass(`VM ${vm} runs again with the same IP ${before}`);
}

/** Records the VM's node (for a later migration check). */
export async function checkVmRunningRecordNode(backend: LabBackend, vm: string, memo: GuidedMemo, memoKey: string): Promise<CheckResult> {
  const r = await checkVmHasIp(backend, vm);
  if (!r.ok) return r;
  const v = findVm(await backend.status(), vm)!;
  if (!v.node) return fail(`VM ${vm} runs on no node`);
  await memo.set(memoKey, v.node);
  await memo.set(`${memoKey}.ip`, v.ip!);
  return r;
}

/** The VM now runs on another node than the one remembered, with the same IP. */
export async function checkVmMigrated(backend: LabBackend, vm: string, memo: GuidedMemo, memoKey: string): Promise<CheckResult> {
  const from = memo.get(memoKey);
  if (!from) return fail(`the node ${vm} started on was not recorded: complete the step that applies it first`);
  const r = await checkVmHasIp(backend, vm);
  if (!r.ok) return r;
  const v = findVm(await backend.status(), vm)!;
  if (v.node === from) return fail(`VM ${vm} still runs on ${from}: migrate it (Migrate VM in the Virtual Machines view, or the step's button)`);
  const ip = memo.get(`${memoKey}.ip`);
  if (ip && v.ip !== ip) return fail(`VM ${vm} moved to ${v.node} but its IP changed from ${ip} to ${v.ip}`);
  return pass(`VM ${vm} moved from ${from} to ${v.node} and kept ${v.ip}`);
}

/** A ping from a VM (or `outside`) to an IP: succeeds when `expectOk`, fails otherwise. */
export async function checkPing(backend: LabBackend, from: string, ip: string, expectOk: boolean, opts: { count?: number } = {}): Promise<CheckResult> {
  assertName(from);
  assertIp(ip);
  const st = await upStatus(backend);
  if ('ok' in st) return st;
  if (st.notes.some((n) => /not running as root/.test(n))) return fail('this lab runs without root (dummy datapath): nothing pings. Run `ovnlab lab down`, then `ovnlab lab up` as root');
  const count = opts.count ?? (expectOk ? 3 : 2);
  let r;
  // a first ping may be spent on ARP and the gateway's MAC learning: a path that works answers within a few tries
  for (let attempt = 0; attempt < (expectOk ? 3 : 1); attempt++) {
    try {
      r = await backend.exec(from, ['ping', '-c', String(count), '-W', '1', '-i', '0.3', ip], { timeoutMs: 20_000 });
    } catch (e) {
      return fail(`could not ping from ${from}: ${(e as Error).message}`);
    }
    if (r.exitCode === 0) break;
  }
  if (!r) return fail(`could not ping from ${from}`);
  const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
  const got = m ? `${m[2]}/${m[1]} replies` : `exit ${r.exitCode}`;
  if (expectOk && r.exitCode === 0) return pass(`${from} → ${ip}: ${got}`);
  if (!expectOk && r.exitCode !== 0) return pass(`${from} → ${ip} gets no answer (${got}), as it should`);
  return expectOk
    ? fail(`${from} → ${ip}: ${got}; the path is not there yet: do the earlier steps${from === 'outside' ? '' : ` (and look at \`ovnlab trace --from ${from.includes('.') ? from : `${from}.default`} --to ${ip}\`)`}`)
    : fail(`${from} → ${ip} answered (${got}) but should be isolated: are both VMs in different VPCs?`);
}

async function rows(target: OvnTarget, table: string): Promise<DbRow[]> {
  return target.listRows('nb', table);
}

/** Logical routers (VPCs) exist in NB, and switches (subnets) with the given CIDRs hang off them. */
export async function checkVpcs(target: OvnTarget, want: { vpc: string; subnet: string; cidr: string }[]): Promise<CheckResult> {
  const routers = await rows(target, 'Logical_Router');
  const lrps = await rows(target, 'Logical_Router_Port');
  const switches = await rows(target, 'Logical_Switch');
  const missing: string[] = [];
  for (const w of want) {
    const lr = routers.find((r) => r.name === w.vpc);
    if (!lr) { missing.push(`router ${w.vpc} (Vpc ${w.vpc})`); continue; }
    if (!switches.some((s) => s.name === w.subnet)) { missing.push(`switch ${w.subnet} (Subnet ${w.subnet})`); continue; }
    const ports = new Set(asList(lr.ports).map(String));
    const lrp = lrps.find((p) => ports.has(p._uuid) && p.name === `${w.vpc}-${w.subnet}`);
    const prefix = w.cidr.split('/')[1];
    if (!lrp || !asList(lrp.networks).some((n) => String(n).endsWith(`/${prefix}`))) missing.push(`router port ${w.vpc}-${w.subnet} for ${w.cidr}`);
  }
  // two subnets of one missing VPC would name its router twice
  if (missing.length > 0) return fail(`OVN Northbound has no ${[...new Set(missing)].join(', ')}: apply the lab's VPC YAML`);
  return pass(`OVN Northbound has ${want.map((w) => `${w.vpc} → ${w.subnet} ${w.cidr}`).join(', ')}`);
}

/** The external gateway of the ConfigMap is in NB: switch `external`, its router port, the gateway chassis. */
export async function checkExternalGateway(target: OvnTarget, node: string): Promise<CheckResult> {
  const switches = await rows(target, 'Logical_Switch');
  if (!switches.some((s) => s.name === 'external')) return fail('OVN Northbound has no `external` switch: apply the ovn-external-gw-config ConfigMap (the step\'s button)');
  const gcs = await rows(target, 'Gateway_Chassis');
  const gc = gcs.find((g) => g.chassis_name === node);
  if (!gc) return fail(`the external router port has no gateway chassis on ${node} (found: ${gcs.map((g) => String(g.chassis_name)).join(', ') || 'none'}): check external-gw-nodes in the ConfigMap`);
  return pass(`switch external and gateway chassis ${String(gc.name)} on ${node} (priority ${String(gc.priority)})`);
}

/** NB has a dnat_and_snat NAT row for the EIP (to the VM's IP when given). */
export async function checkNatRow(target: OvnTarget, eip: string, logicalIp?: string): Promise<CheckResult> {
  assertIp(eip);
  const nats = await rows(target, 'NAT');
  const n = nats.find((r) => r.external_ip === eip);
  if (!n) return fail(`no NAT rule for ${eip} in OVN Northbound: put ovn.kubernetes.io/eip: ${eip} on the VM's spec.template.metadata.annotations and apply`);
  if (n.type !== 'dnat_and_snat') return fail(`the NAT rule for ${eip} is ${String(n.type)}, not dnat_and_snat (an EIP)`);
  if (logicalIp && n.logical_ip !== logicalIp) return fail(`the NAT rule for ${eip} points at ${String(n.logical_ip)}, not the VM's ${logicalIp}`);
  const routers = await rows(target, 'Logical_Router');
  const lr = routers.find((r) => asList(r.nat).map(String).includes(n._uuid));
  return pass(`NAT dnat_and_snat ${eip} ↔ ${String(n.logical_ip)} on router ${lr ? String(lr.name) : '?'}`);
}

/** OpenFlow flows on a node that match the IP and have counted packets (the NAT flows after a ping). */
export async function checkFlowsHit(target: OvnTarget, node: string, ip: string): Promise<CheckResult> {
  assertIp(ip);
  const text = await target.dumpFlows(node, 'br-int');
  const mentions = parseFlowDump(text).flows.filter((f) => f.match.includes(ip) || f.actions.includes(ip));
  if (mentions.length === 0) return fail(`no OpenFlow flow on ${node} mentions ${ip}: the NAT rule is not programmed there (is ${node} the gateway node?)`);
  const nat = mentions.filter((f) => /ct\(|nat/.test(f.actions) || /nat/.test(f.match));
  const hit = mentions.filter((f) => (f.nPackets ?? 0) > 0);
  if (hit.length === 0) return fail(`${mentions.length} flows on ${node} mention ${ip}${nat.length ? ` (${nat.length} with NAT actions)` : ''}, none has counted a packet yet: ping ${ip} (the previous step), then check again`);
  const natHit = hit.filter((f) => nat.includes(f));
  return pass(`${hit.length} flows on ${node} for ${ip} counted packets${natHit.length ? `, ${natHit.length} of them NAT (tables ${[...new Set(natHit.map((f) => f.table))].join(', ')})` : ''}`);
}

export interface TraceExpectation {
  /** the trace passes through this node (the gateway hop) */
  viaNode?: string;
  /** the trace must not leave the source node through a tunnel to this node */
  notViaNode?: string;
  /** the packet reaches this logical port (an output to it in ovn-trace) */
  reachesPort?: string;
  /** the packet must not reach this logical port */
  notReachesPort?: string;
  /** the packet ends in a drop (no logical output to any VM port) */
  dropped?: boolean;
}

/** Runs `ovnlab trace` (ovn-trace + ofproto/trace) from a port and checks where the packet goes. */
export async function checkTrace(target: OvnTarget, fromPort: string, ip: string, want: TraceExpectation, run: typeof runTrace = runTrace): Promise<CheckResult> {
  assertName(fromPort);
  assertIp(ip);
  let r: TraceResult;
  try {
    r = await run(target, fromPort, ip, { kind: 'icmp' });
  } catch (e) {
    return fail(`could not trace ${fromPort} → ${ip}: ${(e as Error).message}`);
  }
  return judgeTrace(r, fromPort, ip, want);
}

/** The verdict on a trace already run (pure). */
export function judgeTrace(r: Pick<TraceResult, 'chassisHops' | 'ovnTraceText'>, fromPort: string, ip: string, want: TraceExpectation): CheckResult {
  const hops = r.chassisHops.map((h) => h.node);
  const path = hops.join(' → ');
  const outputs = [...r.ovnTraceText.matchAll(/output to "([^"]+)"/g)].map((m) => m[1]);
  if (want.viaNode && !hops.includes(want.viaNode)) return fail(`the trace ${fromPort} → ${ip} goes ${path}, not through ${want.viaNode}: is the gateway configured (ConfigMap) and the EIP applied?`);
  if (want.notViaNode && hops.slice(1).includes(want.notViaNode)) return fail(`the trace ${fromPort} → ${ip} goes through ${want.notViaNode} (${path}), which it should not`);
  if (want.reachesPort && !outputs.includes(want.reachesPort)) return fail(`the trace ${fromPort} → ${ip} never outputs to ${want.reachesPort} (outputs: ${outputs.join(', ') || 'none'})`);
  if (want.notReachesPort && outputs.includes(want.notReachesPort)) return fail(`the trace ${fromPort} → ${ip} reaches ${want.notReachesPort}: the VPCs are not isolated`);
  const vmOutputs = outputs.filter((o) => /^[a-z0-9-]+\.[a-z0-9-]+$/.test(o));
  if (want.dropped && vmOutputs.length > 0) return fail(`the trace ${fromPort} → ${ip} reaches ${vmOutputs.join(', ')}, it should be dropped`);
  const end = outputs.length > 0 ? `outputs to ${[...new Set(outputs)].join(', ')}` : 'no logical output (dropped or flooded without an answer)';
  return pass(`trace ${fromPort} → ${ip}: chassis ${path}; ${end}`);
}

/** The user's copy of a lab YAML pins `ip` on `vm` (what the "Pin IP" lens writes). */
export function checkYamlPinned(text: string, vm: string, ip?: string): CheckResult {
  const ann = templateAnnotations(text, vm);
  if (!ann) return fail(`the file has no VirtualMachine ${vm}`);
  const v = ann['ovn.kubernetes.io/ip_address'];
  if (typeof v !== 'string') return fail(`VM ${vm} has no ovn.kubernetes.io/ip_address on spec.template.metadata.annotations: click the "Pin IP" lens above the VM`);
  if (ip && v !== ip) return fail(`VM ${vm} pins ${v}; this lab expects ${ip}: pin ${ip} instead`);
  return pass(`the file pins ${v} on VM ${vm}`);
}

/** The user's copy of a lab YAML enables live migration on `vm` (what the "Enable live migration" lens writes). */
export function checkYamlMigration(text: string, vm: string): CheckResult {
  const ann = templateAnnotations(text, vm);
  if (!ann) return fail(`the file has no VirtualMachine ${vm}`);
  const on = Object.entries(ann).filter(([k, v]) => (k === KUBEVIRT_BRIDGE_MIGRATION_KEY || k.endsWith('.kubernetes.io/allow_live_migration')) && String(v) === 'true');
  if (on.length === 0) return fail(`VM ${vm} does not allow live migration: click the "Enable live migration" lens above the VM`);
  return pass(`VM ${vm} allows live migration (${on.map(([k]) => k).join(', ')})`);
}

function templateAnnotations(text: string, vm: string): Record<string, unknown> | undefined {
  const [name, ns] = vm.split('.');
  for (const d of parseAllDocuments(text)) {
    const js: unknown = d.toJS();
    if (!js || typeof js !== 'object' || Array.isArray(js)) continue;
    const o = js as Record<string, unknown>;
    if (o.kind !== 'VirtualMachine') continue;
    const md = (o.metadata ?? {}) as Record<string, unknown>;
    if (md.name !== name || (ns && (md.namespace ?? 'default') !== ns)) continue;
    const t = ((o.spec as Record<string, unknown> | undefined)?.template ?? {}) as Record<string, unknown>;
    return ((t.metadata as Record<string, unknown> | undefined)?.annotations ?? {}) as Record<string, unknown>;
  }
  return undefined;
}

// The lab controller: the part of Kube-OVN (kube-ovn-controller + kube-ovn-cni) and KubeVirt the
// local lab emulates. On every change it plans from all objects (translate.ts, pure), writes
// IP objects, VMIs and status back to the store, makes NB match (one OVSDB transaction) and
// makes the data plane match: VM namespaces plugged into their node's br-int, the external
// network wired to the gateway node(s), and live migrations performed like QEMU would.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { LabApplyResult, LabVmStatus } from '../../lab-backend';
import { OvsdbClient, type GenericTables } from '../../../ovn/ovsdb/index';
import { addNetns, addVeth, assertNetnsName, configureGuestNic, delNetns } from '../netns';
import { DaemonShell, daemonAlive, type OvsChassis } from '../ovn-daemons';
import type { LocalLabNode, LocalLabState, LocalLabVmPlug } from '../lab-state';
import { ipIn, sendRarp, txChecksumOff } from '../node-network';
import { type KubeObject, rec, str } from './kube-object';
import { applyNb } from './nb-apply';
import { ObjectStore, parseObjects } from './object-store';
import type { KubeSync } from './kube-sync';
import { withLabLock } from './lab-lock';
import { ClusterStore } from '../../../k8s/cluster-store';
import { PULLED } from './kube-sync';
import { type LabPlan, translate, JOIN_CIDR, DEFAULT_SUBNET, JOIN_SUBNET, DEFAULT_VPC } from './translate';

/** MTU inside VMs: geneve needs ~58 bytes of a 1500-byte underlay (Kube-OVN sets 1400 too). */
export const VM_MTU = 1400;

const HANDLED_KINDS = new Set(['Vpc', 'Subnet', 'VirtualMachine', 'ConfigMap', 'OvnEip', 'OvnFip', 'Node', 'VirtualMachineInstanceMigration', 'Namespace']);

export function randomMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0] & 0xfc) | 0x02; // locally administered, unicast (Kube-OVN ≥ v1.13)
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export class LabController {
  constructor(
    readonly dir: string,
    private state: LocalLabState,
    private readonly saveState: (s: LocalLabState) => Promise<void>,
    private readonly shellOf: (n: LocalLabNode) => OvsChassis,
    /** the lab's API server, when it has one: objects come from and status goes to it */
    private readonly kube?: KubeSync,
    /** the state on disk now: another process (lab apply, the background controller) may have changed it */
    private readonly loadState?: () => Promise<LocalLabState | undefined>,
  ) {}

  /**
   * Runs a change to the lab holding the lab's lock (see lab-lock.ts), on the state as it is on
   * disk now, not as this controller last saw it: a background controller lives for hours.
   */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return withLabLock(this.dir, async () => {
      const fresh = await this.loadState?.();
      if (fresh) this.state = fresh;
      return fn();
    });
  }

  private migrating = false;

  private get central(): DaemonShell {
    return new DaemonShell(this.state.centralDir);
  }
  get nbRemote(): string {
    return `unix:${this.central.path('run', 'ovnnb_db.sock')}`;
  }
  private get root(): boolean {
    return this.state.datapath === 'netdev';
  }

  async nbctl(args: string[]): Promise<string> {
    return this.central.run('ovn-nbctl', [`--db=${this.nbRemote}`, ...args]);
  }

  /**
   * Returns once every chassis has installed the flows for the NB as it is now. When one does not,
   * says which node's ovn-controller is not running rather than only that the wait timed out.
   */
  private async waitChassisCaughtUp(seconds: number): Promise<void> {
    const fail = (why: string, cause?: unknown) => new Error(
      `${why}; the change is stored: restart the lab with \`ovnlab lab down\` and \`ovnlab lab up\`, then apply again` +
        (cause ? `. Cause: ${cause instanceof Error ? cause.message : String(cause)}` : ''),
    );
    // a dead ovn-controller never catches up: say so now instead of after the whole timeout
    let dead = await this.nodesWithoutController();
    if (dead.length > 0) throw fail(`ovn-controller is not running on ${dead.join(', ')} (see nodes/<node>/log/ovn-controller.log in ${this.dir})`);
    try {
      await this.central.run('ovn-nbctl', [`--db=${this.nbRemote}`, `--timeout=${seconds}`, '--wait=hv', 'sync'], { timeoutMs: (seconds + 5) * 1000 });
    } catch (e) {
      dead = await this.nodesWithoutController();
      throw fail(dead.length > 0
        ? `ovn-controller is not running on ${dead.join(', ')} (see nodes/<node>/log/ovn-controller.log in ${this.dir})`
        : `a chassis did not install the flows within ${seconds} s (see nodes/*/log/ovn-controller.log in ${this.dir})`, e);
    }
  }

  private async nodesWithoutController(): Promise<string[]> {
    const dead: string[] = [];
    for (const n of this.state.nodes) if (!(await daemonAlive(join(n.dir, 'run', 'ovn-controller.pid'), this.dir))) dead.push(n.name);
    return dead;
  }

  /** Node objects and the default Vpc/Subnets Kube-OVN creates at install time. */
  async ensureNodes(): Promise<void> {
    return this.exclusive(() => this.ensureNodesHeld());
  }

  private async ensureNodesHeld(): Promise<void> {
    const store = await ObjectStore.open(this.dir);
    this.state.nodes.forEach((n) => {
      store.upsert({
        apiVersion: 'v1', kind: 'Node',
        metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', ...(n.role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}) } },
        spec: {},
        status: { addresses: [{ type: 'InternalIP', address: n.encapIp }, { type: 'Hostname', address: n.name }], conditions: [{ type: 'Ready', status: 'True' }] },
      });
    });
    store.upsert({ apiVersion: 'kubeovn.io/v1', kind: 'Vpc', metadata: { name: DEFAULT_VPC }, spec: {} });
    store.upsert({ apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: JOIN_SUBNET }, spec: { cidrBlock: JOIN_CIDR, gateway: '100.64.0.1', excludeIps: ['100.64.0.1'], protocol: 'IPv4', vpc: DEFAULT_VPC, provider: 'ovn', gatewayType: 'distributed' } });
    const cidr = this.state.defaultSubnetCidr;
    const gw = cidr.replace(/\.0\/\d+$/, '.1');
    store.upsert({ apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: DEFAULT_SUBNET }, spec: { cidrBlock: cidr, gateway: gw, excludeIps: [gw], protocol: 'IPv4', vpc: DEFAULT_VPC, provider: 'ovn', default: true, natOutgoing: true, gatewayType: 'distributed' } });
    if (this.kube) await this.kube.apply(store.list().filter((o) => o.kind === 'Node' || o.kind === 'Vpc' || o.kind === 'Subnet'));
    await store.save();
    await this.reconcileHeld(store);
  }

  async apply(text: string, source: string): Promise<LabApplyResult> {
    return this.exclusive(() => this.applyHeld(text, source));
  }

  private async applyHeld(text: string, source: string): Promise<LabApplyResult> {
    const objs = parseObjects(text, source);
    const store = await ObjectStore.open(this.dir);
    const applied: string[] = [];
    const problems: string[] = [];
    if (this.kube) await this.kube.apply(objs);
    for (const o of objs) {
      const r = store.upsert(o);
      const ns = o.metadata.namespace ? `${o.metadata.namespace}/` : '';
      applied.push(`${o.kind.toLowerCase()} ${ns}${o.metadata.name} ${r}`);
      if (!HANDLED_KINDS.has(o.kind)) problems.push(`${o.kind} ${ns}${o.metadata.name}: stored, but the local lab does not act on ${o.kind} (see docs/lab-fidelity.md)`);
    }
    await store.save();
    const before = new Set(store.events().map((e) => `${e.kind}/${e.namespace ?? ''}/${e.name}/${e.reason}/${e.message}`));
    await this.reconcileHeld(store);
    // return once every chassis has the flows for what was applied, so a ping right after works
    await this.waitChassisCaughtUp(60);
    for (const e of store.events()) {
      const k = `${e.kind}/${e.namespace ?? ''}/${e.name}/${e.reason}/${e.message}`;
      if (e.type === 'Warning' && !before.has(k)) problems.push(`${e.kind} ${e.namespace ? `${e.namespace}/` : ''}${e.name}: ${e.reason}: ${e.message}`);
    }
    return { applied, problems };
  }

  async delete(text: string, source: string): Promise<string[]> {
    return this.exclusive(() => this.deleteHeld(text, source));
  }

  private async deleteHeld(text: string, source: string): Promise<string[]> {
    const objs = parseObjects(text, source);
    const store = await ObjectStore.open(this.dir);
    const out: string[] = [];
    for (const o of objs) {
      if (this.kube) await this.kube.remove(o);
      const gone = store.remove(o.kind, o.metadata.name, o.metadata.namespace);
      if (o.kind === 'VirtualMachine') store.remove('VirtualMachineInstance', o.metadata.name, o.metadata.namespace);
      out.push(`${o.kind.toLowerCase()} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name} ${gone ? 'deleted' : 'not found'}`);
    }
    await store.save();
    await this.reconcileHeld(store);
    return out;
  }

  /** Plans from the store and makes IP objects, VMIs, status, NB and the data plane match. */
  async reconcile(store?: ObjectStore, opts: { pull?: boolean } = {}): Promise<LabPlan> {
    return this.exclusive(() => this.reconcileHeld(store, opts));
  }

  private async reconcileHeld(store?: ObjectStore, opts: { pull?: boolean } = {}): Promise<LabPlan> {
    store ??= await ObjectStore.open(this.dir);
    if (this.kube && opts.pull !== false) await this.kube.pull(store);
    const plan = translate({ objects: store.list(), defaultSubnetCidr: this.state.defaultSubnetCidr, randomMac });
    store.replaceKind('IP', plan.ips);
    // VMIs: one per running VM, on the planned node (KubeVirt's virt-controller stand-in)
    const vmis: KubeObject[] = [];
    for (const vm of plan.vms.filter((v) => v.running && v.node)) {
      const prior = store.get('VirtualMachineInstance', vm.name, vm.namespace);
      vmis.push({
        apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance',
        metadata: { name: vm.name, namespace: vm.namespace, uid: prior?.metadata.uid ?? cryptoUid(), labels: { 'kubevirt.io/nodeName': vm.node! } },
        spec: {},
        status: {
          ...rec(prior?.status), phase: 'Running', nodeName: vm.node,
          interfaces: [{ name: 'default', ipAddress: vm.ip, ipAddresses: [vm.ip], mac: vm.mac, interfaceName: 'eth0' }],
        },
      });
    }
    store.replaceKind('VirtualMachineInstance', vmis);
    for (const s of plan.statuses) store.setStatus(s.kind, s.name, s.namespace, { ...rec(store.get(s.kind, s.name, s.namespace)?.status), ...s.status });
    const fresh = plan.events.filter((e) => store.recordEvent(e));
    await store.save();
    if (this.kube) await this.kube.push(store, fresh);
    const client = await OvsdbClient.connect<GenericTables>({ remote: this.nbRemote, database: 'OVN_Northbound', reconnect: false });
    try {
      await applyNb(client, plan.nb);
    } finally {
      client.close();
    }
    if (this.root) await this.realiseGateway(plan);
    // without root the VM ports are dummy interfaces: bound, so flows and traces are real, but nothing pings
    await this.realiseVms(plan);
    await this.saveState(this.state);
    // a new VirtualMachineInstanceMigration (no phase yet) is carried out now
    if (!this.migrating) {
      for (const m of store.list('VirtualMachineInstanceMigration').filter((x) => !rec(x.status).phase)) {
        this.migrating = true;
        try {
          await this.migrate(store, m);
        } finally {
          this.migrating = false;
        }
      }
    }
    return plan;
  }

  /**
   * Reconciles on every change the API server reports (kubectl apply, edits, deletes) until
   * `signal` aborts: the lab's stand-in for kube-ovn-controller's and virt-controller's loops.
   */
  async watch(signal: AbortSignal, onError: (e: Error) => void = () => undefined): Promise<void> {
    if (!this.kube) throw new Error('this lab has no API server (it was started without --kube): use `ovnlab lab apply`');
    const cs = new ClusterStore(this.kube.client, { resources: PULLED }).start();
    let queued = false;
    let running: Promise<void> = Promise.resolve();
    const kick = () => {
      if (queued) return;
      queued = true;
      running = running.then(async () => {
        await new Promise((r) => setTimeout(r, 50)); // fold a burst of changes into one pass
        queued = false;
        try {
          await this.reconcile();
        } catch (e) {
          onError(e as Error);
        }
      });
    };
    const off = cs.onChange(kick);
    await cs.ready;
    kick();
    await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
    off();
    await cs.stop();
    await running;
  }

  // ---------------------------------------------------------------- data plane

  private node(name: string): LocalLabNode {
    const n = this.state.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`node ${name} is not part of this lab`);
    return n;
  }

  private async recordNs(ns: string): Promise<void> {
    assertNetnsName(ns);
    if (!this.state.namespaces.includes(ns)) this.state.namespaces.push(ns);
    await this.saveState(this.state);
  }

  private async forgetNs(ns: string): Promise<void> {
    await delNetns(ns);
    this.state.namespaces = this.state.namespaces.filter((n) => n !== ns);
  }

  /** The external network: a bridge in the `outside` namespace, one veth per gateway node into its br-external. */
  private async realiseGateway(plan: LabPlan): Promise<void> {
    const want = plan.gateway;
    const cur = this.state.outside;
    const wantKey = want ? `${want.addr}|${want.nodes.join(',')}` : '';
    const curKey = cur ? `${cur.cidr}|${cur.node}` : '';
    if (wantKey === curKey) return;
    if (cur) {
      for (const name of cur.node.split(',')) {
        const ch = this.shellOf(this.node(name));
        await ch.vsctl(['--if-exists', 'del-br', 'br-external', '--', 'remove', 'open', '.', 'external_ids', 'ovn-bridge-mappings']);
      }
      await this.forgetNs(cur.netns);
      this.state.outside = undefined;
      this.state.gatewayNode = undefined;
    }
    if (!want) return;
    const ns = `ovl${this.state.id}-outside`;
    await this.recordNs(ns);
    await addNetns(ns);
    await ipIn(ns, ['link', 'add', 'br0', 'type', 'bridge']);
    await ipIn(ns, ['addr', 'add', want.addr, 'dev', 'br0']);
    await ipIn(ns, ['link', 'set', 'br0', 'address', '0a:00:c0:a8:64:01', 'up']);
    await txChecksumOff(ns, 'br0');
    for (const [i, name] of want.nodes.entries()) {
      const nd = this.node(name);
      const ch = this.shellOf(nd);
      await ch.vsctl(['--may-exist', 'add-br', 'br-external', '--', 'set', 'bridge', 'br-external', 'datapath_type=netdev', '--', 'set', 'open', '.', 'external_ids:ovn-bridge-mappings=external:br-external']);
      const g = `g${i}`;
      await addVeth({ name: g, netns: ns }, { name: 'ex0', netns: nd.netns });
      await ipIn(ns, ['link', 'set', g, 'master', 'br0', 'up']);
      await ipIn(nd.netns, ['link', 'set', 'ex0', 'up']);
      await txChecksumOff(ns, g);
      await ch.vsctl(['--may-exist', 'add-port', 'br-external', 'ex0']);
    }
    this.state.outside = { netns: ns, node: want.nodes.join(','), cidr: want.addr, hostIf: 'br0' };
    this.state.gatewayNode = want.nodes[0];
  }

  private vmNetns(port: string): string {
    const n = `ovl${this.state.id}-${port}`;
    return n.length <= 64 ? n : `ovl${this.state.id}-${createHash('sha256').update(port).digest('hex').slice(0, 16)}`;
  }

  private static hostIf(port: string): string {
    return `${createHash('sha256').update(port).digest('hex').slice(0, 12)}_h`;
  }

  private async realiseVms(plan: LabPlan): Promise<void> {
    const want = new Map(plan.vms.filter((v) => v.running && v.node).map((v) => [v.port, v]));
    for (const [port, plug] of Object.entries(this.state.vms)) {
      const w = want.get(port);
      if (!w || w.ip !== plug.ip || w.mac !== plug.mac || w.node !== plug.node || w.gateway !== plug.gateway) await this.unplug(plug);
    }
    const plugs: LocalLabVmPlug[] = [...want.values()].filter((v) => !this.state.vms[v.port]).map((v) => ({
      port: v.port, node: v.node!, netns: this.vmNetns(v.port), hostIf: LabController.hostIf(v.port), mac: v.mac, ip: v.ip, prefix: v.prefix, gateway: v.gateway,
    }));
    if (plugs.length === 0) return;
    // namespaces recorded first (one write), then plugged in parallel, then the state saved once
    for (const p of plugs) assertNetnsName(p.netns);
    if (this.root) this.state.namespaces.push(...plugs.map((p) => p.netns).filter((n) => !this.state.namespaces.includes(n)));
    await this.saveState(this.state);
    const settled = await Promise.allSettled(plugs.map((p) => this.plug(p)));
    await this.saveState(this.state);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async plug(p: LocalLabVmPlug): Promise<void> {
    const nd = this.node(p.node);
    if (!this.root) {
      await this.shellOf(nd).vsctl(['--may-exist', 'add-port', 'br-int', p.hostIf, '--', 'set', 'interface', p.hostIf, 'type=dummy', `options:ifname=${p.hostIf}`, `external_ids:iface-id=${p.port}`]);
      this.state.vms[p.port] = { ...p, netns: '' };
      return;
    }
    await addNetns(p.netns);
    await addVeth({ name: p.hostIf, netns: nd.netns }, { name: 'eth0', netns: p.netns });
    await configureGuestNic({ netns: p.netns, ifname: 'eth0', mac: p.mac, cidr: `${p.ip}/${p.prefix}`, gateway: p.gateway, mtu: VM_MTU });
    await txChecksumOff(p.netns, 'eth0');
    await ipIn(nd.netns, ['link', 'set', p.hostIf, 'up']);
    await this.shellOf(nd).vsctl(['--may-exist', 'add-port', 'br-int', p.hostIf, '--', 'set', 'interface', p.hostIf, `external_ids:iface-id=${p.port}`]);
    this.state.vms[p.port] = p;
  }

  private async unplug(p: LocalLabVmPlug): Promise<void> {
    const nd = this.state.nodes.find((n) => n.name === p.node);
    if (nd) await this.shellOf(nd).vsctl(['--if-exists', 'del-port', 'br-int', p.hostIf]).catch(() => undefined);
    if (p.netns) await this.forgetNs(p.netns);
    delete this.state.vms[p.port];
    await this.saveState(this.state);
  }

  /**
   * Live migration as Kube-OVN drives it (kubevirt.go): the port is requested on both chassis with
   * activation-strategy=rarp, the VM's NIC moves to the target node (our stand-in for QEMU's
   * switch-over) and announces itself with a RARP, then the port is requested on the target only.
   */
  private async migrate(store: ObjectStore, m: KubeObject): Promise<void> {
    const ns = m.metadata.namespace ?? 'default';
    const vmiName = str(rec(m.spec).vmiName) ?? '';
    const fail = async (reason: string, message: string) => {
      store.setStatus(m.kind, m.metadata.name, ns, { phase: 'Failed', conditions: [{ type: 'Failed', status: 'True', reason, message }] });
      store.recordEvent({ kind: m.kind, namespace: ns, name: m.metadata.name, type: 'Warning', reason, message });
      await store.save();
    };
    const vmi = store.get('VirtualMachineInstance', vmiName, ns);
    const source = str(rec(vmi?.status).nodeName);
    const port = `${vmiName}.${ns}`;
    if (!vmi || !source) return fail('VMINotRunning', `VirtualMachineInstance ${ns}/${vmiName} is not running: start the VM first`);
    const workers = this.state.nodes.filter((n) => n.name !== source);
    const load = (n: string) => Object.values(this.state.vms).filter((v) => v.node === n).length;
    const wanted = str(rec(rec(m.spec).addedNodeSelector)['kubernetes.io/hostname']);
    const target = wanted ?? workers.filter((n) => n.role === 'worker').concat(workers.filter((n) => n.role !== 'worker')).sort((a, b) => load(a.name) - load(b.name))[0]?.name;
    if (!target || target === source || !this.state.nodes.some((n) => n.name === target)) return fail('NoTargetNode', `no other node to migrate ${vmiName} to`);
    const startedAt = new Date().toISOString();
    vmi.status = { ...rec(vmi.status), migrationState: { sourceNode: source, targetNode: target, startTimestamp: startedAt, migrationUid: m.metadata.uid ?? cryptoUid(), completed: false } };
    store.setStatus(m.kind, m.metadata.name, ns, { phase: 'Scheduling' });
    await store.save();
    await this.reconcileHeld(store, { pull: false }); // requested-chassis=src,dst + activation-strategy=rarp
    await this.waitChassisCaughtUp(30);
    store.setStatus(m.kind, m.metadata.name, ns, { phase: 'Running' });
    const plug = this.state.vms[port];
    if (plug && !this.root) {
      await this.shellOf(this.node(source)).vsctl(['--if-exists', 'del-port', 'br-int', plug.hostIf]);
      plug.node = target;
      await this.plug(plug);
      await this.saveState(this.state);
    } else if (plug) {
      const src = this.node(source);
      const dst = this.node(target);
      await this.shellOf(src).vsctl(['--if-exists', 'del-port', 'br-int', plug.hostIf]);
      await ipIn(src.netns, ['link', 'set', plug.hostIf, 'netns', dst.netns!]);
      await ipIn(dst.netns, ['link', 'set', plug.hostIf, 'up']);
      const dch = this.shellOf(dst);
      await dch.vsctl(['add-port', 'br-int', plug.hostIf, '--', 'set', 'interface', plug.hostIf, `external_ids:iface-id=${port}`]);
      plug.node = target;
      this.state.vms[port] = plug;
      await this.saveState(this.state);
      await this.waitChassisCaughtUp(30);
      await waitOfport(dch, plug.hostIf);
      await sendRarp(dch, plug.hostIf, plug.mac);
    }
    const fresh = store.get('VirtualMachineInstance', vmiName, ns)!;
    fresh.status = { ...rec(fresh.status), nodeName: target, migrationState: { ...rec(rec(fresh.status).migrationState), completed: true, endTimestamp: new Date().toISOString() } };
    store.setStatus(m.kind, m.metadata.name, ns, { phase: 'Succeeded', migrationState: { sourceNode: source, targetNode: target, startTimestamp: startedAt, endTimestamp: new Date().toISOString(), completed: true } });
    await store.save();
    await this.reconcileHeld(store, { pull: false }); // requested-chassis=dst
  }

  async vmStatuses(): Promise<LabVmStatus[]> {
    const store = await ObjectStore.open(this.dir);
    return store.list('VirtualMachine').map((vm) => {
      const ns = vm.metadata.namespace ?? 'default';
      const port = `${vm.metadata.name}.${ns}`;
      const ip = store.get('IP', port);
      const vmi = store.get('VirtualMachineInstance', vm.metadata.name, ns);
      const st = rec(vm.status);
      const c = (Array.isArray(st.conditions) ? st.conditions : []).map(rec).find((x) => x.status === 'False' && x.message);
      const ann = rec(rec(rec(rec(vm.spec).template).metadata).annotations);
      return {
        name: vm.metadata.name, namespace: ns, phase: str(st.printableStatus) ?? 'Unknown', node: str(rec(vmi?.status).nodeName),
        ip: str(rec(ip?.spec).v4IpAddress), mac: str(rec(ip?.spec).macAddress), pinned: typeof ann['ovn.kubernetes.io/ip_address'] === 'string',
        port: ip ? port : undefined, message: c ? `${str(c.reason)}: ${str(c.message)}` : undefined,
      };
    });
  }
}

function cryptoUid(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function waitOfport(ch: OvsChassis, ifname: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const v = (await ch.vsctl(['get', 'interface', ifname, 'ofport']).catch(() => '')).trim();
    if (/^[1-9]\d*$/.test(v)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${ifname} got no OpenFlow port on ${ch.name}: see ${ch.dir}/log/ovs-vswitchd.log`);
}

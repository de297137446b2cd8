// The embedded local lab: OVN central + N emulated nodes (each a network namespace with its own
// ovsdb-server, ovs-vswitchd on the netdev datapath and ovn-controller), geneve over an underlay
// bridge in a namespace of the lab's own, VMs as namespaces wired to their node's br-int.
// Without root there are no namespaces: the nodes run on the dummy datapath, so flows and
// traces work but nothing pings.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { LabApplyResult, LabBackend, LabExecResult, LabNodeStatus, LabProgress, LabStatus, LabUpOptions, LabVmStatus } from '../lab-backend';
import { addNetns, assertNetnsName, canUseNetns, delNetns } from './netns';
import { DaemonShell, daemonAlive, startChassis, startOvnCentral, stopByPidfile, stopMonitors, checkOvnInstalled, type OvsChassis, type OvnCentral } from './ovn-daemons';
import { readLabState, writeLabState, statePath, type LocalLabNode, type LocalLabState } from './lab-state';
import { createBrPhy, createUnderlayBridge, prefillTunnelNeighbour, wireNodeToUnderlay } from './node-network';
import { LabController } from './controller/lab-controller';
import { KubeSync } from './controller/kube-sync';
import { startKubeApiServer, stopKubeApiServerAt } from './kube-apiserver';
import { findCrdDir, installOvnlabCrds } from '../../k8s/crd-install';
import { KubeClient, loadKubeConfig } from '../../k8s/kube-client';
import { copyFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NO_ROOT_NOTE =
  'not running as root: no network namespaces, so the nodes use the dummy datapath — flows and traces work, pings do not. Run as root for a lab that pings.';

const NODE_NAMES = ['ovnlab-control-plane', 'ovnlab-worker'];
export function nodeNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i < 2 ? NODE_NAMES[i] : `ovnlab-worker${i}`));
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export class LocalLab implements LabBackend {
  readonly kind = 'local' as const;

  /** `datapath: 'dummy'` forces the no-root mode (tests of it run as root too). */
  constructor(readonly dir: string, private readonly opts: { datapath?: 'dummy' } = {}) {}

  async up(opts: LabUpOptions, progress: LabProgress, signal?: AbortSignal): Promise<LabStatus> {
    const n = opts.nodes ?? 3;
    if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`--nodes must be a whole number from 1 to 16 (got ${String(opts.nodes)})`);
    const cidr = opts.defaultSubnetCidr ?? '10.16.0.0/16';
    if (!CIDR.test(cidr)) throw new Error(`default subnet CIDR "${cidr}" is not IPv4/prefix, e.g. 10.16.0.0/16`);
    const prior = await readLabState(this.dir);
    if (prior) throw new Error(`a lab already exists in ${this.dir} (${prior.phase}): run \`ovnlab lab down --dir ${this.dir}\` first, or use another --dir`);
    await checkOvnInstalled();
    const root = canUseNetns() && this.opts.datapath !== 'dummy';
    if (!root) progress(NO_ROOT_NOTE);
    const id = randomBytes(2).toString('hex');
    const state: LocalLabState = {
      version: 1, backend: 'local', id, phase: 'starting', datapath: root ? 'netdev' : 'dummy',
      createdAt: new Date().toISOString(), defaultSubnetCidr: cidr, centralDir: join(this.dir, 'central'),
      namespaces: [], nodes: [], vms: {},
    };
    await mkdir(this.dir, { recursive: true });
    await writeLabState(this.dir, state);
    try {
      await this.bringUp(state, nodeNames(n), progress, signal, opts.kube === true);
    } catch (e) {
      progress(signal?.aborted ? 'cancelled: removing what was made' : `failed (${(e as Error).message}): removing what was made`);
      await this.down();
      if (signal?.aborted) throw new Error('lab up was cancelled; everything it had made was removed', { cause: e });
      throw e;
    }
    return this.status();
  }

  private async bringUp(state: LocalLabState, names: string[], progress: LabProgress, signal: AbortSignal | undefined, withKube: boolean): Promise<void> {
    const check = () => signal?.throwIfAborted();
    const t0 = Date.now();
    const steps = names.length + 3;
    const root = state.datapath === 'netdev';
    const nodes: LocalLabNode[] = names.map((name, i) => ({
      name, role: i === 0 ? 'control-plane' : 'worker', dir: join(this.dir, 'nodes', name),
      netns: root ? `ovl${state.id}-${name}` : undefined,
      encapIp: `172.31.255.${i + 1}`, phyMac: `0a:00:ac:1f:ff:${(i + 1).toString(16).padStart(2, '0')}`,
    }));
    state.nodes = nodes;
    if (root) state.underlayNetns = `ovl${state.id}-underlay`;
    // every namespace is recorded before any is made, so down() finds them after any failure
    for (const ns of [state.underlayNetns, ...nodes.map((n) => n.netns)]) if (ns) await this.recordNetns(state, ns);
    progress('starting OVN central (NB, SB, northd) and the nodes', 0);
    // central and the nodes' OVS start together; each ovn-controller waits for northd's first
    // write to the SB (see startOvnCentral)
    const sbRemote = `unix:${join(state.centralDir, 'run', 'ovnsb_db.sock')}`;
    const underlay = (async () => {
      if (!state.underlayNetns) return;
      await addNetns(state.underlayNetns);
      await createUnderlayBridge(state.underlayNetns);
    })();
    let done = 0;
    // allSettled: on a failure or an abort, every start must have finished before down() runs,
    // or a daemon still starting could outlive the cleanup
    const kube = async (): Promise<undefined> => {
      if (!withKube) return undefined;
      // the real API server (+ etcd) and the CRDs; slow (seconds), so it starts alongside OVN
      const kdir = join(this.dir, 'kube');
      state.kube = { dir: kdir, kubeconfig: join(this.dir, 'kubeconfig') };
      await writeLabState(this.dir, state);
      const api = await startKubeApiServer({ dir: kdir, ensure: { allowDownload: false, allowBuild: false } });
      await copyFile(api.kubeconfigPath, state.kube.kubeconfig);
      const crds = (await findCrdDir(dirname(fileURLToPath(import.meta.url)))) ?? (await findCrdDir());
      await installOvnlabCrds(loadKubeConfig({ kubeconfig: state.kube.kubeconfig }), { dir: crds, signal });
      progress(`API server up with the CRDs (${((Date.now() - t0) / 1000).toFixed(2)} s); kubeconfig ${state.kube.kubeconfig}`);
      return undefined;
    };
    const centralUp = startOvnCentral(state.centralDir);
    const settled = await Promise.allSettled([
      centralUp,
      kube(),
      ...nodes.map(async (nd, i) => {
        await underlay;
        if (nd.netns && state.underlayNetns) {
          await addNetns(nd.netns);
          await wireNodeToUnderlay(state.underlayNetns, nd.netns, i + 1);
        }
        check();
        const ch = await startChassis({ dir: nd.dir, name: nd.name, sbRemote, netns: nd.netns, datapathType: state.datapath, encapIp: nd.encapIp, sbReady: centralUp });
        if (root) await createBrPhy(ch, nd.encapIp, nd.phyMac);
        progress(`node ${nd.name} up (${((Date.now() - t0) / 1000).toFixed(2)} s)`, ++done / steps);
        return ch;
      }),
    ]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const central = (settled[0] as PromiseFulfilledResult<OvnCentral>).value;
    const chassis = settled.slice(2).map((r) => (r as PromiseFulfilledResult<OvsChassis>).value);
    check();
    if (root) {
      await Promise.all(chassis.flatMap((ch, i) => nodes.filter((_, j) => j !== i).map((peer) => prefillTunnelNeighbour(ch, peer.encapIp, peer.phyMac))));
    }
    state.phase = 'up';
    await writeLabState(this.dir, state);
    progress('programming the Kube-OVN topology', (done + 1) / steps);
    const ctl = await this.controller();
    await ctl.ensureNodes();
    check();
    progress('waiting for every chassis to register', (done + 2) / steps);
    // registered is enough here: `apply` waits for the chassis to install the flows of what it adds
    await this.waitChassis(central.sbctl, names, signal);
    progress(`lab up in ${((Date.now() - t0) / 1000).toFixed(2)} s`, 1);
  }

  private async recordNetns(state: LocalLabState, ns: string): Promise<void> {
    assertNetnsName(ns);
    if (!state.namespaces.includes(ns)) state.namespaces.push(ns);
    await writeLabState(this.dir, state);
  }

  private async waitChassis(sbctl: (a: string[]) => Promise<string>, names: string[], signal?: AbortSignal): Promise<void> {
    for (let i = 0; i < 300; i++) {
      signal?.throwIfAborted();
      const out = await sbctl(['--bare', '--columns=name', 'list', 'chassis']);
      const have = new Set(out.split('\n').map((l) => l.trim()).filter(Boolean));
      if (names.every((nm) => have.has(nm))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('ovn-controller on some nodes did not register with the SB database within 15 s: see the logs under nodes/*/log in the lab directory');
  }

  /** The controller bound to this lab's running daemons. */
  async controller(): Promise<LabController> {
    const state = await this.requireState();
    const kube = state.kube ? new KubeSync(KubeClient.fromKubeconfig({ kubeconfig: state.kube.kubeconfig })) : undefined;
    return new LabController(this.dir, state, (s) => writeLabState(this.dir, s), (nd) => this.chassisShell(nd), kube, () => readLabState(this.dir));
  }

  /** Tools (vsctl, ofctl, appctl) of one node's daemons, without starting anything. */
  chassisShell(nd: LocalLabNode): OvsChassis {
    const sh = new DaemonShell(nd.dir, nd.netns);
    const dbRemote = `unix:${sh.path('run', 'db.sock')}`;
    return {
      name: nd.name, dir: nd.dir, netns: nd.netns, shell: sh, dbRemote,
      vsctl: (a) => sh.run('ovs-vsctl', [`--db=${dbRemote}`, ...a]),
      ofctl: (a) => sh.run('ovs-ofctl', a),
      appctl: (a) => sh.run('ovs-appctl', [`--target=${sh.path('run', 'ovs-vswitchd.ctl')}`, ...a]),
      stop: async () => undefined,
    };
  }

  async requireState(): Promise<LocalLabState> {
    const s = await readLabState(this.dir);
    if (!s) throw new Error(`no local lab in ${this.dir}: run \`ovnlab lab up\` first`);
    return s;
  }

  async down(progress: LabProgress = () => undefined): Promise<void> {
    const state = await readLabState(this.dir);
    if (state) {
      state.phase = 'stopping';
      await writeLabState(this.dir, state);
    }
    // the API server and etcd keep their pids in kube/state.json
    if (existsSync(join(this.dir, 'kube'))) await stopKubeApiServerAt(join(this.dir, 'kube'));
    // monitors first (one whose daemon just crashed would restart it), then the daemons: every
    // pidfile under the lab directory, children first (controllers, vswitchd, then dbs)
    for (const pid of await stopMonitors(this.dir)) progress(`stopped monitor process ${pid}`);
    const order = ['ovn-controller', 'ovs-vswitchd', 'ovsdb-server', 'ovn-northd', 'ovnsb_db', 'ovnnb_db', 'kube-apiserver', 'etcd'];
    const pidfiles = await findPidfiles(this.dir);
    pidfiles.sort((a, b) => rank(a) - rank(b));
    function rank(p: string): number {
      const i = order.findIndex((o) => p.endsWith(`/${o}.pid`));
      return i < 0 ? order.length : i;
    }
    for (const r of [...new Set(pidfiles.map(rank))].sort((x, y) => x - y)) {
      const stopped = await Promise.all(pidfiles.filter((p) => rank(p) === r).map((p) => stopByPidfile(p, this.dir)));
      for (const pid of stopped) if (pid) progress(`stopped process ${pid}`);
    }
    // namespaces: deleting one removes the veths and netdev taps inside it
    for (const ns of [...(state?.namespaces ?? [])].reverse()) {
      await delNetns(ns);
    }
    if (state) for (const ns of state.namespaces) if (await netnsListed(ns)) throw new Error(`could not delete network namespace ${ns}: delete it with \`ip netns del ${ns}\``);
    // the lab directory itself: only what we made (the state file and daemon directories)
    for (const d of ['central', 'nodes', 'vms', 'objects.json', 'kube', 'kubeconfig']) await rm(join(this.dir, d), { recursive: true, force: true });
    await rm(statePath(this.dir), { force: true });
    progress(state ? `lab in ${this.dir} removed` : `no lab in ${this.dir}; nothing to remove`);
  }

  async status(): Promise<LabStatus> {
    const state = await readLabState(this.dir);
    if (!state) return { backend: 'local', dir: this.dir, state: 'down', nodes: [], vms: [], notes: [] };
    const central = new DaemonShell(state.centralDir);
    const sbRemote = `unix:${central.path('run', 'ovnsb_db.sock')}`;
    const nbRemote = `unix:${central.path('run', 'ovnnb_db.sock')}`;
    let chassisNames = new Set<string>();
    let healthy = state.phase === 'up';
    try {
      const out = await central.run('ovn-sbctl', [`--db=${sbRemote}`, '--timeout=5', '--bare', '--columns=name', 'list', 'chassis']);
      chassisNames = new Set(out.split('\n').map((l) => l.trim()).filter(Boolean));
    } catch {
      healthy = false;
    }
    const nodes: LabNodeStatus[] = [];
    for (const nd of state.nodes) {
      const alive = await daemonAlive(join(nd.dir, 'run', 'ovn-controller.pid'), this.dir);
      if (!alive) healthy = false;
      nodes.push({ name: nd.name, role: nd.role, encapIp: nd.encapIp, chassisUp: alive && chassisNames.has(nd.name), gateway: state.gatewayNode === nd.name });
    }
    let vms: LabVmStatus[] = [];
    try {
      vms = await (await this.controller()).vmStatuses();
    } catch {
      healthy = false;
    }
    return {
      backend: 'local', dir: this.dir, state: healthy ? 'up' : 'broken', nodes, vms, kubeconfig: state.kube?.kubeconfig,
      notes: state.datapath === 'dummy' ? [NO_ROOT_NOTE] : [], nbRemote, sbRemote,
    };
  }

  async exec(vm: string, cmd: string[], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<LabExecResult> {
    const state = await this.requireState();
    if (state.datapath !== 'netdev') throw new Error(`${NO_ROOT_NOTE} (VMs have no namespace to run commands in)`);
    if (cmd.length === 0) throw new Error('nothing to run: ovnlab lab exec VM -- CMD…');
    let netns: string | undefined;
    if (vm === 'outside') netns = state.outside?.netns;
    else {
      const port = vm.includes('.') ? vm : `${vm}.default`;
      netns = state.vms[port]?.netns;
    }
    if (!netns) {
      const known = [...Object.keys(state.vms), ...(state.outside ? ['outside'] : [])];
      throw new Error(`no running VM "${vm}" in the lab (running: ${known.join(', ') || 'none'}); name it <vm> or <vm>.<namespace>`);
    }
    const r = await execa('ip', ['netns', 'exec', netns, ...cmd], { reject: false, timeout: opts.timeoutMs, cancelSignal: opts.signal });
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  async apply(yamlText: string, source = 'input'): Promise<LabApplyResult> {
    const ctl = await this.controller();
    return ctl.apply(yamlText, source);
  }
}

async function findPidfiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string, depth: number): Promise<void> {
    if (depth > 4 || !existsSync(d)) return;
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (e.name.endsWith('.pid')) out.push(p);
    }
  }
  await walk(dir, 0);
  return out;
}

async function netnsListed(ns: string): Promise<boolean> {
  const r = await execa('ip', ['netns', 'list'], { reject: false });
  return String(r.stdout).split('\n').some((l) => l.split(' ')[0] === ns);
}

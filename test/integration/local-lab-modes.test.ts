// The local lab's two other modes: the no-root mode (dummy datapath: NB, bound ports, flows and
// traces, no pings) and the API-server mode (lab up --kube: kubectl apply + the watching
// controller realise a VM and write its status, IP object and events back).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LocalLab, NO_ROOT_NOTE } from '../../src/lab/local/local-lab';
import { readLabState } from '../../src/lab/local/lab-state';
import { canUseNetns } from '../../src/lab/local/netns';
import { DaemonShell, isAlive } from '../../src/lab/local/ovn-daemons';
import { findBinary } from '../../src/lab/local/control-plane-binaries';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'lab');

async function noProcessesOf(dir: string): Promise<string[]> {
  return (await execa('ps', ['-eo', 'pid,stat,args'])).stdout.split('\n').filter((l) => l.includes(dir) && !/\sZ/.test(l));
}

test('no-root mode: dummy datapath, ports bound and flows installed, exec says why nothing pings', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ovnlab-dummy-'));
  const lab = new LocalLab(dir, { datapath: 'dummy' });
  const notes: string[] = [];
  let monitor = 0;
  try {
    await lab.up({ nodes: 2 }, (s) => notes.push(s));
    assert.equal(notes.filter((n) => n === NO_ROOT_NOTE).length, 1, 'said once');
    const st = (await readLabState(dir))!;
    assert.equal(st.datapath, 'dummy');
    assert.deepEqual(st.namespaces, [], 'no namespaces in this mode');
    const r = await lab.apply(await readFile(join(fixtures, 'seed-003-external-gw.yaml'), 'utf8'), 'seed-003');
    assert.deepEqual(r.problems, []);
    const status = await lab.status();
    assert.deepEqual(status.notes, [NO_ROOT_NOTE]);
    const vm = status.vms.find((v) => v.name === 'testvm')!;
    const central = new DaemonShell(st.centralDir);
    const sb = `--db=unix:${join(st.centralDir, 'run', 'ovnsb_db.sock')}`;
    let bound = '';
    for (let i = 0; i < 50 && !bound; i++) {
      bound = (await central.run('ovn-sbctl', [sb, '--bare', '--columns=chassis', 'find', 'port_binding', 'logical_port=testvm.default'])).trim();
      if (!bound) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(bound, 'the VM port is bound to its chassis');
    const node = st.nodes.find((n) => n.name === vm.node)!;
    const flows = await new DaemonShell(node.dir).run('ovs-ofctl', ['dump-flows', 'br-int']);
    assert.ok(flows.includes(vm.mac!), 'flows for the VM\'s MAC on its node');
    await assert.rejects(lab.exec('testvm', ['true']), /dummy datapath/);
    // ovn-controller runs under --monitor: a crash would be restarted and only show in its log
    // (Debian's 23.03 crashed when it met an SB that ovn-northd had not written yet)
    for (const n of st.nodes) {
      const log = await readFile(join(n.dir, 'log', 'ovn-controller.log'), 'utf8');
      assert.doesNotMatch(log, /crashes: pid \d+ died/, `ovn-controller on ${n.name} crashed`);
    }
    // a node whose ovn-controller crashed twice: its monitor restarts it at once after the first
    // crash and waits 10 s after the second; meanwhile apply says which node, at once, and keeps
    // the change, and down must stop the waiting monitor too (or it restarts the daemon later)
    const victim = st.nodes[1]!;
    const pidfile = join(victim.dir, 'run', 'ovn-controller.pid');
    const first = Number((await readFile(pidfile, 'utf8')).trim());
    const stat = await readFile(`/proc/${first}/stat`, 'utf8');
    monitor = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    assert.match(await readFile(`/proc/${monitor}/cmdline`, 'utf8'), /^ovn-controller: monitoring pid /, 'ovn-controller runs under its monitor');
    process.kill(first, 'SIGSEGV');
    let second = first;
    for (let i = 0; i < 50 && (second === first || !isAlive(second)); i++) {
      await new Promise((res) => setTimeout(res, 100));
      second = Number((await readFile(pidfile, 'utf8').catch(() => String(first))).trim());
    }
    assert.notEqual(second, first, 'the monitor restarted the crashed ovn-controller');
    process.kill(second, 'SIGSEGV');
    for (let i = 0; i < 50 && isAlive(second); i++) await new Promise((res) => setTimeout(res, 100));
    const subnet = 'apiVersion: kubeovn.io/v1\nkind: Subnet\nmetadata: {name: late}\nspec: {cidrBlock: 10.77.0.0/24, protocol: IPv4}\n';
    const t0 = Date.now();
    await assert.rejects(lab.apply(subnet, 'late.yaml'), new RegExp(`ovn-controller is not running on ${victim.name}.*lab down`));
    assert.ok(Date.now() - t0 < 20_000, 'said so without waiting for the whole sync timeout');
    assert.match(await readFile(join(dir, 'objects.json'), 'utf8'), /"late"/, 'the Subnet is stored');
  } finally {
    await lab.down();
    assert.deepEqual(await noProcessesOf(dir), []);
    if (monitor) assert.ok(!isAlive(monitor), `the ovn-controller monitor ${monitor} was stopped by down`);
    await rm(dir, { recursive: true, force: true });
  }
});

test('API-server mode: kubectl apply, the watching controller writes VM status, IP object and an event', async (t) => {
  if (!canUseNetns()) return t.skip('needs root for network namespaces (run as root, as CI does)');
  if (!(await findBinary('kube-apiserver')) || !(await findBinary('etcd'))) {
    return t.skip('kube-apiserver/etcd not found: build them with scripts/build-kube-apiserver.sh (CI does)');
  }
  const dir = await mkdtemp(join(tmpdir(), 'ovnlab-kube-'));
  const lab = new LocalLab(dir);
  const ac = new AbortController();
  let watching: Promise<void> | undefined;
  try {
    const st = await lab.up({ nodes: 3, kube: true }, () => undefined);
    assert.ok(st.kubeconfig && existsSync(st.kubeconfig));
    const kubectl = (args: string[]) => execa('kubectl', ['--kubeconfig', st.kubeconfig!, ...args], { reject: false });
    const ctl = await lab.controller();
    const errors: string[] = [];
    watching = ctl.watch(ac.signal, (e) => errors.push(e.message));
    const nodes = await kubectl(['get', 'nodes', '-o', 'name']);
    assert.equal(nodes.stdout.trim(), 'node/ovnlab-control-plane\nnode/ovnlab-worker\nnode/ovnlab-worker2');
    // our CRDs serve kubevirt.io/v1 only: seed 000's v1alpha3 document goes in as v1
    const seed000 = (await readFile(join(fixtures, 'seed-000-pinned.yaml'), 'utf8')).replace('kubevirt.io/v1alpha3', 'kubevirt.io/v1');
    const ap = await execa('kubectl', ['--kubeconfig', st.kubeconfig!, 'apply', '-f', '-', '-f', join(fixtures, 'vm2.yaml')], { reject: false, input: seed000 });
    assert.equal(ap.exitCode, 0, ap.stderr);
    let phase = '';
    for (let i = 0; i < 100 && phase !== 'Running'; i++) {
      await new Promise((res) => setTimeout(res, 200));
      phase = (await kubectl(['get', 'vm', 'testvm', '-o', 'jsonpath={.status.printableStatus}'])).stdout;
    }
    assert.equal(phase, 'Running', `VM status written back (controller errors: ${errors.join('; ')})`);
    const ip = await kubectl(['get', 'ip', 'testvm.default', '-o', 'jsonpath={.spec.v4IpAddress} {.spec.podType}']);
    assert.equal(ip.stdout, '10.16.0.15 VirtualMachine');
    const vmi = await kubectl(['get', 'vmi', 'testvm', '-o', 'jsonpath={.status.interfaces[0].ipAddress}']);
    assert.equal(vmi.stdout, '10.16.0.15');
    let pinged = false;
    for (let i = 0; i < 30 && !pinged; i++) {
      try {
        pinged = (await lab.exec('vm2', ['ping', '-c1', '-W1', '10.16.0.15'])).exitCode === 0;
      } catch {
        await new Promise((res) => setTimeout(res, 200)); // vm2 not plugged yet
      }
    }
    assert.ok(pinged, 'vm2 pings the pinned IP');
    const bad = await execa('kubectl', ['--kubeconfig', st.kubeconfig!, 'apply', '-f', '-'], {
      reject: false,
      input: 'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: taken, namespace: default}\nspec:\n  runStrategy: Always\n  template:\n    metadata:\n      annotations: {ovn.kubernetes.io/ip_address: 10.16.0.15}\n    spec: {}\n',
    });
    assert.equal(bad.exitCode, 0, bad.stderr);
    let reason = '';
    for (let i = 0; i < 50 && !reason; i++) {
      await new Promise((res) => setTimeout(res, 200));
      reason = (await kubectl(['get', 'events', '--field-selector', 'involvedObject.name=taken', '-o', 'jsonpath={.items[*].reason}'])).stdout;
    }
    assert.equal(reason, 'IPConflict');
  } finally {
    ac.abort();
    await watching?.catch(() => undefined);
    await lab.down();
    assert.deepEqual(await noProcessesOf(dir), []);
    await rm(dir, { recursive: true, force: true });
  }
});

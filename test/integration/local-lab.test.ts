// The embedded local lab on the real daemons: three emulated nodes, seed 003 (external gateway,
// EIP reachable from outside, NAT counters on the gateway node), seed 000 (pinned IP, kept IP
// across stop/start, live migration keeping IP and MAC while ping keeps working), bad input
// that gets a condition without breaking anything, and `down` / a cancelled `up` that leave
// nothing behind.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LocalLab } from '../../src/lab/local/local-lab';
import { readLabState, type LocalLabState } from '../../src/lab/local/lab-state';
import { canUseNetns } from '../../src/lab/local/netns';
import { DaemonShell } from '../../src/lab/local/ovn-daemons';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'lab');
const skipWhy = canUseNetns() ? undefined : 'needs root for network namespaces (run as root, as CI does)';

async function leftovers(id: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  const ns = (await execa('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith(`ovl${id}-`));
  out.push(...ns.map((n) => `netns ${n}`));
  const ps = (await execa('ps', ['-eo', 'pid,stat,args'])).stdout.split('\n').filter((l) => l.includes(dir) && !/\sZ/.test(l));
  out.push(...ps.map((p) => `process ${p.trim()}`));
  return out;
}

function vmYaml(name: string, opts: { ip?: string; eip?: string; run?: boolean; subnet?: string } = {}): string {
  const ann: string[] = [];
  if (opts.ip) ann.push(`        ovn.kubernetes.io/ip_address: ${opts.ip}`);
  if (opts.eip) ann.push(`        ovn.kubernetes.io/eip: ${opts.eip}`);
  if (opts.subnet) ann.push(`        ovn.kubernetes.io/logical_switch: ${opts.subnet}`);
  return `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: ${name}
  namespace: default
spec:
  runStrategy: ${opts.run === false ? 'Halted' : 'Always'}
  template:
    metadata:
${ann.length ? `      annotations:\n${ann.join('\n')}` : '      annotations: {}'}
    spec:
      domain:
        devices:
          interfaces:
            - name: default
              bridge: {}
`;
}

async function ping(lab: LocalLab, from: string, ip: string, tries = 25): Promise<{ ok: boolean; output: string }> {
  let last = '';
  for (let i = 0; i < tries; i++) {
    const r = await lab.exec(from, ['ping', '-c', '1', '-W', '1', ip]);
    last = r.stdout + r.stderr;
    if (r.exitCode === 0) return { ok: true, output: last };
    await new Promise((res) => setTimeout(res, 100));
  }
  return { ok: false, output: last };
}

test('a cancelled lab up leaves nothing outside the lab directory', async (t) => {
  if (skipWhy) return t.skip(skipWhy);
  const dir = await mkdtemp(join(tmpdir(), 'ovnlab-cancel-'));
  const lab = new LocalLab(dir);
  const ac = new AbortController();
  let id = '';
  const err = await lab
    .up({ nodes: 3 }, async (step) => {
      if (!id) id = (await readLabState(dir).catch(() => undefined))?.id ?? '';
      if (step.startsWith('node ')) ac.abort(); // mid-way: central and one node are up
    }, ac.signal)
    .then(() => undefined, (e: Error) => e);
  try {
    assert.ok(err, 'up rejected');
    assert.match(err.message, /cancelled/);
    assert.ok(id, 'the state file was written before anything was made');
    assert.deepEqual(await leftovers(id, dir), []);
    assert.equal(existsSync(join(dir, 'lab.json')), false, 'state file removed');
    assert.deepEqual((await readdir(dir)).filter((f) => !f.startsWith('.')), [], 'lab directory emptied');
  } finally {
    await lab.down();
    await rm(dir, { recursive: true, force: true });
  }
});

describe('local lab: three nodes, seed 003 and seed 000 scenarios', { skip: skipWhy }, () => {
  let dir: string;
  let lab: LocalLab;
  let state: LocalLabState;
  const nbctl = (args: string[]) => new DaemonShell(state.centralDir).run('ovn-nbctl', [`--db=unix:${join(state.centralDir, 'run', 'ovnnb_db.sock')}`, ...args]);
  const sbctl = (args: string[]) => new DaemonShell(state.centralDir).run('ovn-sbctl', [`--db=unix:${join(state.centralDir, 'run', 'ovnsb_db.sock')}`, ...args]);
  const vm = async (name: string) => (await lab.status()).vms.find((v) => v.name === name);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ovnlab-lab-'));
    lab = new LocalLab(dir);
    await lab.up({ nodes: 3 }, () => undefined);
    state = (await readLabState(dir))!;
  });

  after(async () => {
    const id = state?.id;
    await lab.down();
    if (id) assert.deepEqual(await leftovers(id, dir), [], 'lab down leaves no namespace or process');
    assert.equal(existsSync(join(dir, 'lab.json')), false);
    await rm(dir, { recursive: true, force: true });
  });

  test('three chassis named after the nodes, each with its own encap IP', async () => {
    const st = await lab.status();
    assert.equal(st.state, 'up');
    assert.deepEqual(st.nodes.map((n) => n.name), ['ovnlab-control-plane', 'ovnlab-worker', 'ovnlab-worker2']);
    assert.ok(st.nodes.every((n) => n.chassisUp));
    const encaps = (await sbctl(['--bare', '--columns=ip', 'list', 'encap'])).split('\n').filter(Boolean).sort();
    assert.deepEqual(encaps, ['172.31.255.1', '172.31.255.2', '172.31.255.3']);
  });

  test('seed 003: NB has Kube-OVN\'s switches, router ports, gateway chassis and the EIP dnat_and_snat', async () => {
    const r = await lab.apply(await readFile(join(fixtures, 'seed-003-external-gw.yaml'), 'utf8'), 'seed-003');
    assert.deepEqual(r.problems, []);
    const testvm = await vm('testvm');
    assert.equal(testvm?.phase, 'Running');
    assert.ok(testvm?.ip?.startsWith('10.16.'));
    const switches = (await nbctl(['--bare', '--columns=name', 'list', 'logical_switch'])).split('\n').filter(Boolean).sort();
    assert.deepEqual(switches, ['external', 'join', 'ovn-default']);
    assert.equal((await nbctl(['--bare', '--columns=name', 'list', 'logical_router'])).trim(), 'ovn-cluster');
    const lrps = Object.fromEntries((await nbctl(['--format=csv', '--data=bare', '--no-headings', '--columns=name,networks', 'list', 'logical_router_port'])).trim().split('\n').map((l) => l.split(',')));
    assert.deepEqual(lrps, { 'ovn-cluster-join': '100.64.0.1/16', 'ovn-cluster-ovn-default': '10.16.0.1/16', 'ovn-cluster-external': '192.168.100.254/24' });
    assert.equal((await nbctl(['get', 'logical_router_port', 'ovn-cluster-external', 'mac'])).trim(), '"16:52:f3:13:6a:25"');
    const gc = (await nbctl(['--bare', '--columns=name,chassis_name,priority', 'list', 'gateway_chassis'])).split('\n').filter(Boolean);
    assert.deepEqual(gc, ['ovn-cluster-external-ovnlab-control-plane', 'ovnlab-control-plane', '100']);
    const nat = (await nbctl(['--bare', '--columns=type,external_ip,logical_ip', 'list', 'nat'])).split('\n').filter(Boolean);
    assert.deepEqual(nat, ['dnat_and_snat', '192.168.100.101', testvm!.ip]);
    const ext = (await nbctl(['get', 'logical_switch_port', 'testvm.default', 'external_ids'])).trim();
    assert.equal(ext, '{ls=ovn-default, pod="default/testvm", vendor=kube-ovn}');
    assert.equal((await nbctl(['get', 'logical_switch_port', 'localnet.external', 'options:network_name'])).trim(), 'external');
  });

  test('seed 003: outside pings the EIP and the NAT flows count it on the gateway node', async () => {
    const gw = state.nodes.find((n) => n.name === 'ovnlab-control-plane')!;
    const sh = new DaemonShell(gw.dir, gw.netns);
    const natPackets = async () => {
      const flows = await sh.run('ovs-ofctl', ['dump-flows', 'br-int']);
      return flows.split('\n').filter((l) => l.includes('192.168.100.101') && /ct\(.*nat/.test(l)).reduce((s, l) => s + Number(/n_packets=(\d+)/.exec(l)?.[1] ?? 0), 0);
    };
    const first = await ping(lab, 'outside', '192.168.100.101');
    assert.ok(first.ok, `outside → EIP: ${first.output}`);
    const before = await natPackets();
    const r = await lab.exec('outside', ['ping', '-c', '5', '-i', '0.2', '192.168.100.101']);
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    let afterCount = before;
    for (let i = 0; i < 30 && afterCount < before + 5; i++) {
      await new Promise((res) => setTimeout(res, 200)); // revalidators push datapath stats ~1 s later
      afterCount = await natPackets();
    }
    assert.ok(afterCount >= before + 5, `NAT flow n_packets ${before} → ${afterCount}`);
    // from the VM's worker, the way out goes through the gateway node's chassis-redirect port
    const vmNode = (await vm('testvm'))!.node!;
    assert.notEqual(vmNode, gw.name);
    const st = (await readLabState(dir))!;
    const v = st.vms['testvm.default'];
    const trace = await new DaemonShell(state.centralDir).run('ovn-trace', [
      `--db=unix:${join(state.centralDir, 'run', 'ovnsb_db.sock')}`, '--summary', 'ovn-default',
      `inport == "testvm.default" && eth.src == ${v.mac} && eth.dst == ${(await nbctl(['get', 'logical_router_port', 'ovn-cluster-ovn-default', 'mac'])).trim().replace(/"/g, '')} && ip4.src == ${v.ip} && ip4.dst == 192.168.100.1 && ip.ttl == 64 && icmp4.type == 8`,
    ]);
    assert.match(trace, /cr-ovn-cluster-external/, 'the trace hops to the gateway chassis');
    assert.match(trace, /ct_snat|snat|nat/i);
  });

  test('cross-node: two VMs on different workers ping each other over geneve', async () => {
    const r = await lab.apply(vmYaml('vm2'), 'vm2');
    assert.deepEqual(r.problems, []);
    const [a, b] = [await vm('testvm'), await vm('vm2')];
    assert.ok(a?.node && b?.node && a.node !== b.node, `placed on ${a?.node} and ${b?.node}`);
    const p = await ping(lab, 'vm2', a!.ip!);
    assert.ok(p.ok, p.output);
    const mtu = await lab.exec('vm2', ['cat', '/sys/class/net/eth0/mtu']);
    assert.equal(mtu.stdout.trim(), '1400');
  });

  test('seed 000: the pinned IP is the VM\'s IP (in NB, the IP object and inside the VM)', async () => {
    const r = await lab.apply(await readFile(join(fixtures, 'seed-000-pinned.yaml'), 'utf8'), 'seed-000');
    assert.deepEqual(r.problems, []);
    const v = await vm('testvm');
    assert.equal(v?.ip, '10.16.0.15');
    assert.equal(v?.pinned, true);
    const addrs = (await nbctl(['get', 'logical_switch_port', 'testvm.default', 'addresses'])).trim();
    assert.equal(addrs, `["${v!.mac} 10.16.0.15"]`);
    const inside = await lab.exec('testvm', ['ip', '-4', '-o', 'addr', 'show', 'eth0']);
    assert.match(inside.stdout, /inet 10\.16\.0\.15\/16/);
    assert.equal((await nbctl(['--bare', '--columns=type', 'list', 'nat'])).trim(), '', 'the EIP went with the annotation');
    const p = await ping(lab, 'vm2', '10.16.0.15');
    assert.ok(p.ok, p.output);
  });

  test('an unpinned VM keeps its IP and MAC across stop/start, and nobody takes the IP meanwhile', async () => {
    const before = await vm('vm2');
    assert.ok(before?.ip);
    await lab.apply(vmYaml('vm2', { run: false }), 'stop');
    const stopped = await vm('vm2');
    assert.equal(stopped?.phase, 'Stopped');
    assert.equal(stopped?.ip, before.ip, 'the IP object stays while the VM is stopped');
    await assert.rejects(lab.exec('vm2', ['true']), /no running VM/);
    await lab.apply(vmYaml('vm3'), 'vm3');
    assert.notEqual((await vm('vm3'))?.ip, before.ip);
    await lab.apply(vmYaml('vm2'), 'start');
    const again = await vm('vm2');
    assert.equal(again?.phase, 'Running');
    assert.equal(again?.ip, before.ip);
    assert.equal(again?.mac, before.mac);
    const p = await ping(lab, 'vm2', '10.16.0.15');
    assert.ok(p.ok, p.output);
  });

  test('live migration keeps IP and MAC, binds both chassis during the move, and ping keeps working', async () => {
    const before = await vm('testvm');
    const log = join(dir, 'mig-ping.log');
    const vm2ns = (await readLabState(dir))!.vms['vm2.default'].netns;
    const pinger = execa('ip', ['netns', 'exec', vm2ns, 'ping', '-O', '-i', '0.1', '-c', '60', '10.16.0.15'], { reject: false });
    await new Promise((res) => setTimeout(res, 1000));
    const r = await lab.apply(`apiVersion: kubevirt.io/v1
kind: VirtualMachineInstanceMigration
metadata:
  name: migrate-testvm
  namespace: default
spec:
  vmiName: testvm
`, 'migration');
    assert.deepEqual(r.problems, []);
    const out = await pinger;
    const after = await vm('testvm');
    assert.notEqual(after?.node, before?.node, 'moved to another node');
    assert.equal(after?.ip, before?.ip);
    assert.equal(after?.mac, before?.mac);
    const opts = (await nbctl(['get', 'logical_switch_port', 'testvm.default', 'options'])).trim();
    assert.equal(opts, `{requested-chassis=${after!.node}}`);
    const chassis = (await sbctl(['--bare', '--columns=chassis', 'find', 'port_binding', 'logical_port=testvm.default'])).trim();
    const name = (await sbctl(['--bare', '--columns=name', 'list', 'chassis', chassis])).trim();
    assert.equal(name, after!.node, 'SB binds the port on the target');
    const lost = (String(out.stdout).match(/no answer yet/g) ?? []).length;
    const rx = Number(/(\d+) received/.exec(String(out.stdout))?.[1] ?? 0);
    assert.ok(rx >= 50, `ping kept working through the migration: ${rx}/60 received, ${lost} late (${log})`);
    const p = await ping(lab, 'vm2', '10.16.0.15', 5);
    assert.ok(p.ok, p.output);
  });

  test('bad input: IP outside the subnet, IP taken, overlapping CIDR get a condition; nothing else breaks', async () => {
    const r1 = await lab.apply(vmYaml('bad-out', { ip: '10.99.0.5' }), 'bad-out');
    assert.ok(r1.problems.some((p) => /IPOutOfSubnet.*outside subnet ovn-default/.test(p)), r1.problems.join('\n'));
    const out = await vm('bad-out');
    assert.notEqual(out?.phase, 'Running');
    assert.match(out?.message ?? '', /IPOutOfSubnet/);
    const r2 = await lab.apply(vmYaml('bad-taken', { ip: '10.16.0.15' }), 'bad-taken');
    assert.ok(r2.problems.some((p) => /IPConflict.*already taken by testvm\.default/.test(p)), r2.problems.join('\n'));
    const r3 = await lab.apply(`apiVersion: kubeovn.io/v1
kind: Subnet
metadata:
  name: overlap
spec:
  cidrBlock: 10.16.128.0/24
  protocol: IPv4
`, 'overlap');
    assert.ok(r3.problems.some((p) => /CIDROverlap.*overlaps subnet ovn-default/.test(p)), r3.problems.join('\n'));
    const switches = (await nbctl(['--bare', '--columns=name', 'list', 'logical_switch'])).split('\n').filter(Boolean);
    assert.ok(!switches.includes('overlap'), 'the overlapping subnet got no switch');
    assert.equal((await vm('testvm'))?.ip, '10.16.0.15', 'the VM owning the IP keeps it');
    const p = await ping(lab, 'vm2', '10.16.0.15', 5);
    assert.ok(p.ok, p.output);
  });

  test('lab status --json through the CLI lists the VMs', async () => {
    // the bundle when it is built (npm ci builds it), else the sources through tsx
    const root = join(import.meta.dirname, '..', '..');
    const argv = existsSync(join(root, 'dist', 'cli.mjs')) ? [join(root, 'bin', 'ovnlab.mjs')] : ['--import', 'tsx', join(root, 'src', 'cli', 'entry.ts')];
    const r = await execa('node', [...argv, 'lab', 'status', '--json', '--dir', dir], { reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    const st = JSON.parse(r.stdout) as { vms: Array<{ name: string; ip?: string }> };
    assert.equal(st.vms.find((v) => v.name === 'testvm')?.ip, '10.16.0.15');
  });
});

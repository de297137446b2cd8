// Guided-lab checks on fake lab status and fake OVN rows: what passes, and that a failure says
// what is missing and what to do. The same checks on the real lab: test/integration/guided-labs.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LabBackend, LabExecResult, LabStatus, LabVmStatus } from '../../../src/lab/lab-backend';
import type { OvnTarget } from '../../../src/ovn/ovn-target';
import type { DbRow } from '../../../src/ovn/ctl-json';
import {
  checkExternalGateway, checkFlowsHit, checkLabUp, checkNatRow, checkPing, checkVmHasIp, checkVmKeptIp, checkVmMigrated,
  checkVmRunningRecordNode, checkVmStoppedKeepsIp, checkVpcs, checkYamlMigration, checkYamlPinned, judgeTrace, type GuidedMemo,
} from '../../../src/lab/guided/checks';
import { GUIDED_LABS, findLab, stepContextKey } from '../../../src/lab/guided/catalogue';

const root = join(import.meta.dirname, '..', '..', '..');

function fakeLab(vms: Partial<LabVmStatus>[], opts: { state?: LabStatus['state']; exec?: (vm: string, cmd: string[]) => LabExecResult; notes?: string[] } = {}): LabBackend & { vms: Partial<LabVmStatus>[] } {
  const lab = {
    kind: 'local' as const, dir: '/tmp/fake', vms,
    async status(): Promise<LabStatus> {
      return { backend: 'local', dir: '/tmp/fake', state: opts.state ?? 'up', nodes: [{ name: 'n1', role: 'control-plane', chassisUp: true, gateway: false }], vms: lab.vms.map((v) => ({ namespace: 'default', pinned: false, phase: 'Running', name: 'x', ...v })), notes: opts.notes ?? [] };
    },
    async exec(vm: string, cmd: string[]) { return opts.exec ? opts.exec(vm, cmd) : { exitCode: 0, stdout: '', stderr: '' }; },
    async up(): Promise<LabStatus> { throw new Error('not here'); },
    async down() {},
    async apply() { return { applied: [], problems: [] }; },
  };
  return lab;
}

function memo(): GuidedMemo & { data: Record<string, string> } {
  const data: Record<string, string> = {};
  return { data, get: (k) => data[k], set: async (k, v) => { data[k] = v; } };
}

function fakeTarget(tables: Record<string, Partial<DbRow>[]>, flows = ''): OvnTarget {
  return {
    describe: () => 'fake', nodes: async () => ['n1'],
    listRows: async (_db, t) => (tables[t] ?? []).map((r, i) => ({ _uuid: `u${t}${i}`, ...r }) as DbRow),
    listOvsRows: async () => [], dumpFlows: async () => flows, ovnTrace: async () => '', ofprotoTrace: async () => '', close: async () => {},
  };
}

describe('guided lab checks', () => {
  test('lab up: down and broken labs fail with the command to run', async () => {
    assert.match((await checkLabUp(fakeLab([], { state: 'down' }))).message, /ovnlab lab up/);
    assert.match((await checkLabUp(fakeLab([], { state: 'broken' }))).message, /lab down/);
    assert.equal((await checkLabUp(fakeLab([]))).ok, true);
  });

  test('VM has IP: missing, not running, other IP, unpinned each say what to do', async () => {
    assert.match((await checkVmHasIp(fakeLab([]), 'testvm', '10.16.0.15')).message, /no VM testvm.*apply/);
    assert.match((await checkVmHasIp(fakeLab([{ name: 'testvm', phase: 'Starting', message: 'IPConflict: taken' }]), 'testvm')).message, /Starting \(IPConflict/);
    assert.match((await checkVmHasIp(fakeLab([{ name: 'testvm', ip: '10.16.0.2' }]), 'testvm', '10.16.0.15')).message, /has 10\.16\.0\.2, not 10\.16\.0\.15.*Pin IP/);
    assert.match((await checkVmHasIp(fakeLab([{ name: 'testvm', ip: '10.16.0.15' }]), 'testvm', '10.16.0.15', { pinned: true })).message, /not pinned/);
    assert.equal((await checkVmHasIp(fakeLab([{ name: 'testvm', ip: '10.16.0.15', pinned: true }]), 'testvm', '10.16.0.15', { pinned: true })).ok, true);
    await assert.rejects(checkVmHasIp(fakeLab([]), 'Bad Name'), /not a VM name/);
    await assert.rejects(checkVmHasIp(fakeLab([]), 'vm', '10.16.0.300'), /not an IPv4/);
  });

  test('keep-vm-ip: the IP recorded while running must be the one after stop and start', async () => {
    const m = memo();
    const lab = fakeLab([{ name: 'keepvm', ip: '10.16.0.7', node: 'n2' }]);
    assert.equal((await checkVmKeptIp(lab, 'keepvm', m, 'k.ip')).ok, false, 'nothing recorded yet');
    assert.equal((await checkVmRunningRecordNode(lab, 'keepvm', m, 'k')).ok, true);
    assert.equal(m.data['k.ip'], '10.16.0.7');
    assert.match((await checkVmStoppedKeepsIp(lab, 'keepvm', m, 'k.ip')).message, /not Stopped/);
    lab.vms = [{ name: 'keepvm', ip: '10.16.0.7', phase: 'Stopped' }];
    assert.equal((await checkVmStoppedKeepsIp(lab, 'keepvm', m, 'k.ip')).ok, true);
    lab.vms = [{ name: 'keepvm', ip: '10.16.0.9', node: 'n3' }];
    assert.match((await checkVmKeptIp(lab, 'keepvm', m, 'k.ip')).message, /came back with 10\.16\.0\.9, not 10\.16\.0\.7/);
    lab.vms = [{ name: 'keepvm', ip: '10.16.0.7', node: 'n3' }];
    assert.equal((await checkVmKeptIp(lab, 'keepvm', m, 'k.ip')).ok, true);
  });

  test('migration: same node fails, another node with the same IP passes', async () => {
    const m = memo();
    const lab = fakeLab([{ name: 'migvm', ip: '10.16.0.30', node: 'n2' }]);
    await checkVmRunningRecordNode(lab, 'migvm', m, 'mig');
    assert.match((await checkVmMigrated(lab, 'migvm', m, 'mig')).message, /still runs on n2: migrate it/);
    lab.vms = [{ name: 'migvm', ip: '10.16.0.31', node: 'n3' }];
    assert.match((await checkVmMigrated(lab, 'migvm', m, 'mig')).message, /IP changed/);
    lab.vms = [{ name: 'migvm', ip: '10.16.0.30', node: 'n3' }];
    assert.equal((await checkVmMigrated(lab, 'migvm', m, 'mig')).ok, true);
  });

  test('ping: the exit code decides against the expectation; no root says so', async () => {
    const reply = { exitCode: 0, stdout: '3 packets transmitted, 3 received', stderr: '' };
    const none = { exitCode: 1, stdout: '2 packets transmitted, 0 received', stderr: '' };
    let calls = 0;
    assert.equal((await checkPing(fakeLab([], { exec: () => reply }), 'client', '10.16.0.15', true)).ok, true);
    assert.equal((await checkPing(fakeLab([], { exec: () => (calls++, none) }), 'client', '10.16.0.15', true)).ok, false);
    assert.equal(calls, 3, 'a ping expected to work is retried (ARP on the first)');
    assert.match((await checkPing(fakeLab([], { exec: () => none }), 'vm-a', '10.0.1.20', false)).message, /no answer.*as it should/);
    assert.match((await checkPing(fakeLab([], { exec: () => reply }), 'vm-a', '10.0.1.20', false)).message, /should be isolated/);
    assert.match((await checkPing(fakeLab([], { notes: ['not running as root: …'] }), 'a', '10.0.0.1', true)).message, /as root/);
  });

  test('NB: VPCs, gateway chassis and NAT rows', async () => {
    const t = fakeTarget({
      Logical_Router: [{ name: 'tenant-a', ports: ['uLogical_Router_Port0'], nat: ['uNAT0'] }],
      Logical_Router_Port: [{ name: 'tenant-a-a-net', networks: ['10.0.1.1/24'] }],
      Logical_Switch: [{ name: 'a-net' }, { name: 'external' }],
      Gateway_Chassis: [{ name: 'ovn-cluster-external-n1', chassis_name: 'n1', priority: 100 }],
      NAT: [{ external_ip: '192.168.100.101', logical_ip: '10.16.0.2', type: 'dnat_and_snat' }],
    });
    assert.equal((await checkVpcs(t, [{ vpc: 'tenant-a', subnet: 'a-net', cidr: '10.0.1.0/24' }])).ok, true);
    assert.match((await checkVpcs(t, [{ vpc: 'tenant-b', subnet: 'b-net', cidr: '10.0.1.0/24' }])).message, /no router tenant-b/);
    assert.equal((await checkExternalGateway(t, 'n1')).ok, true);
    assert.match((await checkExternalGateway(t, 'n2')).message, /no gateway chassis on n2/);
    assert.equal((await checkNatRow(t, '192.168.100.101', '10.16.0.2')).ok, true);
    assert.match((await checkNatRow(t, '192.168.100.101', '10.16.0.3')).message, /points at 10\.16\.0\.2/);
    assert.match((await checkNatRow(t, '192.168.100.102')).message, /ovn\.kubernetes\.io\/eip/);
    assert.match((await checkExternalGateway(fakeTarget({}), 'n1')).message, /ConfigMap/);
  });

  test('flows: mentioned but not hit fails, hit passes', async () => {
    const dump = (n: number) => ` cookie=0x1, duration=1s, table=12, n_packets=${n}, n_bytes=0, priority=100,ip,nw_dst=192.168.100.101 actions=ct(commit,nat(dst=10.16.0.2))\n`;
    assert.match((await checkFlowsHit(fakeTarget({}, dump(0)), 'n1', '192.168.100.101')).message, /none has counted a packet yet: ping/);
    assert.match((await checkFlowsHit(fakeTarget({}, dump(4)), 'n1', '192.168.100.101')).message, /1 of them NAT \(tables 12\)/);
    assert.match((await checkFlowsHit(fakeTarget({}, ''), 'n1', '192.168.100.101')).message, /no OpenFlow flow/);
  });

  test('trace verdicts: gateway hop, isolation, drop', () => {
    const tr = (nodes: string[], text: string) => ({ chassisHops: nodes.map((node) => ({ node, via: '' })), ovnTraceText: text });
    assert.equal(judgeTrace(tr(['w2', 'cp'], 'output to "testvm.default"'), 'vm2.default', '1.1.1.1', { viaNode: 'cp' }).ok, true);
    assert.match(judgeTrace(tr(['w2', 'w1'], ''), 'vm2.default', '1.1.1.1', { viaNode: 'cp' }).message, /not through cp/);
    assert.equal(judgeTrace(tr(['w2', 'w1'], 'output to "testvm.default"'), 'vm2.default', '1.1.1.1', { notViaNode: 'cp', reachesPort: 'testvm.default' }).ok, true);
    assert.match(judgeTrace(tr(['w1'], 'output to "vm-b2.default"'), 'vm-a.default', '10.0.2.10', { notReachesPort: 'vm-b2.default' }).message, /not isolated/);
    assert.match(judgeTrace(tr(['w1'], 'output to "x.default"'), 'vm-a.default', '10.0.2.10', { dropped: true }).message, /should be dropped/);
    assert.equal(judgeTrace(tr(['w1'], 'output to "a-net-tenant-a"'), 'vm-a.default', '10.0.2.10', { dropped: true }).ok, true);
  });

  test('YAML: the lens edits are recognised on the template, not on the VM metadata', () => {
    const vm = (ann: string, where: 'template' | 'vm' = 'template') => `apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: v\n${where === 'vm' ? `  annotations:\n    ${ann}\n` : ''}spec:\n  template:\n    metadata:\n${where === 'template' ? `      annotations:\n        ${ann}\n` : '      labels: {a: b}\n'}`;
    assert.equal(checkYamlPinned(vm('ovn.kubernetes.io/ip_address: 10.16.0.15'), 'v', '10.16.0.15').ok, true);
    assert.match(checkYamlPinned(vm('ovn.kubernetes.io/ip_address: 10.16.0.15', 'vm'), 'v').message, /Pin IP/);
    assert.match(checkYamlPinned(vm('ovn.kubernetes.io/ip_address: 10.16.0.16'), 'v', '10.16.0.15').message, /expects 10\.16\.0\.15/);
    assert.match(checkYamlPinned(vm('a: b'), 'w').message, /no VirtualMachine w/);
    assert.equal(checkYamlMigration(vm('kubevirt.io/allow-pod-bridge-network-live-migration: "true"'), 'v').ok, true);
    assert.equal(checkYamlMigration(vm("attachnet.default.ovn.kubernetes.io/allow_live_migration: 'true'"), 'v').ok, true);
    assert.match(checkYamlMigration(vm('a: b'), 'v').message, /Enable live migration/);
  });
});

describe('guided lab catalogue and the walkthroughs in package.json', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { walkthroughs: { id: string; steps: { id: string; description: string; completionEvents: string[]; media: { markdown?: string; image?: string } }[] }[]; commands: { command: string }[] } };
  test('six labs, each a walkthrough whose steps complete on the check\'s context key and carry Run/Check buttons', () => {
    assert.equal(GUIDED_LABS.length, 6);
    const ws = pkg.contributes.walkthroughs;
    for (const lab of GUIDED_LABS) {
      const w = ws.find((x) => x.id === `lab${lab.n}`);
      assert.ok(w, `walkthrough lab${lab.n}`);
      assert.deepEqual(w.steps.map((s) => s.id), lab.steps.map((s) => `lab${lab.n}.${s.id}`));
      for (const [i, s] of w.steps.entries()) {
        assert.deepEqual(s.completionEvents, [`onContext:${stepContextKey(lab, lab.steps[i])}`]);
        assert.ok(s.description.includes(`command:ovnlab.lab.check?${encodeURIComponent(JSON.stringify([lab.n, lab.steps[i].id]))}`), s.id);
        const media = s.media.markdown ?? s.media.image!;
        assert.ok(existsSync(join(root, media)), `${media} exists`);
      }
    }
    for (const c of ['ovnlab.lab.check', 'ovnlab.lab.run']) assert.ok(pkg.contributes.commands.some((x) => x.command === c), c);
  });
  test('every file a step applies or opens exists under labs/<lab>/', () => {
    for (const lab of GUIDED_LABS) for (const s of lab.steps) for (const a of [s.action, s.script]) {
      if (a && 'file' in a) assert.ok(existsSync(join(root, 'labs', lab.id, a.file)), `labs/${lab.id}/${a.file}`);
    }
  });
  test('labs are found by number, folder or slug', () => {
    assert.equal(findLab('3')?.id, '3-live-migration');
    assert.equal(findLab('live-migration')?.n, 3);
    assert.equal(findLab('6-follow-the-packet')?.n, 6);
    assert.equal(findLab('7'), undefined);
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { natOwnerFromAnnotations, NbOwnerIndex } from '../../../src/ovn/k8s-owner';
import { ofprotoSteps, parseOfprotoTrace } from '../../../src/ovn/ofproto-trace';
import { parseOvnTrace } from '../../../src/ovn/ovn-trace';
import type { TraceResult } from '../../../src/ovn/trace-run';
import { buildTraceView, portOfIp } from '../../../src/views/trace-view-model';

const fixture = (f: string) => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'ovn-output', f), 'utf8');

function result(ovn: string, ofp: string): TraceResult {
  const ovnTrace = parseOvnTrace(ovn);
  const ofproto = parseOfprotoTrace(ofp);
  const steps = ofprotoSteps(ofproto).map((s) => ({ line: s.line, table: s.table, priority: s.priority, match: s.match, depth: 0, cookie: s.cookie }));
  const datapathActions = ofproto.passes.map((p) => p.datapathActions).filter((a): a is string => a !== undefined);
  return {
    endpoints: { port: 'vm1.default', datapath: 'ovn-default', srcMac: '0a:58:0a:10:00:0f', srcIp: '10.16.0.15', dstIp: '192.168.100.101', dstMac: '0a:58:0a:10:00:01', dstMacFrom: 'gateway', protocol: { kind: 'icmp' } },
    node: 'ovnlab-worker', ofport: 3, microflow: '', ofprotoFlow: '', ovnTraceText: ovn, ofprotoText: ofp, ovnTrace, ofproto, steps, datapathActions,
    chassisHops: [{ node: 'ovnlab-worker', via: 'source port bound here' }, { node: 'ovnlab-control-plane', via: 'geneve tunnel to 172.31.255.1' }], cookies: [],
  };
}

describe('trace view model', () => {
  test('hops switch → router with stages; OpenFlow steps sit under the stage whose uuid prefix is their cookie', () => {
    const r = result(fixture('ovn-trace-detailed-vm1-eip.txt'), fixture('ofproto-trace-vm1-eip.txt'));
    const v = buildTraceView({ from: 'vm1.default', dst: '192.168.100.101', protocol: 'icmp' }, r);
    assert.deepEqual(v.hops.slice(0, 3).map((h) => `${h.direction} ${h.kind} ${h.datapath}`), ['ingress switch ovn-default', 'egress switch ovn-default', 'ingress router ovn-cluster']);
    const l2 = v.hops[0].stages.find((s) => s.stage === 'ls_in_l2_lkup');
    assert.ok(l2);
    assert.equal(l2.uuid, '9a17e06b');
    assert.ok(l2.actions.includes('output;'));
    // every OpenFlow step placed under a stage carries that stage's cookie
    let placed = 0;
    for (const h of v.hops) for (const s of h.stages) for (const o of s.ofSteps) {
      placed++;
      assert.equal(o.cookie!.replace(/^0x/, '').padStart(8, '0'), s.uuid);
    }
    assert.ok(placed > 10, `placed ${placed}`);
    assert.equal(placed + v.unmatchedSteps, r.steps.length);
    assert.ok(l2.ofSteps.length >= 1, 'the l2 lookup stage ran in OpenFlow too');
    assert.deepEqual(v.chassisHops.map((h) => h.node), ['ovnlab-worker', 'ovnlab-control-plane']);
    assert.ok(v.datapathActions.length >= 1);
    assert.deepEqual(v.drops, []);
  });

  test('a drop is explained by its stage and logical flow', () => {
    const r = result(fixture('ovn-trace-detailed-vm1-ttl1.txt'), fixture('ofproto-trace-vm1-eip.txt'));
    const v = buildTraceView({ from: 'vm1.default', dst: '192.168.100.101', protocol: 'icmp' }, r);
    const outcomes = r.ovnTrace.outcomes.map((o) => o.kind);
    if (outcomes.includes('drop')) {
      assert.ok(v.drops.length >= 1);
      assert.match(v.drops[0], /drop/);
    } else {
      assert.ok(v.outcomes.length >= 1);
    }
  });

  test('the reply trace starts at the port that owns the destination', () => {
    const lsps = [
      { _uuid: 'u1', name: 'ovn-default-ovn-cluster', type: 'router', addresses: ['router'] },
      { _uuid: 'u2', name: 'vm2.default', type: '', addresses: ['0a:58:0a:10:00:10 10.16.0.16'] },
    ];
    assert.equal(portOfIp(lsps, '10.16.0.16'), 'vm2.default');
    assert.equal(portOfIp(lsps, '192.168.100.101'), undefined);
  });
});

describe('NAT owner from the eip annotation', () => {
  const objects = [
    { kind: 'VirtualMachine', metadata: { name: 'testvm', namespace: 'default' }, spec: { template: { metadata: { annotations: { 'ovn.kubernetes.io/eip': '192.168.100.101' } } } } },
    { kind: 'Pod', metadata: { name: 'virt-launcher-testvm-abc', namespace: 'default', annotations: { 'ovn.kubernetes.io/eip': '192.168.100.101' } } },
    { kind: 'Pod', metadata: { name: 'web', namespace: 'apps', annotations: { 'ovn.kubernetes.io/snat': '192.168.100.50' } } },
  ];
  const nat = (type: string, ext: string) => ({ _uuid: 'n1', type, external_ip: ext, logical_ip: '10.16.0.2', logical_port: ['set', []], external_ids: ['map', []] });
  test('a dnat_and_snat row belongs to the VM (not its launcher pod), an snat row to the snat-annotated pod', () => {
    const idx = new NbOwnerIndex(new Map(), natOwnerFromAnnotations(objects as never));
    const o = idx.ownerOf('NAT', nat('dnat_and_snat', '192.168.100.101') as never);
    assert.deepEqual([o?.kinds, o?.name, o?.namespace], [['VirtualMachine'], 'testvm', 'default']);
    assert.match(o!.why, /ovn.kubernetes.io\/eip=192.168.100.101/);
    const s = idx.ownerOf('NAT', nat('snat', '192.168.100.50') as never);
    assert.deepEqual([s?.kinds, s?.name], [['Pod'], 'web']);
  });
  test('without a match the generic explanation stays', () => {
    const idx = new NbOwnerIndex(new Map(), natOwnerFromAnnotations(objects as never));
    const o = idx.ownerOf('NAT', nat('dnat_and_snat', '192.168.100.200') as never);
    assert.equal(o?.name, '');
    assert.ok(o?.kinds.includes('OvnFip'));
  });
});

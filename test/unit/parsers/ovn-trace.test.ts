// ovn-trace parser on real ovn-trace 23.03 output from the sandbox (vm1→vm2, vm1→EIP,
// outside→EIP) in --detailed, --summary and --minimal form, and on broken input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOvnTrace, traceStages, type OvnTraceNode, type OvnTraceBranch } from '../../../src/ovn/ovn-trace';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'ovn-output');
const read = (f: string) => readFileSync(join(dir, f), 'utf8');
const hopNames = (f: string) => parseOvnTrace(read(f)).hops.map((h) => `${h.direction}(${h.datapath})`);

function find(nodes: OvnTraceNode[], pred: (n: OvnTraceNode) => boolean): OvnTraceNode[] {
  const out: OvnTraceNode[] = [];
  const walk = (ns: OvnTraceNode[]) => {
    for (const n of ns) {
      if (pred(n)) out.push(n);
      walk(n.children);
    }
  };
  walk(nodes);
  return out;
}

describe('ovn-trace --detailed', () => {
  test('vm1 → vm2: two hops on ovn-default, stages with table, name, source, match, priority, uuid, output to vm2', () => {
    const t = parseOvnTrace(read('ovn-trace-detailed-vm1-vm2.txt'));
    assert.equal(t.mode, 'detailed');
    assert.deepEqual(t.errors, []);
    assert.match(t.flow ?? '', /^icmp,reg14=0x2,.*nw_dst=10\.16\.0\.16/);
    assert.deepEqual(t.hops.map((h) => [h.direction, h.datapath, h.inport, h.outport]), [
      ['ingress', 'ovn-default', 'vm1.default', undefined],
      ['egress', 'ovn-default', 'vm1.default', 'vm2.default'],
    ]);
    const l2 = t.hops[0].stages[1];
    assert.deepEqual(
      { table: l2.table, stage: l2.stage, source: l2.source, match: l2.match, priority: l2.priority, uuid: l2.uuid, line: l2.line },
      { table: 25, stage: 'ls_in_l2_lkup', source: 'northd.c:9122', match: 'eth.dst == 0a:58:0a:10:00:10', priority: 50, uuid: '1dfa3011', line: 8 },
    );
    assert.deepEqual(l2.children.map((c) => (c.kind === 'action' ? c.text : c.kind)), ['outport = "vm2.default"', 'output']);
    assert.deepEqual(t.outcomes, [{ kind: 'output', line: 19, port: 'vm2.default', type: '', datapath: 'ovn-default' }]);
  });

  test('vm1 → EIP (hairpin through the gateway): ct_dnat, ct_snat and clone become nested branches', () => {
    const t = parseOvnTrace(read('ovn-trace-detailed-vm1-eip.txt'));
    assert.deepEqual(t.errors, []);
    assert.deepEqual(hopNames('ovn-trace-detailed-vm1-eip.txt'), [
      'ingress(ovn-default)', 'egress(ovn-default)', 'ingress(ovn-cluster)', 'egress(ovn-cluster)',
      'ingress(ovn-cluster)', 'egress(ovn-cluster)', 'ingress(ovn-default)', 'egress(ovn-default)',
    ]);
    const branches = find(t.root, (n) => n.kind === 'branch') as OvnTraceBranch[];
    assert.deepEqual(branches.map((b) => [b.action, b.args ?? null]), [
      ['ct_dnatin_czone', null], ['ct_snat', 'ip4.src=192.168.100.101'], ['clone', null], ['ct_dnatin_czone', 'ip4.dst=10.16.0.15'],
    ]);
    assert.deepEqual(branches[0].notes, ['assuming no un-dnat entry, so no change', 'default (use --ct to customize)']);
    // the tree nests: the stage after ct_dnat (lr_out_snat) is inside the ct_dnat branch, and the
    // second router ingress is inside the clone
    assert.ok(branches[0].children.some((c) => c.kind === 'table' && c.stage === 'lr_out_snat'));
    assert.ok(find(branches[2].children, (n) => n.kind === 'pipeline' && n.direction === 'ingress').length > 0);
    // the egress pass of the router counts the stages inside its ct branches
    assert.deepEqual(t.hops[3].stages.map((s) => s.stage), ['lr_out_chk_dnat_local', 'lr_out_undnat', 'lr_out_snat', 'lr_out_egr_loop']);
    assert.equal(t.hops[3].branches.length, 3);
    assert.deepEqual(t.outcomes.map((o) => (o.kind === 'output' ? o.port : o.kind)), ['ovn-default-ovn-cluster', 'ovn-cluster-ovn-default', 'vm1.default']);
    assert.equal(traceStages(t).length, t.hops.reduce((n, h) => n + h.stages.length, 0));
    assert.ok(traceStages(t).every((s) => /^[0-9a-f]{8}$/.test(s.uuid)));
  });

  test('outside → EIP: from the localnet port through un-SNAT and DNAT to vm1', () => {
    const t = parseOvnTrace(read('ovn-trace-detailed-outside-eip.txt'));
    assert.deepEqual(t.errors, []);
    assert.deepEqual(t.hops[0], { ...t.hops[0], direction: 'ingress', datapath: 'external', inport: 'localnet.external' });
    const dnat = traceStages(t).find((s) => s.stage === 'lr_in_dnat');
    assert.ok(dnat);
    assert.equal(dnat.match, 'ip && ip4.dst == 192.168.100.101 && inport == "ovn-cluster-external" && is_chassis_resident("cr-ovn-cluster-external")');
    const last = t.outcomes[t.outcomes.length - 1];
    assert.equal(last.kind === 'output' && last.port, 'vm1.default');
  });
});

describe('ovn-trace --detailed: branches', () => {
  test('ARP broadcast: the multicast group\'s passes are siblings, each with its own outcome', () => {
    const t = parseOvnTrace(read('ovn-trace-detailed-vm1-arp-flood.txt'));
    assert.deepEqual(t.errors, []);
    const [mc] = find(t.root, (n) => n.kind === 'branch') as OvnTraceBranch[];
    assert.equal(mc.action, 'multicast');
    assert.equal(mc.args, 'dp="ovn-default", mcgroup="_MC_flood"');
    const passes = mc.children.filter((c) => c.kind === 'pipeline');
    assert.deepEqual(passes.map((p) => p.kind === 'pipeline' && p.outport), ['ovn-default-ovn-cluster', 'vm1.default', 'vm2.default']);
    // the router pass behind the patch port continues the first egress, inside it
    assert.ok(passes[0].children.some((c) => c.kind === 'pipeline' && c.datapath === 'ovn-cluster'));
    assert.deepEqual(t.outcomes.map((o) => o.kind), ['output', 'drop', 'no-output', 'output']);
    const drop = t.outcomes[1];
    assert.equal(drop.kind === 'drop' && drop.stage, 'lr_in_ip_input');
    // --summary of the same trace has the same passes
    const s = parseOvnTrace(read('ovn-trace-summary-vm1-arp-flood.txt'));
    assert.deepEqual(s.errors, []);
    assert.deepEqual(s.hops.map((h) => [h.direction, h.datapath, h.outport]), t.hops.map((h) => [h.direction, h.datapath, h.outport]));
  });

  test('TTL 1: the router answers through a nested icmp4 { … } branch back to vm1', () => {
    const t = parseOvnTrace(read('ovn-trace-detailed-vm1-ttl1.txt'));
    assert.deepEqual(t.errors, []);
    const [icmp] = find(t.root, (n) => n.kind === 'branch') as OvnTraceBranch[];
    assert.equal(icmp.action, 'icmp4');
    assert.ok(icmp.children.some((c) => c.kind === 'action' && c.text === 'icmp4.type = 11'));
    assert.equal(find(icmp.children, (n) => n.kind === 'pipeline').length, 3, 'the error goes back through the router egress and the switch');
    const last = t.outcomes[t.outcomes.length - 1];
    assert.equal(last.kind === 'output' && last.port, 'vm1.default');
  });

  test('a frame to an unknown MAC is dropped in ls_in_l2_unknown', () => {
    const t = parseOvnTrace(read('ovn-trace-detailed-vm1-unknown-mac.txt'));
    assert.deepEqual(t.errors, []);
    assert.deepEqual(t.outcomes, [{ kind: 'drop', line: 12, datapath: 'ovn-default', stage: 'ls_in_l2_unknown' }]);
    assert.deepEqual(t.hops[0].stages.map((s) => s.stage), ['ls_in_check_port_sec', 'ls_in_l2_lkup', 'ls_in_l2_unknown']);
  });
});

describe('ovn-trace --summary and --minimal', () => {
  test('summary has the same datapath hops and outcomes as detailed, for all three traces', () => {
    for (const name of ['vm1-vm2', 'vm1-eip', 'outside-eip']) {
      const s = parseOvnTrace(read(`ovn-trace-summary-${name}.txt`));
      const d = parseOvnTrace(read(`ovn-trace-detailed-${name}.txt`));
      assert.equal(s.mode, 'summary');
      assert.deepEqual(s.errors, []);
      assert.deepEqual(s.hops.map((h) => [h.direction, h.datapath, h.inport, h.outport]), d.hops.map((h) => [h.direction, h.datapath, h.inport, h.outport]), name);
      assert.deepEqual(s.outcomes.map((o) => o.kind === 'output' && o.port), d.outcomes.map((o) => o.kind === 'output' && o.port), name);
    }
  });

  test('minimal: the actions that change the packet, with the ct branches nested', () => {
    const t = parseOvnTrace(read('ovn-trace-minimal-vm1-eip.txt'));
    assert.equal(t.mode, 'minimal');
    assert.deepEqual(t.errors, []);
    assert.deepEqual(t.root.slice(0, 3).map((n) => n.kind === 'action' && n.text), ['ip.ttl--', 'eth.src = 0a:58:c0:a8:64:fe', 'eth.dst = 0a:58:c0:a8:64:fe']);
    assert.equal(find(t.root, (n) => n.kind === 'branch').length, 4);
    assert.deepEqual(t.outcomes, [{ kind: 'output', line: 14, port: 'vm1.default', datapath: undefined }]);
    const simple = parseOvnTrace(read('ovn-trace-minimal-vm1-vm2.txt'));
    assert.deepEqual(simple.outcomes.map((o) => o.kind === 'output' && o.port), ['vm2.default']);
  });
});

describe('ovn-trace parser: bad input', () => {
  test('a drop is an outcome with its stage', () => {
    const text = [
      '# ip,reg14=0x1',
      '',
      'ingress(dp="ovn-default", inport="vm1.default")',
      '-----------------------------------------------',
      ' 9. ls_in_acl (northd.c:6420): ip4.dst == 10.16.0.16, priority 2000, uuid 0123abcd',
      '    drop;',
    ].join('\n');
    const t = parseOvnTrace(text);
    assert.deepEqual(t.errors, []);
    assert.deepEqual(t.outcomes, [{ kind: 'drop', line: 6, datapath: 'ovn-default', stage: 'ls_in_acl' }]);
  });

  test('text outside a section, an unclosed block, a stray brace: errors with line numbers', () => {
    const title = 'ingress(dp="x", inport="p")';
    const d = parseOvnTrace(`# flow\n\nsome error message\n${title}\n${'-'.repeat(title.length)}\n 0. ls_in_x: 1, priority 0, uuid 01234567\n    next;\n`);
    assert.equal(d.mode, 'detailed');
    assert.equal(d.hops[0].stages[0].stage, 'ls_in_x');
    assert.deepEqual(d.errors.map((e) => e.line), [3]);
    const s = parseOvnTrace('# flow\ningress(dp="x", inport="p") {\n    next;\n    what is this\n};\n};\ningress(dp="y", inport="q") {\n');
    assert.deepEqual(s.errors.map((e) => [e.line, e.reason.split(' ')[0]]), [[4, 'expected'], [6, 'closing'], [7, 'block']]);
  });
});

// ofproto/trace parser on real `ovs-appctl ofproto/trace` output of OVS 3.1 from the sandbox:
// vm1→vm2 (one pass), vm1→EIP and outside→EIP (conntrack recirculations, a patch port between
// br-ex and br-int, nested resubmits and a clone), and on broken input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOfprotoTrace, ofprotoSteps } from '../../../src/ovn/ofproto-trace';
import { parseOvnTrace, traceStages } from '../../../src/ovn/ovn-trace';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'ovn-output');
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

describe('ofproto/trace parser', () => {
  test('vm1 → vm2: one pass on br-int, table steps with match, priority, cookie, actions; datapath output', () => {
    const t = parseOfprotoTrace(read('ofproto-trace-vm1-vm2.txt'));
    assert.deepEqual(t.errors, []);
    assert.equal(t.passes.length, 1);
    const [p] = t.passes;
    assert.match(p.flow ?? '', /^icmp,in_port=2,/);
    assert.deepEqual(p.bridges.map((b) => b.bridge), ['br-int']);
    const first = p.bridges[0].steps[0];
    assert.deepEqual(
      { table: first.table, match: first.match, priority: first.priority, cookie: first.cookie, line: first.line },
      { table: 0, match: 'in_port=2', priority: 100, cookie: '0xea6edc2b', line: 5 },
    );
    assert.deepEqual(first.actions.map((a) => a.text), ['set_field:0xb->reg13', 'set_field:0x2->reg11', 'set_field:0x6->reg12', 'set_field:0x3->metadata', 'set_field:0x2->reg14', 'resubmit(,8)']);
    // table 8 resubmits to 73 (no match, drop) and goes on: 73 hangs under that resubmit
    const t8 = p.bridges[0].steps[1];
    assert.equal(t8.table, 8);
    const via = t8.actions.find((a) => a.text === 'resubmit(,73)');
    assert.ok(via);
    assert.deepEqual(via.steps.map((s) => [s.table, s.noMatch]), [[73, true]]);
    const move = t8.actions.find((a) => a.text.startsWith('move:'));
    assert.deepEqual(move?.notes, ['NXM_NX_XXREG0[111] is now 0']);
    // a flow without a cookie and with an empty match
    const t37 = p.bridges[0].steps.find((s) => s.table === 37);
    assert.deepEqual([t37?.match, t37?.priority, t37?.cookie], ['', 0, undefined]);
    assert.equal(p.datapathActions, '4');
    assert.match(p.megaflow ?? '', /^recirc_id=0,/);
    assert.match(p.finalFlow ?? '', /reg15=0x1/);
    // the cookies of the table steps are the logical flows ovn-trace names (uuid prefixes)
    const lflows = new Set(traceStages(parseOvnTrace(read('ovn-trace-detailed-vm1-vm2.txt'))).map((s) => s.uuid));
    const cookies = new Set(ofprotoSteps(t).map((s) => s.cookie?.slice(2).padStart(8, '0')));
    for (const u of lflows) assert.ok(cookies.has(u), `lflow ${u} appears as a cookie in ofproto/trace`);
  });

  test('vm1 → EIP: one pass per conntrack recirculation, with recirc id, NAT details, thaw table and datapath actions', () => {
    const t = parseOfprotoTrace(read('ofproto-trace-vm1-eip.txt'));
    assert.deepEqual(t.errors, []);
    assert.deepEqual(t.passes.map((p) => [p.recirc?.id ?? null, p.resumeTable ?? null]), [[null, null], ['0x7', 44], ['0x8', 46], ['0x9', 16]]);
    assert.equal(t.passes[0].datapathActions, 'set(eth(src=0a:58:c0:a8:64:fe,dst=0a:58:c0:a8:64:fe)),set(ipv4(ttl=63)),ct(zone=1,nat),recirc(0x7)');
    assert.equal(t.passes[3].datapathActions, 'ct_clear,set(eth(src=0a:58:0a:10:00:01,dst=0a:58:0a:10:00:0f)),set(ipv4(ttl=62)),3');
    assert.match(t.passes[1].recirc?.text ?? '', /resume conntrack with default ct_state=trk\|new/);
    assert.deepEqual(t.passes[2].recirc?.details.slice(1), [
      'Initial flow: nw_src=10.16.0.15,tp_src=8,nw_dst=192.168.100.101,tp_dst=0',
      'Modified flow: nw_src=192.168.100.101,tp_src=8,nw_dst=192.168.100.101,tp_dst=0',
    ]);
    assert.deepEqual(t.passes[1].bridges[0].notes, ['thaw', 'Resuming from table 44']);
    // the hairpin's clone to the switch: table 65 at depth 1 under table 64's resubmit, then 8… under the clone
    const last = t.passes[3].bridges[0].steps;
    const t64 = last.find((s) => s.table === 64 && s.cookie === '0xe3e306ed');
    assert.ok(t64);
    const t65 = t64.actions.find((a) => a.text === 'resubmit(,65)')?.steps[0];
    assert.equal(t65?.table, 65);
    const inner = t65?.actions.find((a) => a.steps.length > 0);
    assert.deepEqual(inner?.steps.slice(0, 2).map((s) => s.table), [8, 9]);
    assert.equal(t64.actions[t64.actions.length - 1].text, 'pop:NXM_OF_IN_PORT[]', 'the action after the nested steps is back on table 64');
    // ct() with nested nat(): one action
    const ctStep = t.passes[1].bridges[0].steps.find((s) => s.table === 45);
    assert.ok(ctStep?.actions.some((a) => a.text === 'ct(commit,table=46,zone=NXM_NX_REG12[0..15],nat(src=192.168.100.101))'));
  });

  test('outside → EIP: br-ex NORMAL then the patch port into br-int, two recirculations', () => {
    const t = parseOfprotoTrace(read('ofproto-trace-outside-eip.txt'));
    assert.deepEqual(t.errors, []);
    assert.deepEqual(t.passes[0].bridges.map((b) => b.bridge), ['br-ex', 'br-int']);
    const normal = t.passes[0].bridges[0].steps[0];
    assert.deepEqual([normal.table, normal.match, normal.priority, normal.actions[0].text, normal.actions[0].notes], [0, '', 0, 'NORMAL', ['forwarding to learned port']]);
    assert.equal(t.passes.length, 3);
    assert.match(t.passes[2].datapathActions ?? '', /,3$/);
  });

  test('ARP flood: one pass, ends in a controller action (put_arp) and an output, no errors', () => {
    const t = parseOfprotoTrace(read('ofproto-trace-vm1-arp-flood.txt'));
    assert.deepEqual(t.errors, []);
    assert.equal(t.passes.length, 1);
    assert.match(t.passes[0].datapathActions ?? '', /^userspace\(pid=0,controller\(/);
    assert.ok(ofprotoSteps(t).length > 40);
    assert.ok(ofprotoSteps(t).every((s) => s.noMatch || s.priority !== undefined));
  });

  test('bad input: lines outside a bridge block, an unclosed banner', () => {
    const t = parseOfprotoTrace('Flow: ip\n\nbridge("br-int")\n----------------\n 0. priority 0\n    drop\n\nFinal flow: unchanged\nsomething odd\n===\nrecirc(0x1) - resume\n');
    assert.deepEqual(t.errors.map((e) => e.line), [9, 11]);
    assert.deepEqual(t.passes[0].bridges[0].steps[0].actions.map((a) => a.text), ['drop']);
    const garbage = parseOfprotoTrace('ovs-appctl: cannot connect to "/run/x.ctl"\n');
    assert.equal(garbage.errors.length, 1);
    assert.equal(garbage.passes.length, 0);
  });
});

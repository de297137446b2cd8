// dump-flows parser on real ovs-ofctl output (captured from the OVN sandbox and from hand-written
// flows on a real ovs-vswitchd, see test/fixtures/ovn-output/capture*.ts) and on broken input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlowDump, FlowDumpReader, splitActions, actionName, flowKey, type Flow } from '../../../src/ovn/flow-dump';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'ovn-output');
const read = (f: string) => readFileSync(join(dir, f), 'utf8');
const flowLines = (text: string) => text.split('\n').filter((l) => l.trim() !== '' && !/^(NXST|OFPST)_FLOW reply/.test(l)).length;

describe('dump-flows parser: real OVN dumps', () => {
  for (const f of ['dump-flows-br-int.txt', 'dump-flows-br-int-names.txt', 'dump-flows-br-int-no-stats.txt', 'dump-flows-br-int-names-no-stats.txt', 'dump-flows-br-ex.txt']) {
    test(`${f}: every line is a flow or a reply header, none is an error`, () => {
      const text = read(f);
      const d = parseFlowDump(text);
      assert.deepEqual(d.errors, []);
      assert.equal(d.flows.length, flowLines(text));
      const lines = text.split('\n');
      for (const fl of d.flows) assert.ok(lines[fl.line - 1].includes(fl.actions), `line ${fl.line} is where the flow was read`);
    });
  }

  test('the repeated NXST_FLOW reply header is skipped wherever it appears, line numbers stay true', () => {
    const text = read('dump-flows-br-int.txt');
    const headerLines = text.split('\n').flatMap((l, i) => (l.startsWith('NXST_FLOW reply') ? [i + 1] : []));
    assert.ok(headerLines.length >= 2, 'the real dump repeats its header');
    const d = parseFlowDump(text);
    const used = new Set(d.flows.map((f) => f.line));
    for (const h of headerLines) assert.ok(!used.has(h));
  });

  test('fields of a real flow: cookie, duration, table, counters, idle_age, priority, match, actions', () => {
    const d = parseFlowDump(read('dump-flows-br-int.txt'));
    const f = d.flows.find((x) => x.cookie === '0x770b959d' && x.table === 15);
    assert.ok(f, 'the lr_in_dnat flow of the EIP is in the dump');
    assert.equal(f.priority, 100);
    assert.equal(f.duration, 1.961);
    assert.equal(f.nPackets, 1);
    assert.equal(f.nBytes, 98);
    assert.equal(f.idleAge, 1);
    assert.equal(f.match, 'ip,reg14=0x2,metadata=0x4,nw_dst=192.168.100.101');
    assert.deepEqual(f.matchFields, [
      { field: 'ip' }, { field: 'reg14', value: '0x2' }, { field: 'metadata', value: '0x4' }, { field: 'nw_dst', value: '192.168.100.101' },
    ]);
    assert.equal(f.actions, 'ct(commit,table=16,zone=NXM_NX_REG11[0..15],nat(dst=10.16.0.15))');
    assert.deepEqual(f.actionList, ['ct(commit,table=16,zone=NXM_NX_REG11[0..15],nat(dst=10.16.0.15))']);
  });

  test('nested parentheses stay inside one action: ct(…,nat(src),exec(load:…)),resubmit(,27)', () => {
    const d = parseFlowDump(read('dump-flows-br-int.txt'));
    const f = d.flows.find((x) => x.actions.startsWith('ct(commit,zone=NXM_NX_REG13[0..15],nat(src),exec('));
    assert.ok(f);
    assert.deepEqual(f.actionList, ['ct(commit,zone=NXM_NX_REG13[0..15],nat(src),exec(load:0->NXM_NX_CT_MARK[0]))', 'resubmit(,27)']);
    assert.deepEqual(f.actionList.map(actionName), ['ct', 'resubmit']);
  });

  test('--names: quoted port names in the match and in output actions', () => {
    const d = parseFlowDump(read('dump-flows-br-int-names.txt'));
    const vm = d.flows.find((x) => x.table === 0 && x.match === 'in_port="vm1_h"');
    assert.ok(vm, 'the vm1 port appears by name');
    assert.deepEqual(vm.matchFields, [{ field: 'in_port', value: '"vm1_h"' }]);
    assert.ok(d.flows.some((x) => x.actionList.includes('output:"patch-br-int-to"')));
  });

  test('with and without --no-stats the same flows come out (cookie, table, priority, match, actions)', () => {
    const ident = (fs: Flow[]) => fs.map((f) => `${f.cookie} ${flowKey(f)} ${f.actions}`).sort();
    const stats = parseFlowDump(read('dump-flows-br-int.txt')).flows;
    const noStats = parseFlowDump(read('dump-flows-br-int-no-stats.txt')).flows;
    assert.deepEqual(ident(noStats), ident(stats));
    assert.ok(noStats.every((f) => f.nPackets === undefined && f.duration === undefined));
    assert.ok(stats.every((f) => typeof f.nPackets === 'number' && typeof f.nBytes === 'number'));
  });
});

describe('dump-flows parser: every field ovs-ofctl can print (real ovs-vswitchd, hand-written flows)', () => {
  test('OpenFlow 1.3: timeouts, flag words, empty match, default priority, OFPST header', () => {
    const d = parseFlowDump(read('dump-flows-synthetic-of13.txt'));
    assert.deepEqual(d.errors, []);
    assert.equal(d.flows.length, 5);
    const [normal, learn, ct, timed, flagged] = d.flows;
    assert.equal(normal.cookie, '0x10');
    assert.equal(normal.match, '');
    assert.equal(normal.priority, 32768);
    assert.equal(normal.actions, 'NORMAL');
    assert.equal(learn.priority, 32768);
    assert.deepEqual(learn.actionList, ['learn(table=10,idle_timeout=5,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])', 'output:2']);
    assert.equal(ct.actionList.length, 3);
    assert.equal(ct.actionList[2], 'controller(userdata=00.00.00.01,pause)');
    assert.equal(timed.idleTimeout, 30);
    assert.equal(timed.hardTimeout, 60);
    assert.deepEqual(timed.flags, ['send_flow_rem', 'reset_counts']);
    assert.equal(timed.priority, 5);
    assert.equal(timed.match, 'ip,nw_dst=1.2.3.4');
    assert.deepEqual(flagged.flags, ['check_overlap', 'no_packet_counts']);
    assert.equal(flagged.priority, 0);
  });

  test('OpenFlow 1.5 with --names: importance, idle_age after flags, port names with a space and a comma', () => {
    const d = parseFlowDump(read('dump-flows-synthetic-of15-names.txt'));
    assert.deepEqual(d.errors, []);
    const timed = d.flows[3];
    assert.equal(timed.importance, 7);
    assert.equal(timed.idleAge, 0);
    assert.deepEqual(d.flows[1].matchFields, [{ field: 'in_port', value: '"p 1"' }]);
    assert.equal(d.flows[1].actionList[1], 'output:"p,2"');
    assert.deepEqual(d.flows[2].matchFields.map((m) => m.field), ['tcp', 'in_port', 'tp_dst']);
    assert.equal(d.flows[2].matchFields[1].value, '"p,2"');
  });

  test('--no-stats omits cookie 0 and table 0: defaults are filled in', () => {
    const d = parseFlowDump(read('dump-flows-synthetic-no-stats.txt'));
    assert.deepEqual(d.errors, []);
    assert.deepEqual(d.flows.map((f) => [f.cookie, f.table]), [['0x10', 1], ['0x0', 2], ['0x0', 2], ['0x0', 3], ['0x0', 4]]);
    const br = parseFlowDump(' priority=0 actions=NORMAL\n actions=drop\n');
    assert.deepEqual(br.flows.map((f) => [f.table, f.priority, f.match, f.actions]), [[0, 0, '', 'NORMAL'], [0, 32768, '', 'drop']]);
  });
});

describe('dump-flows parser: bad input is reported with its line number, good lines still parse', () => {
  const good = ' cookie=0x1, duration=1.5s, table=3, n_packets=7, n_bytes=686, idle_age=0, priority=10,ip actions=drop';
  test('garbage, a truncated line, bad numbers, text inside the match', () => {
    const text = [
      'NXST_FLOW reply (xid=0x4):',
      good,
      'hello world',
      ' cookie=0x2, duration=1.5s, table=3, n_packets=7, n_bytes=68', // cut off mid-line
      ' cookie=0x3, duration=1.5s, table=3, n_packets=seven, n_bytes=686, priority=10,ip actions=drop',
      ' cookie=0xZZ, duration=1.5s, table=3, n_packets=7, n_bytes=686, priority=10,ip actions=drop',
      ' cookie=0x4, duration=1.5s, table=3, n_packets=7, n_bytes=686, priority=high,ip actions=drop',
      ' cookie=0x5, duration=1.5s, table=3, n_packets=7, surprise n_bytes=686, priority=10 actions=drop',
      ' cookie=0x6, duration=1.5s, table=3, n_packets=7, n_bytes=686, priority=10,ip actions=',
      good.replace('0x1', '0x7'),
    ].join('\n');
    const d = parseFlowDump(text);
    assert.deepEqual(d.flows.map((f) => [f.line, f.cookie]), [[2, '0x1'], [10, '0x7']]);
    assert.deepEqual(d.errors.map((e) => e.line), [3, 4, 5, 6, 7, 8, 9]);
    assert.match(d.errors[0].reason, /no "actions="/);
    assert.equal(d.errors[0].text, 'hello world');
    assert.match(d.errors[2].reason, /n_packets/);
    assert.match(d.errors[3].reason, /cookie/);
    assert.match(d.errors[4].reason, /priority/);
    assert.match(d.errors[5].reason, /unexpected text/);
    assert.match(d.errors[6].reason, /empty actions/);
  });

  test('CRLF line ends and a missing final newline are fine', () => {
    const d = parseFlowDump(`NXST_FLOW reply (xid=0x4):\r\n${good}\r\n${good.replace('0x1', '0x2')}`);
    assert.deepEqual(d.errors, []);
    assert.deepEqual(d.flows.map((f) => [f.line, f.actions]), [[2, 'drop'], [3, 'drop']]);
  });
});

describe('dump-flows reader: streaming', () => {
  test('chunks of any size give the same flows and errors as one string', () => {
    const text = read('dump-flows-br-int.txt') + 'not a flow\n';
    const whole = parseFlowDump(text);
    for (const size of [1, 7, 100, 4096]) {
      const r = new FlowDumpReader();
      for (let i = 0; i < text.length; i += size) r.push(text.slice(i, i + size));
      const part = r.end();
      assert.equal(part.flows.length, whole.flows.length, `chunk size ${size}`);
      assert.deepEqual(part.flows.map((f) => `${f.line} ${f.cookie} ${f.match} ${f.actions}`), whole.flows.map((f) => `${f.line} ${f.cookie} ${f.match} ${f.actions}`));
      assert.deepEqual(part.errors, whole.errors);
    }
    assert.equal(whole.errors.length, 1);
  });
});

test('splitActions keeps quoted commas and nested parentheses together', () => {
  assert.deepEqual(splitActions('note:61.62,output:"a,b",learn(table=1,x(y,z)),drop'), ['note:61.62', 'output:"a,b"', 'learn(table=1,x(y,z))', 'drop']);
});

test('JSON of a flow carries the CLI contract: cookie as "0x…", table, priority, nPackets, nBytes, match, actions', () => {
  const f = parseFlowDump(read('dump-flows-br-ex.txt')).flows[0];
  const j = JSON.parse(JSON.stringify(f)) as Record<string, unknown>;
  assert.deepEqual(
    { cookie: j.cookie, table: j.table, priority: j.priority, nPackets: j.nPackets, nBytes: j.nBytes, match: j.match, actions: j.actions },
    { cookie: '0x0', table: 0, priority: 0, nPackets: 11, nBytes: 742, match: '', actions: 'NORMAL' },
  );
  assert.deepEqual(j.actionList, ['NORMAL']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlowDump } from '../../src/ovn/flow-dump';
import { compileFlowFilter, FilterSyntaxError } from '../../src/ovn/flow-filter';

const dump = parseFlowDump([
  ' cookie=0x3b8ad6a3, duration=10.1s, table=12, n_packets=7, n_bytes=686, idle_age=1, priority=100,ip,reg14=0x3,metadata=0x1,nw_dst=192.168.100.101 actions=ct(commit,table=13,zone=NXM_NX_REG11[0..15],nat(dst=10.16.0.15))',
  ' cookie=0x12, duration=10.1s, table=12, n_packets=0, n_bytes=0, idle_age=1, priority=90,arp,metadata=0x1,arp_tpa=192.168.100.101 actions=load:0x2->NXM_OF_ARP_OP[],resubmit(,37)',
  ' cookie=0x0, duration=10.1s, table=0, n_packets=120, n_bytes=9000, idle_age=0, priority=100,in_port=3 actions=load:0x1->NXM_NX_REG13[],resubmit(,8)',
].join('\n')).flows;

const pick = (filter: string, ctx = {}) => dump.filter(compileFlowFilter(filter, ctx)).map((f) => f.cookie);

test('field comparisons combine with && and ||', () => {
  assert.deepEqual(pick('n_packets>0 && nw_dst=192.168.100.101 && table=12'), ['0x3b8ad6a3']);
  assert.deepEqual(pick('table=0 || arp'), ['0x12', '0x0']);
  assert.deepEqual(pick('priority>=100'), ['0x3b8ad6a3', '0x0']);
  assert.deepEqual(pick('cookie=0x12'), ['0x12']);
  assert.deepEqual(pick('in_port=3'), ['0x0']);
  assert.deepEqual(pick('reg14=3'), ['0x3b8ad6a3'], 'hex and decimal values compare as numbers');
});

test('actions~= matches inside parentheses; a bare word searches match and actions', () => {
  assert.deepEqual(pick('actions~=ct('), ['0x3b8ad6a3']);
  assert.deepEqual(pick('actions~=nat(dst=10.16.0.15)'), ['0x3b8ad6a3']);
  assert.deepEqual(pick('resubmit(,37)'), ['0x12']);
  assert.deepEqual(pick('192.168.100.101 n_packets=0'), ['0x12'], 'terms side by side mean and');
});

test('negation, grouping, delta and stage from the context', () => {
  assert.deepEqual(pick('!(table=12)'), ['0x0']);
  assert.deepEqual(pick('!arp && (table=12 || table=0)'), ['0x3b8ad6a3', '0x0']);
  const ctx = { delta: (f: { cookie: string }) => (f.cookie === '0x0' ? 5 : 0), stage: (f: { cookie: string }) => (f.cookie === '0x3b8ad6a3' ? 'lr_in_dnat' : undefined) };
  assert.deepEqual(pick('delta>0', ctx), ['0x0']);
  assert.deepEqual(pick('stage=lr_in_dnat', ctx), ['0x3b8ad6a3']);
  assert.deepEqual(pick(''), ['0x3b8ad6a3', '0x12', '0x0']);
});

test('syntax errors name the column', () => {
  assert.throws(() => compileFlowFilter('table= && x'), (e: unknown) => e instanceof FilterSyntaxError && /needs a value at column 1/.test(e.message));
  assert.throws(() => compileFlowFilter('(table=1'), /missing "\)"/);
  assert.throws(() => compileFlowFilter('table=1 &&'), /ends where a term is expected/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlowDump } from '../../src/ovn/flow-dump';
import { groupFlows, matchShape } from '../../src/ovn/flow-groups';

const flows = parseFlowDump([
  ' cookie=0xa, duration=1s, table=8, n_packets=3, n_bytes=1, priority=50,reg14=0x1,metadata=0x1,dl_src=0a:58:0a:10:00:0f actions=resubmit(,9)',
  ' cookie=0xb, duration=1s, table=8, n_packets=4, n_bytes=1, priority=50,reg14=0x2,metadata=0x1,dl_src=0a:58:0a:10:00:10 actions=resubmit(,9)',
  ' cookie=0xc, duration=1s, table=8, n_packets=0, n_bytes=1, priority=100,metadata=0x1,vlan_tci=0x1000/0x1000 actions=drop',
  ' cookie=0xd, duration=1s, table=12, n_packets=1, n_bytes=1, priority=100,ip,metadata=0x3,nw_dst=192.168.100.101 actions=ct(table=13)',
].join('\n')).flows;

test('logical blocks fold flows of one table and priority with the same match shape', () => {
  assert.equal(matchShape(flows[0]), 'reg14=*,metadata=*,dl_src=*');
  const g = groupFlows(flows, 'block');
  assert.deepEqual(g.map((x) => [x.label, x.flows.length, x.nPackets]), [
    ['table 8 priority 100: metadata=*,vlan_tci=*', 1, 0],
    ['table 8 priority 50: reg14=*,metadata=*,dl_src=*', 2, 7],
    ['table 12 priority 100: ip,metadata=*,nw_dst=*', 1, 1],
  ]);
});

test('by table and by stage, with deltas summed', () => {
  assert.deepEqual(groupFlows(flows, 'table').map((x) => x.label), ['table 8', 'table 12']);
  const stages: Record<string, string> = { '0xa': 'ls_in_port_sec_l2', '0xb': 'ls_in_port_sec_l2', '0xd': 'lr_in_dnat' };
  const g = groupFlows(flows, 'stage', { stageOf: (c) => stages[c], deltaOf: (f) => (f.cookie === '0xb' ? 2 : 0) });
  assert.deepEqual(g.map((x) => [x.label, x.delta]), [
    ['table 8: ls_in_port_sec_l2', 2],
    ['table 8: (no logical flow)', 0],
    ['table 12: lr_in_dnat', 0],
  ]);
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { takeFlowSnapshot, type FlowSnapshot } from '../../../src/ovn/flow-watch';
import type { OvnTarget } from '../../../src/ovn/ovn-target';
import { FlowsViewModel } from '../../../src/views/flows-view-model';

/** A target whose dump is whatever the test sets. */
function fakeTarget(): OvnTarget & { text: string } {
  return {
    text: '',
    describe: () => 'fake',
    nodes: async () => ['n1'],
    listRows: async () => [],
    listOvsRows: async () => [],
    async dumpFlows() { return this.text; },
    ovnTrace: async () => '',
    ofprotoTrace: async () => '',
    close: async () => undefined,
  };
}

function dump(packets: (i: number) => number, n = 50): string {
  const lines = [' cookie=0x0, duration=1.0s, table=0, n_packets=0, n_bytes=0, priority=0 actions=drop'];
  for (let i = 0; i < n; i++) {
    const table = i < 25 ? 12 : 13;
    const p = packets(i);
    lines.push(` cookie=0x${(0x6b825800 + i).toString(16)}, duration=10.0s, table=${table}, n_packets=${p}, n_bytes=${p * 98}, priority=${100 + (i % 2)},ip,metadata=0x3,nw_dst=192.168.100.${i} actions=ct(table=13,nat)`);
  }
  return lines.join('\n') + '\n';
}

async function twoSnapshots(before: (i: number) => number, after: (i: number) => number): Promise<{ vm: FlowsViewModel; a: FlowSnapshot; b: FlowSnapshot; t: ReturnType<typeof fakeTarget> }> {
  const t = fakeTarget();
  const vm = new FlowsViewModel();
  t.text = dump(before);
  const a = await takeFlowSnapshot(t, 'n1', 'br-int');
  vm.update(a);
  t.text = dump(after);
  const b = await takeFlowSnapshot(t, 'n1', 'br-int', a);
  vm.update(b);
  return { vm, a, b, t };
}

describe('FlowsViewModel', () => {
  test('Δ since the last refresh marks the rows hit, heat on a log scale', async () => {
    const { vm } = await twoSnapshots(() => 1, (i) => (i === 3 ? 6 : i === 30 ? 101 : 1));
    assert.equal(vm.total, 51);
    assert.equal(vm.hitCount, 2);
    const rows = vm.window(0, 51);
    const r3 = rows[4];
    assert.ok(r3.kind === 'flow');
    assert.equal(r3.delta, 5);
    assert.equal(r3.packets, 6);
    assert.ok(r3.heat > 0 && r3.heat < 1, `heat ${r3.heat}`);
    const r30 = rows[31];
    assert.ok(r30.kind === 'flow' && r30.delta === 100 && r30.heat === 1);
    const cold = rows[10];
    assert.ok(cold.kind === 'flow' && cold.delta === 0 && cold.heat === 0);
    const strip = vm.heatStrip(10);
    assert.equal(strip.length, 10);
    assert.equal(strip[0], r3.heat);
    assert.equal(strip[6], 1);
    assert.equal(strip.filter((h) => h > 0).length, 2);
  });

  test('a window is only the rows asked for', async () => {
    const { vm } = await twoSnapshots(() => 0, () => 0);
    const w = vm.window(45, 20);
    assert.equal(w.length, 6);
    assert.ok(w[0].kind === 'flow' && w[0].match.includes('nw_dst=192.168.100.44'));
    assert.deepEqual(vm.window(60, 10), []);
  });

  test('filter with delta, inline syntax error keeps the previous filter', async () => {
    const { vm } = await twoSnapshots(() => 0, (i) => (i % 10 === 0 ? 3 : 0));
    assert.equal(vm.setFilter('delta>0 && table=12'), undefined);
    assert.deepEqual(vm.window(0, 100).map((r) => (r.kind === 'flow' ? r.match.split('nw_dst=')[1] : '')), ['192.168.100.0', '192.168.100.10', '192.168.100.20']);
    const err = vm.setFilter('table=12 && (');
    assert.ok(err);
    assert.match(err.message, /column/);
    assert.equal(vm.total, 3, 'the previous filter still applies');
  });

  test('group by table: headers with counts and Δ sums, collapsible', async () => {
    const { vm } = await twoSnapshots(() => 0, (i) => (i === 26 ? 4 : 0));
    vm.setGrouping('table');
    const rows = vm.window(0, 100);
    const headers = rows.filter((r) => r.kind === 'group');
    assert.deepEqual(headers.map((h) => h.kind === 'group' && [h.label, h.count, h.delta]), [['table 0', 1, 0], ['table 12', 25, 0], ['table 13', 25, 4]]);
    const key = headers[1].kind === 'group' ? headers[1].key : '';
    vm.toggleGroup(key);
    assert.equal(vm.total, 3 + 1 + 25);
    const collapsed = vm.window(0, 100).find((r) => r.kind === 'group' && r.key === key);
    assert.ok(collapsed?.kind === 'group' && collapsed.collapsed);
  });

  test('group by stage uses the stage lookup', async () => {
    const { vm } = await twoSnapshots(() => 0, () => 0);
    vm.setStageOf((c) => (c.endsWith('0') ? 'lr_in_dnat' : undefined));
    vm.setGrouping('stage');
    const labels = vm.window(0, 100).filter((r) => r.kind === 'group').map((r) => (r.kind === 'group' ? r.label : ''));
    assert.ok(labels.includes('table 12: lr_in_dnat'), labels.join('|'));
    assert.ok(labels.includes('table 12: (no logical flow)'));
  });

  test('"hit by my last ping": Δ since the mark spans several refreshes', async () => {
    const t = fakeTarget();
    const vm = new FlowsViewModel();
    t.text = dump(() => 0);
    let s = await takeFlowSnapshot(t, 'n1', 'br-int');
    vm.update(s);
    vm.markNow();
    for (const p of [2, 5]) {
      t.text = dump((i) => (i === 7 ? p : 0));
      s = await takeFlowSnapshot(t, 'n1', 'br-int', s);
      vm.update(s);
    }
    const since = (v: FlowsViewModel) => { const r = v.window(8, 1)[0]; return r.kind === 'flow' ? r.delta : -1; };
    assert.equal(since(vm), 3, 'since the last refresh: 5 - 2');
    vm.setDeltaMode('mark');
    assert.equal(since(vm), 5, 'since the mark: 5 - 0');
    assert.equal(vm.hitCount, 1);
  });
});

describe('FlowsViewModel: a bad dump keeps the last good state', () => {
  test('a dump cut mid-read is refused with its line; the previous snapshot and deltas stay', async () => {
    const { vm, t, b } = await twoSnapshots(() => 0, (i) => (i === 2 ? 4 : 0));
    t.text = dump(() => 9).split('\n').slice(0, 20).join('\n') + '\n cookie=0x1, duration=1.0s, table=12, n_packets=3, n_by';
    const cut = await takeFlowSnapshot(t, 'n1', 'br-int', b);
    assert.ok(cut.errors.length > 0, 'the truncated line is an error');
    const msg = vm.accept(cut);
    assert.match(msg ?? '', /unreadable line\(s\) \(line 21: .*\); keeping the previous snapshot/);
    assert.equal(vm.snapshot, b);
    assert.equal(vm.total, 51);
    const r = vm.window(3, 1)[0];
    assert.ok(r.kind === 'flow' && r.delta === 4);
  });
  test('a good dump is taken and clears the message', async () => {
    const { vm, t, b } = await twoSnapshots(() => 0, () => 0);
    t.text = dump(() => 1);
    const next = await takeFlowSnapshot(t, 'n1', 'br-int', b);
    assert.equal(vm.accept(next), undefined);
    assert.equal(vm.snapshot, next);
    assert.equal(vm.hitCount, 50);
  });
});

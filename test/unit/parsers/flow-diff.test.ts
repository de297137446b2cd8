// Flow diff: counters that moved (with deltas), flows added and removed, re-installed flows whose
// counters restarted, rewritten cookies/actions. Starts from a real dump and edits it the way a
// second dump differs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlowDump, parseFlowColumns } from '../../../src/ovn/flow-dump';
import { diffFlows, diffFlowColumns, type FlowDiff, type FlowDiffOptions } from '../../../src/ovn/flow-diff';
import { formatFlowDiff } from '../../../src/ovn/flow-format';

const text = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'ovn-output', 'dump-flows-br-int.txt'), 'utf8');
const before = parseFlowDump(text).flows;

/** Edits the line holding `needle`: replaces its counters (and optionally more). */
function edit(src: string, needle: string, change: (line: string) => string): string {
  const lines = src.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `fixture has ${needle}`);
  lines[i] = change(lines[i]);
  return lines.join('\n');
}
const counters = (p: number, b: number) => (l: string) => l.replace(/n_packets=\d+, n_bytes=\d+/, `n_packets=${p}, n_bytes=${b}`);

/** The column diff must say exactly what the object diff says. */
function bothDiffs(a: string, b: string, opts: FlowDiffOptions = {}): FlowDiff {
  const viaObjects = diffFlows(parseFlowDump(a).flows, parseFlowDump(b).flows, opts);
  const viaColumns = diffFlowColumns(parseFlowColumns(a).columns, parseFlowColumns(b).columns, opts);
  const summary = (d: FlowDiff) => JSON.stringify({
    changed: d.changed.map((c) => [c.before.line, c.after.line, c.dPackets, c.dBytes, c.reset]),
    added: d.added.map((f) => f.line), removed: d.removed.map((f) => f.line),
    rewritten: d.rewritten.map((r) => [r.before.line, r.after.line]), unchanged: d.unchanged,
  });
  assert.equal(summary(viaColumns), summary(viaObjects), 'diffFlowColumns agrees with diffFlows');
  return viaObjects;
}

describe('flow diff', () => {
  test('the same dump twice: nothing moved, nothing added or removed', () => {
    const d = bothDiffs(text, text);
    assert.deepEqual([d.changed.length, d.added.length, d.removed.length, d.rewritten.length, d.unchanged], [0, 0, 0, 0, before.length]);
    assert.equal(formatFlowDiff(d), 'no flow counters moved');
  });

  test('moved counters come out with their deltas, in dump order; the rest is unchanged', () => {
    // the EIP's lr_in_dnat flow (1 packet, 98 bytes) and vm1's table-0 flow
    let t = edit(text, 'cookie=0x770b959d, duration=1.961s, table=15', counters(4, 392));
    const vm1 = before.find((f) => f.table === 0 && f.match === 'in_port=2');
    assert.ok(vm1 && vm1.nPackets !== undefined && vm1.nBytes !== undefined);
    t = edit(t, `table=0, n_packets=${vm1.nPackets}, n_bytes=${vm1.nBytes}, idle_age=0, priority=100,in_port=2 `, counters(vm1.nPackets + 3, vm1.nBytes + 294));
    const d = bothDiffs(text, t);
    assert.deepEqual(d.changed.map((c) => [c.after.table, c.after.cookie, c.dPackets, c.dBytes, c.reset]), [
      [0, vm1.cookie, 3, 294, false],
      [15, '0x770b959d', 3, 294, false],
    ]);
    assert.equal(d.unchanged, before.length - 2);
    assert.match(formatFlowDiff(d), /\+3 +\+294/);
  });

  test('a flow removed and a flow added; the same match under a new cookie is a rewrite, not add+remove', () => {
    let t = edit(text, 'cookie=0x770b959d, duration=1.961s, table=15', () => ' cookie=0xabc, duration=0.1s, table=70, n_packets=0, n_bytes=0, idle_age=0, priority=1,ip actions=drop');
    t = edit(t, 'table=26, n_packets=0, n_bytes=0, idle_age=1, priority=100,ip,reg0=0x2/0x2002,metadata=0x1', (l) => l.replace(/cookie=0x[0-9a-f]+/, 'cookie=0x1234'));
    const d = bothDiffs(text, t);
    assert.deepEqual(d.added.map((f) => [f.table, f.cookie]), [[70, '0xabc']]);
    assert.deepEqual(d.removed.map((f) => [f.table, f.cookie]), [[15, '0x770b959d']]);
    assert.equal(d.rewritten.length, 1);
    assert.equal(d.rewritten[0].after.cookie, '0x1234');
    assert.equal(d.rewritten[0].before.cookie, '0x769d2ed2');
    assert.equal(d.changed.length, 0);
    // told apart by cookie, the rewrite becomes a removal and an addition
    const byCookie = bothDiffs(text, t, { byCookie: true });
    assert.equal(byCookie.added.length, 2);
    assert.equal(byCookie.removed.length, 2);
  });

  test('counter reset: counters that went backwards, or a flow that got younger, count from zero', () => {
    let t = edit(text, 'cookie=0x770b959d, duration=1.961s, table=15', counters(0, 0));
    const d0 = bothDiffs(text, t);
    assert.equal(d0.changed.length, 0, 'reset to zero with no new traffic: nothing moved');
    t = edit(text, 'cookie=0x770b959d, duration=1.961s, table=15', (l) => counters(2, 196)(l).replace('duration=1.961s', 'duration=0.500s'));
    const d = bothDiffs(text, t);
    assert.deepEqual(d.changed.map((c) => [c.dPackets, c.dBytes, c.reset]), [[2, 196, true]]);
    // re-installed between the dumps yet older than the first flow was: only the elapsed time tells
    const flow = (dur: string, p: number) => ` cookie=0x1, duration=${dur}s, table=3, n_packets=${p}, n_bytes=${p * 98}, idle_age=0, priority=10,ip actions=drop`;
    const a = `${flow('0.100', 1)}\n${flow('7.000', 1).replace('table=3', 'table=4')}`;
    const b = `${flow('2.500', 5)}\n${flow('12.000', 5).replace('table=3', 'table=4')}`;
    assert.deepEqual(bothDiffs(a, b).changed.map((c) => [c.after.table, c.dPackets, c.reset]), [[3, 4, false], [4, 4, false]]);
    assert.deepEqual(bothDiffs(a, b, { elapsedSeconds: 5 }).changed.map((c) => [c.after.table, c.dPackets, c.reset]), [[3, 5, true], [4, 4, false]]);
  });

  test('new actions under the same cookie are a rewrite; a dump in another order pairs the same flows', () => {
    const t = edit(text, 'table=0, n_packets=0, n_bytes=0, idle_age=1, priority=180,vlan_tci=0x0000/0x1000 actions=conjunction(100,2/2)', (l) => l.replace('conjunction(100,2/2)', 'drop'));
    const d = bothDiffs(text, t);
    assert.deepEqual(d.rewritten.map((r) => [r.before.actions, r.after.actions]), [['conjunction(100,2/2)', 'drop']]);
    assert.equal(d.unchanged, before.length);
    const header = text.split('\n')[0];
    const reversed = [header, ...text.split('\n').slice(1).filter((l) => l.startsWith(' cookie')).reverse()].join('\n');
    const r = bothDiffs(text, reversed);
    assert.deepEqual([r.changed.length, r.added.length, r.removed.length, r.rewritten.length, r.unchanged], [0, 0, 0, 0, before.length]);
  });
});

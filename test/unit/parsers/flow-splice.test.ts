// FlowColumns.concat and FlowStats.concat: the rows of the tables a flow monitor named, read
// again, spliced between the unchanged rows of the last read (flow-watch.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowColumns, parseFlowColumns } from '../../../src/ovn/flow-dump';
import { FlowStats } from '../../../src/ovn/openflow/flow-stats';

const line = (t: number, p: number, dst: string, extra = '') =>
  ` cookie=0x${t}${p}, duration=1.5s, table=${t}, n_packets=${p}, n_bytes=${p * 98}, ${extra}priority=${p},ip,nw_dst=${dst} actions=drop`;

test('concat keeps each row\'s own text, counters and rare fields, across texts', () => {
  const old = parseFlowColumns([line(0, 10, '10.0.0.1'), line(1, 20, '10.0.1.1'), line(1, 21, '10.0.1.2'), line(2, 30, '10.0.2.1', 'idle_timeout=60, ')].join('\n') + '\n').columns;
  const fresh = parseFlowColumns([line(1, 25, '10.0.1.9', 'hard_timeout=5, ')].join('\n') + '\n').columns;
  const c = FlowColumns.concat([{ from: old, start: 0, end: 1 }, { from: fresh, start: 0, end: 1 }, { from: old, start: 3, end: 4 }]);
  assert.equal(c.count, 3);
  assert.deepEqual([0, 1, 2].map((i) => c.match(i)), ['ip,nw_dst=10.0.0.1', 'ip,nw_dst=10.0.1.9', 'ip,nw_dst=10.0.2.1']);
  assert.deepEqual([0, 1, 2].map((i) => c.cookie(i)), ['0x010', '0x125', '0x230']);
  assert.deepEqual(Array.from(c.nPackets.subarray(0, 3)), [10, 25, 30]);
  assert.equal(c.flow(1).hardTimeout, 5, 'the rare field of the spliced row');
  assert.equal(c.flow(2).idleTimeout, 60, 'and of the row after it, re-keyed');
  assert.equal(c.flow(0).idleTimeout, undefined);
  assert.deepEqual(c.chunks.length, 3, 'old text, new text, old text again');
});

test('FlowStats.concat: bodies and counters of the segments, entries still compare with their sources', () => {
  // three entries of different lengths: 48-byte header + 8 or 16 bytes
  const mk = (lens: number[], first: number) => {
    const body = Buffer.alloc(lens.reduce((a, b) => a + b, 0));
    const offsets = new Int32Array(lens.length);
    let p = 0;
    lens.forEach((len, i) => { offsets[i] = p; body.writeUInt16BE(len, p); body[p + 2] = i; body[p + 48] = first + i; p += len; });
    const n = lens.length;
    const col = (k: number) => Float64Array.from({ length: n }, (_, i) => first + i + k);
    return new FlowStats(body, offsets, n, col(0.5), col(100), col(1000), col(0));
  };
  const a = mk([56, 64, 56], 1);
  const b = mk([64], 9);
  const s = FlowStats.concat([{ from: a, start: 0, end: 1 }, { from: b, start: 0, end: 1 }, { from: a, start: 1, end: 1 }, { from: a, start: 2, end: 3 }]);
  assert.equal(s.count, 3);
  assert.equal(s.body.length, 56 + 64 + 56);
  assert.ok(s.sameFlow(0, a, 0) && s.sameFlow(1, b, 0) && s.sameFlow(2, a, 2));
  assert.ok(!s.sameFlow(2, a, 1));
  assert.deepEqual(Array.from(s.packets), [101, 109, 103]);
  assert.deepEqual([...s.tableRanges()], [[0, [0, 2]], [2, [2, 3]]], 'table ids come from the entries');
});

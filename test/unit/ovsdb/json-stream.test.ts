import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonStreamScanner } from '../../../src/ovn/ovsdb/json-stream';
import { OvsdbProtocolError } from '../../../src/ovn/ovsdb/errors';

const messages = [
  { id: 1, method: 'echo', params: [] },
  { result: { s: 'braces } { ] [ in a string', q: 'a "quoted" word', b: 'back\\slash\\', e: '\\"', n: null }, error: null, id: 2 },
  { method: 'update2', params: ['m', { T: { u: { modify: { name: 'héllo wörld ✓ 𝄞 日本語' } } } }], id: null },
  [1, [2, [3, {}]], ''],
  { s: '\\\\' , t: '\u0000\u001f', u: '}' },
];
const wire = Buffer.from(messages.map((m) => JSON.stringify(m)).join('\n  '));

test('framing: one chunk with several messages yields them all in order', () => {
  const s = new JsonStreamScanner();
  assert.deepEqual(s.push(wire), messages);
  assert.equal(s.pendingBytes, 0);
});

test('framing: a split at every byte boundary yields the same messages (strings with braces, escapes, multibyte UTF-8)', () => {
  for (let cut = 0; cut <= wire.length; cut++) {
    const s = new JsonStreamScanner();
    const got = [...s.push(wire.subarray(0, cut)), ...s.push(wire.subarray(cut))];
    assert.deepEqual(got, messages, `split at byte ${cut}`);
    assert.equal(s.pendingBytes, 0);
  }
});

test('framing: byte-by-byte feeding (every multibyte character split) yields the same messages', () => {
  const s = new JsonStreamScanner();
  const got = [];
  for (let i = 0; i < wire.length; i++) got.push(...s.push(wire.subarray(i, i + 1)));
  assert.deepEqual(got, messages);
});

test('framing: three-way splits around the escaped quotes keep string state across chunks', () => {
  const text = Buffer.from(JSON.stringify({ a: 'x\\"}y', b: ['\\\\', '"'] }));
  for (let i = 1; i < text.length; i++) {
    for (let j = i; j < text.length; j++) {
      const s = new JsonStreamScanner();
      const got = [...s.push(text.subarray(0, i)), ...s.push(text.subarray(i, j)), ...s.push(text.subarray(j))];
      assert.deepEqual(got, [JSON.parse(text.toString())], `cuts ${i},${j}`);
    }
  }
});

test('framing: a half message stays pending and reports its size', () => {
  const s = new JsonStreamScanner();
  assert.deepEqual(s.push(Buffer.from('{"id":1,"result":{"a":"b')), []);
  assert.ok(s.pendingBytes > 0);
});

test('framing: garbage between messages is a protocol error naming the bytes, and the scanner stays failed', () => {
  const s = new JsonStreamScanner();
  assert.throws(() => s.push(Buffer.from('{"id":1,"result":[],"error":null} hello')), (e: Error) => e instanceof OvsdbProtocolError && /hello/.test(e.message));
  assert.throws(() => s.push(Buffer.from('{}')), OvsdbProtocolError);
});

test('framing: a balanced but invalid JSON value is a protocol error', () => {
  const s = new JsonStreamScanner();
  assert.throws(() => s.push(Buffer.from('{not json}')), (e: Error) => e instanceof OvsdbProtocolError && /not valid JSON/.test(e.message));
});

test('framing: an unmatched closing bracket is a protocol error', () => {
  assert.throws(() => new JsonStreamScanner().push(Buffer.from(']')), /unmatched/);
});

test('framing: a message over the size limit is refused', () => {
  const s = new JsonStreamScanner({ maxMessageBytes: 100 });
  assert.throws(() => s.push(Buffer.from(`{"a":"${'x'.repeat(200)}`)), /exceeded 100 bytes/);
});

test('framing: a large message split into 64 KiB chunks is reassembled', () => {
  const big = { rows: Array.from({ length: 20000 }, (_, i) => ({ name: `p${i}`, m: `inport == "p${i}" && ip4.dst == {10.0.0.1}` })) };
  const buf = Buffer.from(JSON.stringify(big));
  const s = new JsonStreamScanner();
  const got = [];
  for (let i = 0; i < buf.length; i += 65536) got.push(...s.push(buf.subarray(i, i + 65536)));
  assert.deepEqual(got, [big]);
});

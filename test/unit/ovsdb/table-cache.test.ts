import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchema } from '../../../src/ovn/ovsdb/schema';
import { TableCache } from '../../../src/ovn/ovsdb/table-cache';
import { OvsdbProtocolError } from '../../../src/ovn/ovsdb/errors';

const schema = parseSchema({
  name: 'Test',
  version: '1.0.0',
  tables: {
    Sw: { columns: { name: { type: 'string' }, ports: { type: { key: { type: 'uuid', refTable: 'Port' }, min: 0, max: 'unlimited' } }, ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } }, tag: { type: { key: 'integer', min: 0, max: 1 } } } },
  },
});
const A = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
const P1 = '11111111-1111-1111-1111-111111111111';
const P2 = '22222222-2222-2222-2222-222222222222';

test('cache: update2 initial fills omitted (default) columns; modify applies diffs; delete removes', () => {
  const c = new TableCache(schema);
  c.track('Sw');
  let ch = c.applyUpdate2({ Sw: { [A]: { initial: { name: 'sw0', ports: ['uuid', P1] } } } });
  assert.deepEqual(ch.map((x) => x.kind), ['insert']);
  assert.deepEqual(c.row('Sw', A), { _uuid: A, name: 'sw0', ports: [P1], ids: {}, tag: undefined });
  const before = c.row('Sw', A);
  ch = c.applyUpdate2({ Sw: { [A]: { modify: { ports: ['set', [['uuid', P1], ['uuid', P2]]], ids: ['map', [['k', 'v']]], tag: 3 } } } });
  assert.equal(ch[0].kind, 'modify');
  assert.deepEqual(ch[0].old, before);
  assert.deepEqual(c.row('Sw', A), { _uuid: A, name: 'sw0', ports: [P2], ids: { k: 'v' }, tag: 3 });
  assert.deepEqual(before?.ports, [P1], 'rows are replaced, not mutated');
  ch = c.applyUpdate2({ Sw: { [A]: { delete: null } } });
  assert.equal(ch[0].kind, 'delete');
  assert.equal(c.table('Sw').size, 0);
});

test('cache: update (monitor v1) old/new rows insert, modify and delete', () => {
  const c = new TableCache(schema);
  c.track('Sw');
  c.applyUpdate({ Sw: { [A]: { new: { name: 'sw0', ports: ['set', []], ids: ['map', []], tag: ['set', []] } } } });
  assert.equal(c.row('Sw', A)?.name, 'sw0');
  const ch = c.applyUpdate({ Sw: { [A]: { old: { name: 'sw0' }, new: { name: 'sw1', ports: ['set', []], ids: ['map', [['a', 'b']]], tag: 1 } } } });
  assert.equal(ch[0].kind, 'modify');
  assert.deepEqual(c.row('Sw', A), { _uuid: A, name: 'sw1', ports: [], ids: { a: 'b' }, tag: 1 });
  c.applyUpdate({ Sw: { [A]: { old: { name: 'sw1' } } } });
  assert.equal(c.row('Sw', A), undefined);
});

test('cache: a modify for a row never seen is a protocol error, not a silent insert', () => {
  const c = new TableCache(schema);
  assert.throws(() => c.applyUpdate2({ Sw: { [A]: { modify: { name: 'x' } } } }), OvsdbProtocolError);
});

test('cache: replaceWith (resync) reports rows gone while away as deletes and keeps no stale row', () => {
  const live = new TableCache(schema);
  live.track('Sw');
  live.applyUpdate2({ Sw: { [A]: { initial: { name: 'stale' } }, [P1]: { initial: { name: 'same' } } } });
  const fresh = new TableCache(schema);
  fresh.track('Sw');
  fresh.applyUpdate2({ Sw: { [P1]: { initial: { name: 'same' } }, [P2]: { initial: { name: 'new' } } } });
  const ch = live.replaceWith(fresh);
  assert.deepEqual(ch.map((x) => [x.kind, x.uuid]).sort(), [['delete', A], ['insert', P2]].sort());
  assert.deepEqual([...live.table('Sw').keys()].sort(), [P1, P2].sort());
});

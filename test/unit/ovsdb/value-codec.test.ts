import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseColumnType, parseSchema } from '../../../src/ovn/ovsdb/schema';
import { applyDiff, decodeValue, defaultValue, encodeValue, namedUuid } from '../../../src/ovn/ovsdb/value-codec';
import { encodeOperation, Operations } from '../../../src/ovn/ovsdb/operations';
import { OvsdbSchemaError } from '../../../src/ovn/ovsdb/errors';

const U1 = '11111111-1111-1111-1111-111111111111';
const U2 = '22222222-2222-2222-2222-222222222222';
const scalarStr = parseColumnType('string');
const optInt = parseColumnType({ key: { type: 'integer', minInteger: 0 }, min: 0, max: 1 });
const uuidSet = parseColumnType({ key: { type: 'uuid', refTable: 'T' }, min: 0, max: 'unlimited' });
const strMap = parseColumnType({ key: 'string', value: 'string', min: 0, max: 'unlimited' });
const intKeyMap = parseColumnType({ key: 'integer', value: 'string', min: 0, max: 'unlimited' });

test('codec: column kinds come from min/max/value', () => {
  assert.equal(scalarStr.kind, 'scalar');
  assert.equal(optInt.kind, 'optional');
  assert.equal(uuidSet.kind, 'set');
  assert.equal(strMap.kind, 'map');
});

test('codec: decodes atoms, uuids, sets (also a bare single element), maps', () => {
  assert.equal(decodeValue('x', scalarStr), 'x');
  assert.equal(decodeValue(['set', []], optInt), undefined);
  assert.equal(decodeValue(7, optInt), 7);
  assert.equal(decodeValue(['set', [7]], optInt), 7);
  assert.deepEqual(decodeValue(['set', [['uuid', U1], ['uuid', U2]]], uuidSet), [U1, U2]);
  assert.deepEqual(decodeValue(['uuid', U1], uuidSet), [U1]);
  assert.deepEqual(decodeValue(['map', [['a', '1'], ['b', '2']]], strMap), { a: '1', b: '2' });
  assert.deepEqual(decodeValue(['map', [[4, 'four']]], intKeyMap), { 4: 'four' });
});

test('codec: encodes to ["uuid"], ["named-uuid"], ["set"], ["map"] by column type', () => {
  assert.deepEqual(encodeValue([U1, namedUuid('new_row')], uuidSet, 'T.c'), ['set', [['uuid', U1], ['named-uuid', 'new_row']]]);
  assert.deepEqual(encodeValue(undefined, optInt, 'T.c'), ['set', []]);
  assert.deepEqual(encodeValue(5, optInt, 'T.c'), ['set', [5]]);
  assert.deepEqual(encodeValue({ a: '1' }, strMap, 'T.c'), ['map', [['a', '1']]]);
  assert.deepEqual(encodeValue({ 4: 'four' }, intKeyMap, 'T.c'), ['map', [[4, 'four']]]);
  assert.equal(encodeValue('x', scalarStr, 'T.c'), 'x');
});

test('codec: a wrong value shape names the column and what was expected', () => {
  assert.throws(() => encodeValue(['not-a-uuid'], uuidSet, 'T.refs'), (e: Error) => e instanceof OvsdbSchemaError && /T\.refs.*expected a uuid.*namedUuid/.test(e.message));
  assert.throws(() => encodeValue(3, scalarStr, 'T.name'), /T\.name: expected a string/);
  assert.throws(() => encodeValue(1.5, optInt, 'T.n'), /expected an integer/);
  assert.throws(() => namedUuid('bad name'), /not a valid uuid-name/);
});

test('codec: round trip decode(encode(x)) for every kind', () => {
  const cases: Array<[Parameters<typeof encodeValue>[0], ReturnType<typeof parseColumnType>]> = [
    ['x', scalarStr], [3, optInt], [undefined, optInt], [[U1, U2], uuidSet], [{ k: 'v', k2: '' }, strMap],
  ];
  for (const [v, t] of cases) assert.deepEqual(decodeValue(encodeValue(v, t, 'c'), t), v);
});

test('update2 diff: a set toggles each element of the difference (added and removed at once)', () => {
  assert.deepEqual(applyDiff([U1], ['set', [['uuid', U1], ['uuid', U2]]], uuidSet), [U2]);
  assert.deepEqual(applyDiff([], ['uuid', U1], uuidSet), [U1]);
  assert.deepEqual(applyDiff([U1, U2], ['set', [['uuid', U2]]], uuidSet), [U1]);
});

test('update2 diff: a map adds new keys, removes pairs sent with their old value, updates changed keys', () => {
  const old = { keep: '1', drop: '2', change: '3' };
  const diff = ['map', [['drop', '2'], ['change', '33'], ['add', '4']]];
  assert.deepEqual(applyDiff(old, diff, strMap), { keep: '1', change: '33', add: '4' });
  assert.deepEqual(old, { keep: '1', drop: '2', change: '3' }, 'the old value is not mutated');
});

test('update2 diff: an optional column is a set of at most one (set, clear, replace)', () => {
  assert.equal(applyDiff(undefined, 5, optInt), 5);
  assert.equal(applyDiff(5, 5, optInt), undefined);
  assert.equal(applyDiff(5, ['set', [5, 6]], optInt), 6);
});

test('update2 diff: a scalar column takes the new value', () => {
  assert.equal(applyDiff('old', 'new', scalarStr), 'new');
});

test('codec: defaults of omitted columns', () => {
  assert.equal(defaultValue(scalarStr), '');
  assert.equal(defaultValue(optInt), undefined);
  assert.deepEqual(defaultValue(uuidSet), []);
  assert.deepEqual(defaultValue(strMap), {});
});

const schema = parseSchema({
  name: 'Test',
  version: '1.0.0',
  tables: {
    Sw: { columns: { name: { type: 'string' }, ports: { type: { key: { type: 'uuid', refTable: 'Port' }, min: 0, max: 'unlimited' } }, ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } } } },
    Port: { columns: { name: { type: 'string' }, tag: { type: { key: 'integer', min: 0, max: 1 } } } },
  },
});

test('operations: insert with uuid-name, mutate referencing it, select/update/delete/wait/comment encode for the wire', () => {
  const op = new Operations();
  const ops = [
    op.insert('Port', { name: 'p1', tag: 5 }, 'p1row'),
    op.mutate('Sw', [['name', '==', 'sw0']], [['ports', 'insert', [namedUuid('p1row')]], ['ids', 'delete', ['gone']], ['ids', 'insert', { k: 'v' }]]),
    op.select('Port', [['tag', '==', 5]], ['name']),
    op.update('Port', [['_uuid', '==', U1]], { tag: undefined }),
    op.delete('Sw', [['name', '==', 'sw0']]),
    op.wait('Port', [['name', '==', 'p1']], ['tag'], '==', [{ tag: 5 }], 1000),
    op.comment('ovnlab test'),
  ];
  assert.deepEqual(ops.map((o) => encodeOperation(schema, o)), [
    { op: 'insert', table: 'Port', row: { name: 'p1', tag: ['set', [5]] }, 'uuid-name': 'p1row' },
    { op: 'mutate', table: 'Sw', where: [['name', '==', 'sw0']], mutations: [['ports', 'insert', ['set', [['named-uuid', 'p1row']]]], ['ids', 'delete', ['set', ['gone']]], ['ids', 'insert', ['map', [['k', 'v']]]]] },
    { op: 'select', table: 'Port', where: [['tag', '==', ['set', [5]]]], columns: ['name'] },
    { op: 'update', table: 'Port', where: [['_uuid', '==', ['uuid', U1]]], row: { tag: ['set', []] } },
    { op: 'delete', table: 'Sw', where: [['name', '==', 'sw0']] },
    { op: 'wait', table: 'Port', where: [['name', '==', 'p1']], columns: ['tag'], until: '==', rows: [{ tag: ['set', [5]] }], timeout: 1000 },
    { op: 'comment', comment: 'ovnlab test' },
  ]);
});

test('operations: an unknown table or column is refused before sending, naming it', () => {
  const op = new Operations();
  assert.throws(() => encodeOperation(schema, op.insert('Nope', {})), (e: Error) => e instanceof OvsdbSchemaError && /table "Nope" does not exist in database Test/.test(e.message));
  assert.throws(() => encodeOperation(schema, op.update('Port', [], { colour: 'red' })), /column "colour" does not exist in table Port/);
  assert.throws(() => encodeOperation(schema, op.delete('Port', [['colour', '==', 'x']])), /column "colour"/);
});

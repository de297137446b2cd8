// Transaction operations (RFC 7047 §5.2) built from plain values, then encoded against the
// server's schema: the schema says whether a string is a uuid, whether an array is a set, and
// what a map's key type is, so callers never write ["set", …] / ["map", …] by hand.
import { OvsdbSchemaError } from './errors';
import type { JsonObject, JsonValue } from './json-value';
import { columnOf, tableOf, type ColumnType, type DatabaseSchema } from './schema';
import { decodeValue, encodeAtom, encodeMap, encodeSet, encodeValue, NamedUuid, type Atom, type ColumnValue, type InputAtom, type InputValue } from './value-codec';

export type ConditionFunction = '<' | '<=' | '==' | '!=' | '>=' | '>' | 'includes' | 'excludes';
export type Mutator = '+=' | '-=' | '*=' | '/=' | '%=' | 'insert' | 'delete';

/** A decoded row: column name → value, `_uuid` included. */
export interface OvsdbRow {
  _uuid: string;
}
export type TableMap = { [table: string]: OvsdbRow };
/** Any table of any database, when no typed model is given. */
export type GenericRow = OvsdbRow & { [column: string]: ColumnValue };
export type GenericTables = { [table: string]: GenericRow };

type ToInput<V> = V extends string ? V | NamedUuid : V extends (infer E)[] ? ToInput<E>[] : V extends Record<string, infer M> ? Record<string, ToInput<M>> : V;
/** What a caller writes for a row: any subset of its columns, uuids possibly named. */
export type RowInput<R> = { [C in Exclude<keyof R, '_uuid' | '_version'>]?: ToInput<R[C]> };
export type ColumnName<R> = Extract<keyof R, string>;

export type Condition<R = GenericRow> = [column: ColumnName<R> | '_uuid', fn: ConditionFunction, value: InputValue];
export type Mutation<R = GenericRow> = [column: ColumnName<R>, mutator: Mutator, value: InputValue];

export type Operation =
  | { op: 'insert'; table: string; row: Record<string, InputValue>; uuidName?: string }
  | { op: 'select'; table: string; where: Condition<GenericRow>[]; columns?: string[] }
  | { op: 'update'; table: string; where: Condition<GenericRow>[]; row: Record<string, InputValue> }
  | { op: 'mutate'; table: string; where: Condition<GenericRow>[]; mutations: Mutation<GenericRow>[] }
  | { op: 'delete'; table: string; where: Condition<GenericRow>[] }
  | {
      op: 'wait';
      table: string;
      where: Condition<GenericRow>[];
      columns: string[];
      until: '==' | '!=';
      rows: Record<string, InputValue>[];
      timeout?: number;
    }
  | { op: 'comment'; comment: string }
  | { op: 'commit'; durable: boolean }
  | { op: 'abort' }
  | { op: 'assert'; lock: string };

/**
 * Typed builders for one database's tables. `new Operations<NbTables>()` checks table names,
 * column names and value shapes at compile time; the schema checks them again when sent.
 */
export class Operations<T extends TableMap = GenericTables> {
  /** Inserts a row; give `uuidName` to reference it from later operations with namedUuid(uuidName). */
  insert<K extends Extract<keyof T, string>>(table: K, row: RowInput<T[K]>, uuidName?: string): Operation {
    if (uuidName !== undefined) new NamedUuid(uuidName); // validates the name
    return { op: 'insert', table, row: row as Record<string, InputValue>, uuidName };
  }
  select<K extends Extract<keyof T, string>>(table: K, where: Condition<T[K]>[], columns?: ColumnName<T[K]>[]): Operation {
    return { op: 'select', table, where: where as Condition<GenericRow>[], columns };
  }
  update<K extends Extract<keyof T, string>>(table: K, where: Condition<T[K]>[], row: RowInput<T[K]>): Operation {
    return { op: 'update', table, where: where as Condition<GenericRow>[], row: row as Record<string, InputValue> };
  }
  mutate<K extends Extract<keyof T, string>>(table: K, where: Condition<T[K]>[], mutations: Mutation<T[K]>[]): Operation {
    return { op: 'mutate', table, where: where as Condition<GenericRow>[], mutations: mutations as Mutation<GenericRow>[] };
  }
  delete<K extends Extract<keyof T, string>>(table: K, where: Condition<T[K]>[]): Operation {
    return { op: 'delete', table, where: where as Condition<GenericRow>[] };
  }
  wait<K extends Extract<keyof T, string>>(
    table: K,
    where: Condition<T[K]>[],
    columns: ColumnName<T[K]>[],
    until: '==' | '!=',
    rows: RowInput<T[K]>[],
    timeoutMs?: number,
  ): Operation {
    return { op: 'wait', table, where: where as Condition<GenericRow>[], columns, until, rows: rows as Record<string, InputValue>[], timeout: timeoutMs };
  }
  comment(text: string): Operation {
    return { op: 'comment', comment: text };
  }
  /** `[column, '==', value]`, the common condition, spelled out for readability. */
  eq<R = GenericRow>(column: ColumnName<R> | '_uuid', value: InputValue): Condition<R> {
    return [column, '==', value];
  }
}

// ---- encoding -------------------------------------------------------------------------------

function encodeRow(schema: DatabaseSchema, table: string, row: Record<string, InputValue>): JsonObject {
  const out: JsonObject = {};
  for (const [col, v] of Object.entries(row)) {
    if (col === '_uuid' || col === '_version') throw new OvsdbSchemaError(`${table}.${col} cannot be written`);
    out[col] = encodeValue(v, columnOf(schema, table, col).type, `${table}.${col}`);
  }
  return out;
}

function encodeConditions(schema: DatabaseSchema, table: string, where: Condition<GenericRow>[]): JsonValue[] {
  return where.map(([col, fn, v]) => {
    const type = columnOf(schema, table, col).type;
    return [col, fn, encodeValue(v, type, `${table}.${col} (where)`)];
  });
}

function encodeMutation(schema: DatabaseSchema, table: string, [col, mutator, v]: Mutation<GenericRow>): JsonValue {
  const type: ColumnType = columnOf(schema, table, col).type;
  const where = `${table}.${col} (mutate ${mutator})`;
  let value: JsonValue;
  if (mutator === 'insert' || mutator === 'delete') {
    if (type.kind === 'map') {
      // deleting from a map takes either the keys (a set) or key-value pairs (a map)
      value = Array.isArray(v) || typeof v !== 'object' ? encodeSet(v, type.key, where) : encodeMap(v, type, where);
    } else if (type.kind === 'scalar') {
      throw new OvsdbSchemaError(`${where}: insert/delete mutate sets and maps; ${col} holds a single value`);
    } else {
      value = encodeSet(v, type.key, where);
    }
  } else {
    if (type.kind === 'map') throw new OvsdbSchemaError(`${where}: arithmetic mutators do not apply to maps`);
    value = encodeAtom(v as InputAtom, type.key, where);
  }
  return [col, mutator, value];
}

/** The operation as it goes on the wire; throws OvsdbSchemaError naming a bad table/column/value. */
export function encodeOperation(schema: DatabaseSchema, op: Operation): JsonObject {
  switch (op.op) {
    case 'insert': {
      tableOf(schema, op.table);
      const o: JsonObject = { op: 'insert', table: op.table, row: encodeRow(schema, op.table, op.row) };
      if (op.uuidName) o['uuid-name'] = op.uuidName;
      return o;
    }
    case 'select': {
      const o: JsonObject = { op: 'select', table: op.table, where: encodeConditions(schema, op.table, op.where) };
      if (op.columns) {
        for (const c of op.columns) columnOf(schema, op.table, c);
        o.columns = op.columns;
      }
      return o;
    }
    case 'update':
      return { op: 'update', table: op.table, where: encodeConditions(schema, op.table, op.where), row: encodeRow(schema, op.table, op.row) };
    case 'mutate':
      return {
        op: 'mutate',
        table: op.table,
        where: encodeConditions(schema, op.table, op.where),
        mutations: op.mutations.map((m) => encodeMutation(schema, op.table, m)),
      };
    case 'delete':
      return { op: 'delete', table: op.table, where: encodeConditions(schema, op.table, op.where) };
    case 'wait': {
      for (const c of op.columns) columnOf(schema, op.table, c);
      const o: JsonObject = {
        op: 'wait',
        table: op.table,
        where: encodeConditions(schema, op.table, op.where),
        columns: op.columns,
        until: op.until,
        rows: op.rows.map((r) => encodeRow(schema, op.table, r)),
      };
      if (op.timeout !== undefined) o.timeout = op.timeout;
      return o;
    }
    case 'comment':
      return { op: 'comment', comment: op.comment };
    case 'commit':
      return { op: 'commit', durable: op.durable };
    case 'abort':
      return { op: 'abort' };
    case 'assert':
      return { op: 'assert', lock: op.lock };
  }
}

// ---- results --------------------------------------------------------------------------------

export interface OperationResult {
  /** insert: the new row's uuid */
  uuid?: string;
  /** update, mutate, delete: rows touched */
  count?: number;
  /** select: the rows, decoded */
  rows?: Array<Record<string, ColumnValue>>;
}

export interface TransactResult {
  results: OperationResult[];
  /** uuid-name → the uuid the server gave the inserted row */
  uuids: Record<string, string>;
}

export function decodeResults(schema: DatabaseSchema, ops: Operation[], raw: JsonValue[]): TransactResult {
  const uuids: Record<string, string> = {};
  const results = ops.map((op, i): OperationResult => {
    const r = (raw[i] ?? {}) as { uuid?: JsonValue; count?: number; rows?: JsonObject[] };
    const out: OperationResult = {};
    if (Array.isArray(r.uuid) && typeof r.uuid[1] === 'string') {
      out.uuid = r.uuid[1];
      if (op.op === 'insert' && op.uuidName) uuids[op.uuidName] = out.uuid;
    }
    if (typeof r.count === 'number') out.count = r.count;
    if (Array.isArray(r.rows) && op.op === 'select') {
      out.rows = r.rows.map((row) => {
        const d: Record<string, ColumnValue> = {};
        for (const [c, v] of Object.entries(row)) d[c] = decodeValue(v, columnOf(schema, op.table, c).type);
        return d;
      });
    }
    return out;
  });
  return { results, uuids };
}

export type { Atom };

// The database schema as `get_schema` returns it (RFC 7047 §3.2), normalised so the codec and
// the cache can ask one question per column: what shape does its value have.
import { OvsdbProtocolError, OvsdbSchemaError } from './errors';
import type { JsonValue } from './json-value';

export type AtomicType = 'integer' | 'real' | 'boolean' | 'string' | 'uuid';

export interface BaseType {
  type: AtomicType;
  enum?: JsonValue;
  refTable?: string;
  refType?: 'strong' | 'weak';
  minInteger?: number;
  maxInteger?: number;
  minReal?: number;
  maxReal?: number;
  minLength?: number;
  maxLength?: number;
}

/**
 * How a column's value is held in a decoded row:
 * - `scalar`: exactly one atom (min 1, max 1)
 * - `optional`: zero or one atom (min 0, max 1), `undefined` when empty
 * - `set`: an array of atoms
 * - `map`: a record from the key (as a string) to the value atom
 */
export type ColumnKind = 'scalar' | 'optional' | 'set' | 'map';

export interface ColumnType {
  key: BaseType;
  value?: BaseType;
  min: number;
  max: number; // Infinity for "unlimited"
  kind: ColumnKind;
}

export interface ColumnSchema {
  name: string;
  type: ColumnType;
  ephemeral?: boolean;
  mutable?: boolean;
}

export interface TableSchema {
  name: string;
  columns: Map<string, ColumnSchema>;
  isRoot?: boolean;
  maxRows?: number;
  indexes?: string[][];
}

export interface DatabaseSchema {
  name: string;
  version: string;
  cksum?: string;
  tables: Map<string, TableSchema>;
  /** the schema as the server sent it */
  raw: JsonValue;
}

const ATOMIC = new Set(['integer', 'real', 'boolean', 'string', 'uuid']);

/** Columns every table has without the schema listing them. */
export const UUID_COLUMN: ColumnSchema = {
  name: '_uuid',
  type: { key: { type: 'uuid' }, min: 1, max: 1, kind: 'scalar' },
};
export const VERSION_COLUMN: ColumnSchema = {
  name: '_version',
  type: { key: { type: 'uuid' }, min: 1, max: 1, kind: 'scalar' },
};

export function parseSchema(raw: JsonValue): DatabaseSchema {
  const s = raw as { name?: unknown; version?: unknown; cksum?: unknown; tables?: Record<string, unknown> };
  if (!s || typeof s !== 'object' || typeof s.name !== 'string' || !s.tables || typeof s.tables !== 'object') {
    throw new OvsdbProtocolError('get_schema returned something that is not a database schema');
  }
  const tables = new Map<string, TableSchema>();
  for (const [tname, t] of Object.entries(s.tables)) {
    const tt = t as { columns?: Record<string, unknown>; isRoot?: boolean; maxRows?: number; indexes?: string[][] };
    const columns = new Map<string, ColumnSchema>();
    for (const [cname, c] of Object.entries(tt.columns ?? {})) {
      const cc = c as { type: unknown; ephemeral?: boolean; mutable?: boolean };
      columns.set(cname, { name: cname, type: parseColumnType(cc.type, `${tname}.${cname}`), ephemeral: cc.ephemeral, mutable: cc.mutable });
    }
    tables.set(tname, { name: tname, columns, isRoot: tt.isRoot, maxRows: tt.maxRows, indexes: tt.indexes });
  }
  return {
    name: s.name,
    version: typeof s.version === 'string' ? s.version : '',
    cksum: typeof s.cksum === 'string' ? s.cksum : undefined,
    tables,
    raw,
  };
}

function parseBase(b: unknown, where: string): BaseType {
  if (typeof b === 'string') {
    if (!ATOMIC.has(b)) throw new OvsdbProtocolError(`schema column ${where} has unknown type "${b}"`);
    return { type: b as AtomicType };
  }
  const o = b as BaseType;
  if (!o || typeof o !== 'object' || !ATOMIC.has(o.type)) throw new OvsdbProtocolError(`schema column ${where} has an unreadable type`);
  return o;
}

export function parseColumnType(t: unknown, where = 'column'): ColumnType {
  if (typeof t === 'string') return { key: parseBase(t, where), min: 1, max: 1, kind: 'scalar' };
  const o = t as { key?: unknown; value?: unknown; min?: number; max?: number | 'unlimited' };
  if (!o || typeof o !== 'object' || !('key' in o)) {
    // a base type written as an object, e.g. {"type":"integer","minInteger":0}
    return { key: parseBase(t, where), min: 1, max: 1, kind: 'scalar' };
  }
  const key = parseBase(o.key, where);
  const value = o.value !== undefined ? parseBase(o.value, where) : undefined;
  const min = o.min ?? 1;
  const max = o.max === 'unlimited' ? Infinity : (o.max ?? 1);
  const kind: ColumnKind = value ? 'map' : max > 1 ? 'set' : min === 0 ? 'optional' : 'scalar';
  return { key, value, min, max, kind };
}

/** The column's schema, `_uuid`/`_version` included; throws a clear error naming what is missing. */
export function columnOf(schema: DatabaseSchema, table: string, column: string): ColumnSchema {
  const t = tableOf(schema, table);
  if (column === '_uuid') return UUID_COLUMN;
  if (column === '_version') return VERSION_COLUMN;
  const c = t.columns.get(column);
  if (!c) {
    throw new OvsdbSchemaError(
      `column "${column}" does not exist in table ${table} of database ${schema.name} ` +
        `(schema ${schema.version}; columns: ${[...t.columns.keys()].sort().join(', ')})`,
    );
  }
  return c;
}

export function tableOf(schema: DatabaseSchema, table: string): TableSchema {
  const t = schema.tables.get(table);
  if (!t) {
    throw new OvsdbSchemaError(
      `table "${table}" does not exist in database ${schema.name} (schema ${schema.version}; tables: ${[...schema.tables.keys()].sort().join(', ')})`,
    );
  }
  return t;
}

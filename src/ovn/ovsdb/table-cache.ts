// The in-memory replica a monitor keeps: table → uuid → decoded row. It applies `update`
// (monitor, RFC 7047 §4.1.6) and `update2` (monitor_cond, ovsdb-server(7) §4.1.14) table
// updates and reports each row change. Rows are replaced, never mutated, so a change event's
// `old` row stays valid after the cache moves on.
import { OvsdbProtocolError } from './errors';
import type { JsonObject, JsonValue } from './json-value';
import type { GenericTables, OvsdbRow, TableMap } from './operations';
import { columnOf, tableOf, type ColumnSchema, type DatabaseSchema } from './schema';
import { applyDiff, decodeValue, defaultValue, type ColumnValue } from './value-codec';

export type ChangeKind = 'insert' | 'modify' | 'delete';

export interface RowChange<T extends TableMap = GenericTables, K extends Extract<keyof T, string> = Extract<keyof T, string>> {
  table: K;
  uuid: string;
  kind: ChangeKind;
  /** the row before (modify, delete) */
  old?: T[K];
  /** the row after (insert, modify) */
  new?: T[K];
}

type MutableRow = Record<string, ColumnValue>;

export class TableCache<T extends TableMap = GenericTables> {
  private readonly tables = new Map<string, Map<string, OvsdbRow>>();
  /** per table, the columns being monitored: the ones an omitted value defaults for */
  private readonly monitored = new Map<string, ColumnSchema[]>();

  constructor(private schema: DatabaseSchema) {}

  get databaseSchema(): DatabaseSchema {
    return this.schema;
  }

  /** Declares a monitored table and its columns (all when undefined). */
  track(table: string, columns?: string[]): void {
    const t = tableOf(this.schema, table);
    const cols = columns ? columns.map((c) => columnOf(this.schema, table, c)) : [...t.columns.values()];
    const prev = this.monitored.get(table);
    const merged = prev ? [...new Map([...prev, ...cols].map((c) => [c.name, c])).values()] : cols;
    this.monitored.set(table, merged);
    if (!this.tables.has(table)) this.tables.set(table, new Map());
  }

  /** Stops holding a table: its rows go, reported as deletions. */
  untrack(table: string): RowChange<T>[] {
    this.monitored.delete(table);
    const rows = this.tables.get(table);
    this.tables.delete(table);
    return [...(rows?.entries() ?? [])].map(([uuid, old]) => this.change(table, uuid, 'delete', old, undefined));
  }

  trackedTables(): string[] {
    return [...this.monitored.keys()];
  }

  table<K extends Extract<keyof T, string>>(name: K): ReadonlyMap<string, T[K]> {
    return (this.tables.get(name) ?? new Map()) as ReadonlyMap<string, T[K]>;
  }

  row<K extends Extract<keyof T, string>>(table: K, uuid: string): T[K] | undefined {
    return this.tables.get(table)?.get(uuid) as T[K] | undefined;
  }

  /** Every row of every table, e.g. to compare caches or hand over on resync. */
  entries(): Array<[string, Map<string, OvsdbRow>]> {
    return [...this.tables.entries()];
  }

  clear(): void {
    for (const t of this.tables.values()) t.clear();
  }

  /** Applies a <table-updates2> object; returns the changes in the order applied. */
  applyUpdate2(updates: JsonValue): RowChange<T>[] {
    const changes: RowChange<T>[] = [];
    for (const [table, rows] of Object.entries(asObject(updates, 'table-updates2'))) {
      const store = this.store(table);
      for (const [uuid, ru] of Object.entries(asObject(rows, `updates of ${table}`))) {
        const u = asObject(ru, `row-update2 of ${table} ${uuid}`);
        const old = store.get(uuid);
        if ('initial' in u || 'insert' in u) {
          const row = this.fullRow(table, uuid, asObject(u.initial ?? u.insert, `row of ${table}`));
          store.set(uuid, row);
          changes.push(old ? { table: table as Extract<keyof T, string>, uuid, kind: 'modify', old: old as T[Extract<keyof T, string>], new: row as T[Extract<keyof T, string>] } : this.change(table, uuid, 'insert', undefined, row));
        } else if ('modify' in u) {
          if (!old) throw new OvsdbProtocolError(`update2 modifies row ${uuid} of ${table}, which the cache does not hold`);
          const next: MutableRow = { ...(old as unknown as MutableRow) };
          for (const [col, diff] of Object.entries(asObject(u.modify, `modify of ${table}`))) {
            const type = columnOf(this.schema, table, col).type;
            next[col] = applyDiff(next[col], diff, type);
          }
          store.set(uuid, next as unknown as OvsdbRow);
          changes.push(this.change(table, uuid, 'modify', old, next as unknown as OvsdbRow));
        } else if ('delete' in u) {
          if (old) {
            store.delete(uuid);
            changes.push(this.change(table, uuid, 'delete', old, undefined));
          }
        } else {
          throw new OvsdbProtocolError(`row-update2 for ${table} ${uuid} has none of initial/insert/modify/delete`);
        }
      }
    }
    return changes;
  }

  /** Applies a <table-updates> object (monitor v1: full "old"/"new" rows). */
  applyUpdate(updates: JsonValue): RowChange<T>[] {
    const changes: RowChange<T>[] = [];
    for (const [table, rows] of Object.entries(asObject(updates, 'table-updates'))) {
      const store = this.store(table);
      for (const [uuid, ru] of Object.entries(asObject(rows, `updates of ${table}`))) {
        const u = asObject(ru, `row-update of ${table} ${uuid}`);
        const old = store.get(uuid);
        if (u.new === undefined || u.new === null) {
          if (old) {
            store.delete(uuid);
            changes.push(this.change(table, uuid, 'delete', old, undefined));
          }
          continue;
        }
        const decoded = this.decodeColumns(table, asObject(u.new, `row of ${table}`));
        const row = (old ? { ...(old as unknown as MutableRow), ...decoded } : { ...this.defaults(table, uuid), ...decoded }) as unknown as OvsdbRow;
        store.set(uuid, row);
        changes.push(this.change(table, uuid, old ? 'modify' : 'insert', old, row));
      }
    }
    return changes;
  }

  /**
   * Replaces the whole content with `fresh` (a resync after reconnecting) and returns what changed,
   * so listeners see rows deleted while we were away go, instead of the cache silently keeping them.
   */
  replaceWith(fresh: TableCache<T>): RowChange<T>[] {
    const changes: RowChange<T>[] = [];
    const names = new Set([...this.tables.keys(), ...fresh.tables.keys()]);
    for (const table of names) {
      const mine = this.store(table);
      const theirs = fresh.tables.get(table) ?? new Map<string, OvsdbRow>();
      for (const [uuid, old] of mine) {
        if (!theirs.has(uuid)) changes.push(this.change(table, uuid, 'delete', old, undefined));
      }
      for (const [uuid, row] of theirs) {
        const old = mine.get(uuid);
        if (!old) changes.push(this.change(table, uuid, 'insert', undefined, row));
        else if (!sameRow(old, row)) changes.push(this.change(table, uuid, 'modify', old, row));
      }
      this.tables.set(table, new Map(theirs));
    }
    for (const [t, cols] of fresh.monitored) this.monitored.set(t, cols);
    this.schema = fresh.schema;
    return changes;
  }

  private store(table: string): Map<string, OvsdbRow> {
    let s = this.tables.get(table);
    if (!s) {
      tableOf(this.schema, table);
      s = new Map();
      this.tables.set(table, s);
    }
    return s;
  }

  private change(table: string, uuid: string, kind: ChangeKind, old: OvsdbRow | undefined, row: OvsdbRow | undefined): RowChange<T> {
    const c: RowChange<T> = { table: table as Extract<keyof T, string>, uuid, kind };
    if (old) c.old = old as T[Extract<keyof T, string>];
    if (row) c.new = row as T[Extract<keyof T, string>];
    return c;
  }

  private defaults(table: string, uuid: string): MutableRow {
    const row: MutableRow = { _uuid: uuid };
    const cols = this.monitored.get(table) ?? [...tableOf(this.schema, table).columns.values()];
    for (const c of cols) row[c.name] = defaultValue(c.type);
    return row;
  }

  private decodeColumns(table: string, wire: JsonObject): MutableRow {
    const t = tableOf(this.schema, table);
    const out: MutableRow = {};
    for (const col in wire) {
      const c = t.columns.get(col) ?? columnOf(this.schema, table, col);
      out[col] = decodeValue(wire[col], c.type);
    }
    return out;
  }

  private fullRow(table: string, uuid: string, wire: JsonObject): OvsdbRow {
    const row = this.defaults(table, uuid);
    const t = tableOf(this.schema, table);
    for (const col in wire) {
      if (col === '_uuid') continue;
      const c = t.columns.get(col) ?? columnOf(this.schema, table, col);
      row[col] = decodeValue(wire[col], c.type);
    }
    return row as unknown as OvsdbRow;
  }
}

function asObject(v: JsonValue | undefined, what: string): JsonObject {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new OvsdbProtocolError(`malformed ${what}: ${JSON.stringify(v)?.slice(0, 80)}`);
  return v as JsonObject;
}

/** Deep equality of two decoded rows (atoms, arrays compared as sets, records). */
export function sameRow(a: OvsdbRow, b: OvsdbRow): boolean {
  const x = a as unknown as MutableRow;
  const y = b as unknown as MutableRow;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const k of keys) if (!sameValue(x[k], y[k])) return false;
  return true;
}

export function sameValue(a: ColumnValue, b: ColumnValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const s = new Set(a);
    return b.every((e) => s.has(e));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
  }
  return false;
}

// OVSDB values on the wire (RFC 7047 §5.1) ⇄ plain JavaScript values shaped by the column type:
//   scalar   → the atom              "name": "sw0"
//   optional → the atom or undefined "parent_name": ["set", []] → undefined
//   set      → an array of atoms     "ports": ["set", [["uuid", "…"], …]] → ["…", …]
//   map      → a record              "external_ids": ["map", [["k", "v"]]] → { k: "v" }
// uuids decode to their string; to write a reference to a row inserted in the same transaction,
// pass `namedUuid('name')` (encoded as ["named-uuid", "name"]).
import { OvsdbProtocolError, OvsdbSchemaError } from './errors';
import type { JsonValue } from './json-value';
import type { AtomicType, BaseType, ColumnType } from './schema';

export type Atom = string | number | boolean;
export type ColumnValue = Atom | undefined | Atom[] | Record<string, Atom>;

/** A reference to a row inserted earlier in the same transaction under `uuid-name`. */
export class NamedUuid {
  constructor(readonly name: string) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new OvsdbSchemaError(`"${name}" is not a valid uuid-name: use letters, digits and _ (starting with a letter or _)`);
    }
  }
}

export function namedUuid(name: string): NamedUuid {
  return new NamedUuid(name);
}

/** A value as a caller may write it: like a decoded value, with NamedUuid where a uuid goes. */
export type InputAtom = Atom | NamedUuid;
export type InputValue = InputAtom | undefined | InputAtom[] | Record<string, InputAtom>;

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

// ---- decoding -------------------------------------------------------------------------------

export function decodeAtom(wire: JsonValue): Atom {
  if (typeof wire === 'string' || typeof wire === 'number' || typeof wire === 'boolean') return wire;
  if (Array.isArray(wire) && wire.length === 2 && (wire[0] === 'uuid' || wire[0] === 'named-uuid') && typeof wire[1] === 'string') {
    return wire[1];
  }
  throw new OvsdbProtocolError(`expected an OVSDB atom, got ${JSON.stringify(wire).slice(0, 80)}`);
}

function decodeSetElements(wire: JsonValue): Atom[] {
  if (Array.isArray(wire) && wire[0] === 'set') {
    const elems = wire[1];
    if (!Array.isArray(elems)) throw new OvsdbProtocolError(`malformed OVSDB set ${JSON.stringify(wire).slice(0, 80)}`);
    const out = new Array<Atom>(elems.length);
    for (let i = 0; i < elems.length; i++) out[i] = decodeAtom(elems[i]);
    return out;
  }
  return [decodeAtom(wire)];
}

function decodeMap(wire: JsonValue): Record<string, Atom> {
  if (!Array.isArray(wire) || wire[0] !== 'map' || !Array.isArray(wire[1])) {
    throw new OvsdbProtocolError(`expected an OVSDB map, got ${JSON.stringify(wire).slice(0, 80)}`);
  }
  const out: Record<string, Atom> = {};
  for (const pair of wire[1]) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new OvsdbProtocolError(`malformed OVSDB map pair ${JSON.stringify(pair).slice(0, 80)}`);
    out[String(decodeAtom(pair[0]))] = decodeAtom(pair[1]);
  }
  return out;
}

export function decodeValue(wire: JsonValue, type: ColumnType): ColumnValue {
  switch (type.kind) {
    case 'scalar':
      return decodeAtom(wire);
    case 'optional': {
      const elems = decodeSetElements(wire);
      return elems.length === 0 ? undefined : elems[0];
    }
    case 'set':
      return decodeSetElements(wire);
    case 'map':
      return decodeMap(wire);
  }
}

/** The value a column holds when the server omits it (update2 `initial`/`insert` skip defaults). */
export function defaultValue(type: ColumnType): ColumnValue {
  switch (type.kind) {
    case 'scalar':
      return defaultAtom(type.key.type);
    case 'optional':
      return undefined;
    case 'set':
      return type.min > 0 ? Array.from({ length: type.min }, () => defaultAtom(type.key.type)) : [];
    case 'map':
      return {};
  }
}

function defaultAtom(t: AtomicType): Atom {
  switch (t) {
    case 'integer':
    case 'real':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return ZERO_UUID;
  }
}

/**
 * Applies an update2 `modify` difference to the old value (ovsdb-server(7) §4.1.14): a scalar's
 * difference is its new value; a set's is the symmetric difference (toggle each element); a map's
 * lists removed pairs (same key, old value), added pairs, and changed keys with the new value.
 */
export function applyDiff(old: ColumnValue, diffWire: JsonValue, type: ColumnType): ColumnValue {
  switch (type.kind) {
    case 'scalar':
      return decodeAtom(diffWire);
    case 'optional': {
      const current = old === undefined ? [] : [old as Atom];
      const next = toggle(current, decodeSetElements(diffWire));
      return next.length === 0 ? undefined : next[0];
    }
    case 'set':
      return toggle((old as Atom[] | undefined) ?? [], decodeSetElements(diffWire));
    case 'map': {
      const next: Record<string, Atom> = { ...((old as Record<string, Atom> | undefined) ?? {}) };
      const diff = decodeMap(diffWire);
      for (const k of Object.keys(diff)) {
        if (Object.prototype.hasOwnProperty.call(next, k) && next[k] === diff[k]) delete next[k];
        else next[k] = diff[k];
      }
      return next;
    }
  }
}

function toggle(current: Atom[], diff: Atom[]): Atom[] {
  if (diff.length === 0) return current;
  const present = new Set<Atom>(current);
  for (const e of diff) {
    if (present.has(e)) present.delete(e);
    else present.add(e);
  }
  return [...present];
}

// ---- encoding -------------------------------------------------------------------------------

export function encodeAtom(v: InputAtom, base: BaseType, where: string): JsonValue {
  if (v instanceof NamedUuid) {
    if (base.type !== 'uuid') throw new OvsdbSchemaError(`${where}: a named-uuid was given for a ${base.type} value`);
    return ['named-uuid', v.name];
  }
  switch (base.type) {
    case 'uuid':
      if (typeof v !== 'string' || !isUuid(v)) {
        throw new OvsdbSchemaError(`${where}: expected a uuid, got ${JSON.stringify(v)} (reference a row inserted in the same transaction with namedUuid())`);
      }
      return ['uuid', v];
    case 'string':
      if (typeof v !== 'string') throw new OvsdbSchemaError(`${where}: expected a string, got ${JSON.stringify(v)}`);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw new OvsdbSchemaError(`${where}: expected a boolean, got ${JSON.stringify(v)}`);
      return v;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new OvsdbSchemaError(`${where}: expected an integer, got ${JSON.stringify(v)}`);
      return v;
    case 'real':
      if (typeof v !== 'number') throw new OvsdbSchemaError(`${where}: expected a number, got ${JSON.stringify(v)}`);
      return v;
  }
}

/** A map key arrives as a record key (a string): turn it back into the key type's atom. */
function mapKeyAtom(k: string, base: BaseType): InputAtom {
  if (base.type === 'integer' || base.type === 'real') return Number(k);
  if (base.type === 'boolean') return k === 'true';
  return k;
}

export function encodeSet(v: InputValue, base: BaseType, where: string): JsonValue {
  const elems = v === undefined ? [] : Array.isArray(v) ? v : [v as InputAtom];
  return ['set', elems.map((e) => encodeAtom(e, base, where))];
}

export function encodeMap(v: InputValue, type: ColumnType, where: string): JsonValue {
  if (!v || typeof v !== 'object' || Array.isArray(v) || v instanceof NamedUuid) {
    throw new OvsdbSchemaError(`${where}: expected a map (an object of key → value), got ${JSON.stringify(v)}`);
  }
  const valueType = type.value as BaseType;
  return ['map', Object.entries(v).map(([k, x]) => [encodeAtom(mapKeyAtom(k, type.key), type.key, where), encodeAtom(x, valueType, where)])];
}

export function encodeValue(v: InputValue, type: ColumnType, where: string): JsonValue {
  switch (type.kind) {
    case 'scalar':
      if (v === undefined || Array.isArray(v) || (typeof v === 'object' && !(v instanceof NamedUuid))) {
        throw new OvsdbSchemaError(`${where}: expected a single ${type.key.type}, got ${JSON.stringify(v)}`);
      }
      return encodeAtom(v as InputAtom, type.key, where);
    case 'optional':
    case 'set':
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof NamedUuid)) {
        throw new OvsdbSchemaError(`${where}: expected a set (an array), got a map`);
      }
      return encodeSet(v, type.key, where);
    case 'map':
      return encodeMap(v, type, where);
  }
}

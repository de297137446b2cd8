// Decodes `ovn-nbctl|ovn-sbctl|ovs-vsctl --format=json list TABLE` output into plain rows.
// The same reads work locally and, through `kubectl exec`-style API exec, inside the
// ovn-central / ovs-ovn pods of a cluster, so the trace and detrace logic need not care where
// the database lives.

/** An OVSDB datum decoded to JS: atoms stay atoms, sets become arrays, maps become records. */
export type DbValue = string | number | boolean | DbValue[] | { [key: string]: string | number | boolean };

export interface DbRow {
  _uuid: string;
  [column: string]: DbValue;
}

type Wire = string | number | boolean | [string, unknown];

function decodeAtom(v: Wire): string | number | boolean {
  if (Array.isArray(v)) {
    // ["uuid", "…"] or ["named-uuid", "…"]
    return String(v[1]);
  }
  return v;
}

export function decodeDatum(v: Wire): DbValue {
  if (Array.isArray(v)) {
    const [tag, body] = v;
    if (tag === 'set') return (body as Wire[]).map(decodeAtom);
    if (tag === 'map') {
      const out: Record<string, string | number | boolean> = {};
      for (const [k, val] of body as [Wire, Wire][]) out[String(decodeAtom(k))] = decodeAtom(val);
      return out;
    }
    return decodeAtom(v);
  }
  return v;
}

/** Parses the JSON table format; throws with the tool's first bytes when it is not that format. */
export function parseCtlJson(text: string): DbRow[] {
  let doc: { headings?: string[]; data?: Wire[][] };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    throw new Error(`expected --format=json table output, got: ${text.slice(0, 120)}`);
  }
  if (!Array.isArray(doc.headings) || !Array.isArray(doc.data)) {
    throw new Error('expected --format=json table output with "headings" and "data"');
  }
  const heads = doc.headings;
  return doc.data.map((cells) => {
    const row: Record<string, DbValue> = {};
    heads.forEach((h, i) => (row[h] = decodeDatum(cells[i])));
    return row as DbRow;
  });
}

/** A set column as an array whatever its cardinality (OVSDB sends one-element sets as atoms). */
export function asList(v: DbValue | undefined): Array<string | number | boolean> {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v as Array<string | number | boolean>;
  if (typeof v === 'object') return [];
  return [v];
}

export function asMap(v: DbValue | undefined): Record<string, string> {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
  }
  return {};
}

/** An optional scalar column (a set of 0 or 1 atoms) as the atom or undefined. */
export function asOptional(v: DbValue | undefined): string | undefined {
  const l = asList(v);
  return l.length > 0 ? String(l[0]) : undefined;
}

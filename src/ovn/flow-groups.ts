// Grouping of a flow table for the Flows panel: by OpenFlow table, by OVN stage (from the
// cookie's logical flow), or by logical block — flows of one table and priority whose matches
// have the same shape (the same fields, other values), the way ovs-flowviz folds a table.
import type { Flow } from './flow-dump';

export type FlowGrouping = 'table' | 'stage' | 'block';

export interface FlowGroup {
  key: string;
  label: string;
  flows: Flow[];
  nPackets: number;
  /** Δ packets since the last refresh, summed over the group, when deltas are known */
  delta: number;
}

/** "priority=100,ip,reg14=0x3,nw_dst=…" → "ip,reg14=*,nw_dst=*" */
export function matchShape(f: Flow): string {
  return f.matchFields.map((m) => (m.value === undefined ? m.field : `${m.field}=*`)).join(',');
}

export function groupFlows(
  flows: readonly Flow[],
  by: FlowGrouping,
  opts: { stageOf?: (cookie: string) => string | undefined; deltaOf?: (f: Flow) => number | undefined } = {},
): FlowGroup[] {
  const groups = new Map<string, FlowGroup>();
  for (const f of flows) {
    let key: string;
    let label: string;
    if (by === 'table') {
      key = String(f.table).padStart(3, '0');
      label = `table ${f.table}`;
    } else if (by === 'stage') {
      const stage = opts.stageOf?.(f.cookie);
      key = stage ? `${String(f.table).padStart(3, '0')}/${stage}` : `${String(f.table).padStart(3, '0')}/~`;
      label = stage ? `table ${f.table}: ${stage}` : `table ${f.table}: (no logical flow)`;
    } else {
      const shape = matchShape(f);
      key = `${String(f.table).padStart(3, '0')}/${String(65535 - f.priority).padStart(5, '0')}/${shape}`;
      label = `table ${f.table} priority ${f.priority}: ${shape || '*'}`;
    }
    let g = groups.get(key);
    if (!g) {
      g = { key, label, flows: [], nPackets: 0, delta: 0 };
      groups.set(key, g);
    }
    g.flows.push(f);
    g.nPackets += f.nPackets ?? 0;
    g.delta += opts.deltaOf?.(f) ?? 0;
  }
  return [...groups.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

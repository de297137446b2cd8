// The one interface panels and the CLI use to inspect OVN/OVS, wherever it runs:
// the local lab (daemon sockets + the installed binaries) or a cluster (exec into the
// ovn-central and ovs-ovn pods, the way `kubectl ko` does). Callers never know which.
import type { DbRow } from './ctl-json';
import type { FlowStats, TableCounters } from './openflow/flow-stats';
import type { FlowTableChanges } from './openflow/flow-table-watch';

export type OvnDb = 'nb' | 'sb';

export interface FlowDumpOptions {
  /** ovs-ofctl --names: port names instead of numbers */
  names?: boolean;
  /** ovs-ofctl --no-stats */
  noStats?: boolean;
  /** only this table's flows (`table=N`) */
  table?: number;
}

export interface OvnTarget {
  /** "local lab at /path" or "cluster context kind-ovnlab" */
  describe(): string;
  /** nodes (chassis) whose Open vSwitch this target can reach */
  nodes(): Promise<string[]>;
  /** every row of an NB or SB table */
  listRows(db: OvnDb, table: string): Promise<DbRow[]>;
  /** every row of a node's Open_vSwitch table (Bridge, Port, Interface, Open_vSwitch) */
  listOvsRows(node: string, table: string): Promise<DbRow[]>;
  /** raw `ovs-ofctl dump-flows BRIDGE` text from a node */
  dumpFlows(node: string, bridge: string, opts?: FlowDumpOptions): Promise<string>;
  /**
   * The bridge's flows as binary statistics, in the order dumpFlows prints them, when this target
   * can reach the bridge's OpenFlow socket directly (the local lab can; a cluster, through pod
   * exec, cannot). A live view reads counters this way and re-reads the text only when the flow
   * table changed.
   */
  flowStats?(node: string, bridge: string, table?: number): Promise<FlowStats>;
  /** per-table flow counts and lookup/match counters (cheap: one small reply), with flowStats */
  tableCounters?(node: string, bridge: string): Promise<TableCounters>;
  /**
   * Tables whose flows were added, deleted or modified since the previous call, as the switch
   * reports them over a flow monitor the target keeps open; `known: false` when that account
   * may have a gap (the first call, a dropped connection): the caller then reads everything.
   */
  flowTableChanges?(node: string, bridge: string): FlowTableChanges;
  /** raw `ovn-trace --detailed` text for a logical datapath and microflow */
  ovnTrace(datapath: string, microflow: string): Promise<string>;
  /** raw `ovs-appctl ofproto/trace BRIDGE FLOW` text on a node */
  ofprotoTrace(node: string, bridge: string, flow: string): Promise<string>;
  close(): Promise<void>;
}

/** A target-level failure the user can act on (daemon down, node unknown…). */
export class OvnTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OvnTargetError';
  }
}

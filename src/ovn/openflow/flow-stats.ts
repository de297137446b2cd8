// Binary flow statistics of one bridge: Open vSwitch's Nicira flow stats (NXST_FLOW over
// OpenFlow 1.0), the request `ovs-ofctl dump-flows` itself sends, read without printing.
// Each entry (struct nx_flow_stats, 48 bytes, then the NXM match padded to 8, then the actions):
//   0 length u16 | 2 table_id u8 | 3 pad | 4 duration_sec u32 | 8 duration_nsec u32 |
//  12 priority u16 | 14 idle_timeout u16 | 16 hard_timeout u16 | 18 match_len u16 |
//  20 idle_age u16 (seconds + 1, 0 unknown) | 22 hard_age u16 | 24 cookie u64 |
//  32 packet_count u64 | 40 byte_count u64 | 48 match … actions
// The entries are kept as bytes (a flow's identity: table, priority, timeouts, cookie, match and
// actions) with the counters moved out into columns.
import { NX_STATS_HEADER, nxStatsRequest, ofRequest, OFPSF_REPLY_MORE, OFPST_VENDOR, OFPT_STATS_REPLY, OFPT_STATS_REQUEST, OpenFlowError, type OfMessage } from './of-channel';

const NXST_FLOW = 0;
const NX_FLOW_STATS_SIZE = 48;
const TWO_32 = 4294967296;

/** The NXST_FLOW request for every flow of one table, or of every table (0xff; out_port none, empty match). */
export function nxFlowStatsRequest(table = 0xff): Buffer {
  const b = nxStatsRequest(NXST_FLOW, 8);
  b.writeUInt16BE(0xffff, NX_STATS_HEADER); // out_port: OFPP_NONE
  b.writeUInt16BE(0, NX_STATS_HEADER + 2); // match_len
  b.writeUInt8(table, NX_STATS_HEADER + 4);
  return b;
}

/**
 * The flows of one NXST_FLOW dump, in the switch's order (the order ovs-ofctl prints them in).
 * The counters, durations and ages are read into columns and zeroed in `body`, so what stays in
 * `body` is each flow's identity: two dumps of an unchanged flow table have equal bodies, and
 * telling so is one memory compare however many flows there are.
 */
export class FlowStats {
  constructor(
    /** the entries back to back, volatile fields zeroed */
    readonly body: Buffer,
    /** where entry i starts in `body`; entry i ends where i+1 starts (or at body.length) */
    readonly offsets: Int32Array,
    readonly count: number,
    /** seconds, with the nanoseconds */
    readonly duration: Float64Array,
    readonly packets: Float64Array,
    readonly bytes: Float64Array,
    /** seconds since the flow last matched a packet, as ovs-ofctl prints it; NaN when unknown */
    readonly idleAge: Float64Array,
  ) {}

  table(i: number): number { return this.body[this.offsets[i] + 2]; }
  priority(i: number): number { return this.body.readUInt16BE(this.offsets[i] + 12); }
  cookieHi(i: number): number { return this.body.readUInt32BE(this.offsets[i] + 24); }
  cookieLo(i: number): number { return this.body.readUInt32BE(this.offsets[i] + 28); }

  /** The same flows with other counters (read for some tables and kept for the rest). */
  withCounters(duration: Float64Array, packets: Float64Array, bytes: Float64Array, idleAge: Float64Array): FlowStats {
    return new FlowStats(this.body, this.offsets, this.count, duration, packets, bytes, idleAge);
  }

  /** Entries taken from other statistics, segment after segment (see FlowColumns.concat). */
  static concat(segments: { from: FlowStats; start: number; end: number }[]): FlowStats {
    let n = 0;
    let size = 0;
    for (const g of segments) {
      if (g.end <= g.start) continue;
      n += g.end - g.start;
      size += g.from.entryEnd(g.end - 1) - g.from.offsets[g.start];
    }
    const body = Buffer.allocUnsafe(size);
    const offsets = new Int32Array(n);
    const duration = new Float64Array(n);
    const packets = new Float64Array(n);
    const bytes = new Float64Array(n);
    const idleAge = new Float64Array(n);
    let at = 0;
    let used = 0;
    for (const { from, start, end } of segments) {
      if (end <= start) continue;
      const a = from.offsets[start];
      const b = from.entryEnd(end - 1);
      from.body.copy(body, used, a, b);
      for (let i = start; i < end; i++) offsets[at + i - start] = used + from.offsets[i] - a;
      duration.set(from.duration.subarray(start, end), at);
      packets.set(from.packets.subarray(start, end), at);
      bytes.set(from.bytes.subarray(start, end), at);
      idleAge.set(from.idleAge.subarray(start, end), at);
      used += b - a;
      at += end - start;
    }
    return new FlowStats(body, offsets, n, duration, packets, bytes, idleAge);
  }

  /** Where entry i ends in `body`. */
  entryEnd(i: number): number {
    return i + 1 < this.count ? this.offsets[i + 1] : this.body.length;
  }

  /** Rows [start, end) of each table, in the switch's order (tables come in ascending order). */
  tableRanges(): Map<number, [number, number]> {
    const out = new Map<number, [number, number]>();
    for (let i = 0; i < this.count; i++) {
      const t = this.table(i);
      const r = out.get(t);
      if (r) r[1] = i + 1;
      else out.set(t, [i, i + 1]);
    }
    return out;
  }

  /** True when both dumps hold the same flows in the same order (counters and ages aside). */
  sameFlows(other: FlowStats): boolean {
    return this.count === other.count && this.body.equals(other.body);
  }

  /** True when entry i here and entry j of `other` are the same installed flow. */
  sameFlow(i: number, other: FlowStats, j: number): boolean {
    const a = this.offsets[i];
    const b = other.offsets[j];
    const la = (i + 1 < this.count ? this.offsets[i + 1] : this.body.length) - a;
    const lb = (j + 1 < other.count ? other.offsets[j + 1] : other.body.length) - b;
    return la === lb && this.body.compare(other.body, b, b + lb, a, a + la) === 0;
  }
}

/** Appends the entries of each NXST_FLOW reply message, moving the counters out into columns. */
class FlowStatsBuilder {
  body: Buffer;
  used = 0;
  offsets: Int32Array;
  duration: Float64Array;
  packets: Float64Array;
  bytes: Float64Array;
  idleAge: Float64Array;
  count = 0;

  /** sized for `like` (the previous read of the same bridge) so a big read does not grow step by step */
  constructor(like?: { bytes: number; count: number }) {
    const rows = Math.max(4096, Math.ceil((like?.count ?? 0) * 1.05));
    this.body = Buffer.allocUnsafe(Math.max(1 << 20, Math.ceil((like?.bytes ?? 0) * 1.05)));
    this.offsets = new Int32Array(rows);
    this.duration = new Float64Array(rows);
    this.packets = new Float64Array(rows);
    this.bytes = new Float64Array(rows);
    this.idleAge = new Float64Array(rows);
  }

  add(m: OfMessage, source: string): void {
    const msg = m.bytes;
    if (msg.length < NX_STATS_HEADER || msg.readUInt16BE(8) !== OFPST_VENDOR || msg.readUInt32BE(16) !== NXST_FLOW) {
      throw new OpenFlowError(`${source} sent a reply that is not NXST_FLOW statistics`);
    }
    const need = this.used + msg.length - NX_STATS_HEADER;
    if (need > this.body.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.body.length * 2));
      this.body.copy(grown, 0, 0, this.used);
      this.body = grown;
    }
    msg.copy(this.body, this.used, NX_STATS_HEADER);
    const b = this.body;
    let p = this.used;
    while (p < need) {
      const len = b.readUInt16BE(p);
      if (len < NX_FLOW_STATS_SIZE || p + len > need) throw new OpenFlowError(`${source} sent a flow entry of length ${len}: the reply is malformed`);
      if (this.count === this.offsets.length) this.grow();
      const i = this.count++;
      this.offsets[i] = p;
      this.duration[i] = b.readUInt32BE(p + 4) + b.readUInt32BE(p + 8) / 1e9;
      const idle = b.readUInt16BE(p + 20);
      this.idleAge[i] = idle === 0 ? Number.NaN : idle - 1;
      this.packets[i] = b.readUInt32BE(p + 32) * TWO_32 + b.readUInt32BE(p + 36);
      this.bytes[i] = b.readUInt32BE(p + 40) * TWO_32 + b.readUInt32BE(p + 44);
      // durations 4..12, ages 20..24, counters 32..48: what changes while the flow stays the same
      for (let k = p + 4; k < p + 12; k++) b[k] = 0;
      for (let k = p + 20; k < p + 24; k++) b[k] = 0;
      for (let k = p + 32; k < p + 48; k++) b[k] = 0;
      p += len;
    }
    this.used = need;
  }

  private grow(): void {
    const n = this.offsets.length * 2;
    const re = <T extends Int32Array | Float64Array>(a: T): T => {
      const x = new (a.constructor as new (n: number) => T)(n);
      x.set(a);
      return x;
    };
    this.offsets = re(this.offsets);
    this.duration = re(this.duration);
    this.packets = re(this.packets);
    this.bytes = re(this.bytes);
    this.idleAge = re(this.idleAge);
  }

  done(): FlowStats {
    const n = this.count;
    return new FlowStats(this.body.subarray(0, this.used), this.offsets.subarray(0, n), n,
      this.duration.subarray(0, n), this.packets.subarray(0, n), this.bytes.subarray(0, n), this.idleAge.subarray(0, n));
  }
}

/** Every flow of the bridge behind `socketPath` (its .mgmt socket), or of one table, with counters. */
export async function fetchFlowStats(socketPath: string, timeoutMs = 10_000, table = 0xff, like?: { bytes: number; count: number }): Promise<FlowStats> {
  const builder = new FlowStatsBuilder(like);
  await ofRequest({ socketPath, timeoutMs }, nxFlowStatsRequest(table),
    (m) => m.type === OFPT_STATS_REPLY && (m.bytes.readUInt16BE(10) & OFPSF_REPLY_MORE) === 0,
    (m) => {
      if (m.type !== OFPT_STATS_REPLY) throw new OpenFlowError(`${socketPath} answered the flow statistics request with message type ${m.type}`);
      builder.add(m, socketPath);
    });
  return builder.done();
}

const OFPST_TABLE = 3;
/** ofp_table_stats (OpenFlow 1.0): table_id u8 | pad 3 | name 32 | wildcards u32 | max_entries u32 | active_count u32 | lookup_count u64 | matched_count u64 */
const OFP10_TABLE_STATS_SIZE = 64;

/**
 * Per-table counters of a bridge, indexed by table id: flows installed, and packets looked up and
 * matched. ovs-vswitchd credits a table's lookups in the same pass that credits its flows'
 * counters, so a table whose lookups did not move has no flow whose counters moved.
 */
export interface TableCounters {
  active: Float64Array;
  lookup: Float64Array;
  matched: Float64Array;
}

export async function fetchTableCounters(socketPath: string, timeoutMs = 10_000): Promise<TableCounters> {
  const req = Buffer.alloc(12);
  req.writeUInt8(1, 0);
  req.writeUInt8(OFPT_STATS_REQUEST, 1);
  req.writeUInt16BE(12, 2);
  req.writeUInt16BE(OFPST_TABLE, 8);
  const out: TableCounters = { active: new Float64Array(256), lookup: new Float64Array(256), matched: new Float64Array(256) };
  await ofRequest({ socketPath, timeoutMs }, req,
    (m) => m.type === OFPT_STATS_REPLY && (m.bytes.readUInt16BE(10) & OFPSF_REPLY_MORE) === 0,
    (m) => {
      if (m.type !== OFPT_STATS_REPLY || m.bytes.readUInt16BE(8) !== OFPST_TABLE) throw new OpenFlowError(`${socketPath} answered the table statistics request with something else`);
      const b = m.bytes;
      for (let p = 12; p + OFP10_TABLE_STATS_SIZE <= b.length; p += OFP10_TABLE_STATS_SIZE) {
        const t = b[p];
        out.active[t] = b.readUInt32BE(p + 44);
        out.lookup[t] = b.readUInt32BE(p + 48) * TWO_32 + b.readUInt32BE(p + 52);
        out.matched[t] = b.readUInt32BE(p + 56) * TWO_32 + b.readUInt32BE(p + 60);
      }
    });
  return out;
}

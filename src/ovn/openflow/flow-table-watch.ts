// Which tables of a bridge had flows added, deleted or modified, told by ovs-vswitchd itself: a
// Nicira flow monitor (NXST_FLOW_MONITOR, what `ovs-ofctl monitor BRIDGE watch:` uses) on one
// connection to the bridge's management socket that stays open between refreshes.
//
// Why: a live view that reads only the counters of the tables whose packets moved must also know
// that no flow changed anywhere else; the monitor is the switch's own account of that. Whenever
// the account may have a gap (not yet acknowledged, the switch paused the monitor because we fell
// behind, the connection dropped), `take()` says `known: false` and the caller reads everything.
//
// Request body (nx_flow_monitor_request, 16 bytes): id u32 | flags u16 | out_port u16 |
// match_len u16 | table_id u8 | 5 zero bytes. Each update in a reply starts length u16 | event u16;
// full updates (events added/deleted/modified) carry the table id at byte 14.
import { createConnection, type Socket } from 'node:net';
import { NX_STATS_HEADER, NX_VENDOR_ID, nxStatsRequest, OFP10_VERSION, OFPST_VENDOR, echoReply, OfFramer, OFPT_ECHO_REQUEST, OFPT_ERROR, OFPT_HELLO, OFPT_STATS_REPLY, OFPT_VENDOR } from './of-channel';

const NXST_FLOW_MONITOR = 2;
const NXT_FLOW_MONITOR_PAUSED = 22;
const NXT_FLOW_MONITOR_RESUMED = 23;
/** flags: report additions, deletions and modifications (no initial dump, no actions) */
const NXFMF_ADD = 1 << 1;
const NXFMF_DELETE = 1 << 2;
const NXFMF_MODIFY = 1 << 3;
const NXFME_ABBREV = 3;
const MONITOR_XID = 0x6f766e6d;

export interface FlowTableChanges {
  /** false when the monitor may have missed a change since the last take: read every table */
  known: boolean;
  /** tables with a flow added, deleted or modified since the last take */
  tables: Set<number>;
}

/** The NXST_FLOW_MONITOR request: every table, any out_port, no match. */
export function nxFlowMonitorRequest(id = 1): Buffer {
  const b = nxStatsRequest(NXST_FLOW_MONITOR, 16);
  b.writeUInt32BE(MONITOR_XID, 4);
  b.writeUInt32BE(id, NX_STATS_HEADER);
  b.writeUInt16BE(NXFMF_ADD | NXFMF_DELETE | NXFMF_MODIFY, NX_STATS_HEADER + 4);
  b.writeUInt16BE(0xffff, NX_STATS_HEADER + 6); // out_port: OFPP_NONE
  b.writeUInt16BE(0, NX_STATS_HEADER + 8); // match_len
  b.writeUInt8(0xff, NX_STATS_HEADER + 10); // every table
  return b;
}

export class FlowTableWatch {
  private sock?: Socket;
  private framer = new OfFramer();
  /** acknowledged by the switch and nothing lost since */
  private armed = false;
  /** armed at the previous take and continuously since */
  private unbroken = false;
  private changed = new Set<number>();
  private closed = false;
  /** why the watch is not armed, for status lines */
  lastProblem?: string;

  constructor(private readonly socketPath: string) {
    this.connect();
  }

  /** The changes since the previous take, and whether that account is complete. */
  take(): FlowTableChanges {
    const r = { known: this.unbroken && this.armed, tables: this.changed };
    this.changed = new Set();
    this.unbroken = this.armed;
    if (!this.sock && !this.closed) this.connect();
    return r;
  }

  close(): void {
    this.closed = true;
    this.lose();
    this.sock?.destroy();
    this.sock = undefined;
  }

  private lose(why?: string): void {
    this.armed = false;
    this.unbroken = false;
    if (why) this.lastProblem = why;
  }

  private connect(): void {
    const sock = createConnection(this.socketPath);
    // a monitor left open must not keep a CLI process alive
    sock.unref();
    this.sock = sock;
    this.framer = new OfFramer();
    sock.on('connect', () => {
      const hello = Buffer.alloc(8);
      hello.writeUInt8(OFP10_VERSION, 0);
      hello.writeUInt8(OFPT_HELLO, 1);
      hello.writeUInt16BE(8, 2);
      sock.write(Buffer.concat([hello, nxFlowMonitorRequest()]));
    });
    const drop = (why: string) => {
      this.lose(why);
      sock.destroy();
      // the next take() reconnects: a restarted vswitchd is picked up at the next refresh
      if (this.sock === sock) this.sock = undefined;
    };
    sock.on('error', (e) => drop(`flow monitor on ${this.socketPath}: ${e.message}`));
    sock.on('close', () => drop(`flow monitor on ${this.socketPath}: connection closed`));
    sock.on('data', (chunk: Buffer) => {
      try {
        this.framer.feed(chunk, (m) => {
          this.onMessage(sock, m.bytes);
          return true;
        });
      } catch {
        drop(`flow monitor on ${this.socketPath}: malformed message`);
      }
    });
  }

  private onMessage(sock: Socket, m: Buffer): void {
    const type = m.readUInt8(1);
    if (type === OFPT_ECHO_REQUEST) {
      sock.write(echoReply(m));
    } else if (type === OFPT_ERROR) {
      this.lose(`flow monitor on ${this.socketPath}: the switch answered with OpenFlow error type ${m.length >= 12 ? m.readUInt16BE(8) : -1}`);
    } else if (type === OFPT_STATS_REPLY && m.length >= NX_STATS_HEADER && m.readUInt16BE(8) === OFPST_VENDOR && m.readUInt32BE(16) === NXST_FLOW_MONITOR) {
      // the first reply to our xid acknowledges the monitor; every reply may carry updates
      if (m.readUInt32BE(4) === MONITOR_XID) this.armed = true;
      let p = NX_STATS_HEADER;
      while (p + 4 <= m.length) {
        const len = m.readUInt16BE(p);
        const event = m.readUInt16BE(p + 2);
        if (len < 8 || p + len > m.length) {
          this.lose(`flow monitor on ${this.socketPath}: malformed update`);
          return;
        }
        if (event === NXFME_ABBREV || len < 16) this.lose(); // a change whose table we cannot tell
        else this.changed.add(m.readUInt8(p + 14));
        p += len;
      }
    } else if (type === OFPT_VENDOR && m.length >= 16 && m.readUInt32BE(8) === NX_VENDOR_ID) {
      const sub = m.readUInt32BE(12);
      // paused: the switch stopped sending updates because we read too slowly; what changed in
      // between is unknown until it resumes
      if (sub === NXT_FLOW_MONITOR_PAUSED) this.lose('flow monitor paused by the switch');
      else if (sub === NXT_FLOW_MONITOR_RESUMED) this.armed = true;
    }
  }
}

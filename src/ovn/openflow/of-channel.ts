// A minimal OpenFlow 1.0 channel to one bridge of ovs-vswitchd over its management socket
// (`<OVS_RUNDIR>/<bridge>.mgmt`), the socket `ovs-ofctl` itself talks to. It does the HELLO
// exchange, answers the switch's ECHO requests, and runs one request at a time, collecting every
// reply message with the request's xid until the last one (no "more" flag). The switch's ERROR
// messages are surfaced with their OpenFlow type and code.
//
// Why our own channel: `ovs-ofctl dump-flows` spends most of its time printing (≈370 ms of CPU
// for 100k flows here, against ≈150 ms for ovs-vswitchd to send them); a live view that already
// holds the printed flows only needs the counters, which arrive in binary far faster.
import { createConnection, type Socket } from 'node:net';

export const OFP10_VERSION = 0x01;
export const OFPT_HELLO = 0;
export const OFPT_ERROR = 1;
export const OFPT_ECHO_REQUEST = 2;
export const OFPT_ECHO_REPLY = 3;
export const OFPT_STATS_REQUEST = 16;
export const OFPT_STATS_REPLY = 17;
/** ofp_stats_reply flags: more replies follow */
export const OFPSF_REPLY_MORE = 1;
export const OFPT_VENDOR = 4;
/** the stats type of vendor statistics, and Nicira's vendor id (Open vSwitch's extensions) */
export const OFPST_VENDOR = 0xffff;
export const NX_VENDOR_ID = 0x00002320;
/** ofp_header + stats type/flags + vendor + subtype + pad: where a Nicira stats body starts */
export const NX_STATS_HEADER = 24;

/** A Nicira vendor stats request (OpenFlow 1.0) with `body` bytes of zeroed body to fill in. */
export function nxStatsRequest(subtype: number, body: number): Buffer {
  const b = Buffer.alloc(NX_STATS_HEADER + body);
  b.writeUInt8(OFP10_VERSION, 0);
  b.writeUInt8(OFPT_STATS_REQUEST, 1);
  b.writeUInt16BE(b.length, 2);
  b.writeUInt16BE(OFPST_VENDOR, 8);
  b.writeUInt32BE(NX_VENDOR_ID, 12);
  b.writeUInt32BE(subtype, 16);
  return b;
}

const READ_BUFFER = 4 << 20;

export class OpenFlowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpenFlowError';
  }
}

export interface OfChannelOptions {
  /** the bridge's management socket, e.g. /var/run/openvswitch/br-int.mgmt */
  socketPath: string;
  /** for the whole request, connect included */
  timeoutMs?: number;
}

/** One OpenFlow message: header fields plus the whole message (header included) as bytes. */
export interface OfMessage {
  version: number;
  type: number;
  xid: number;
  bytes: Buffer;
}

/**
 * Sends `request` (a complete OpenFlow 1.0 message whose xid is patched in) after the HELLO
 * exchange and resolves with the reply messages of that xid, in order, until `isLast` says the
 * sequence ended; an exception from `onReply` ends the request with that error. A reply's bytes
 * are valid only during `onReply` (the read buffer is reused): copy what must outlive it. The connection is closed afterwards: each call is one short session, the way
 * ovs-ofctl works, so a restarted vswitchd costs nothing to recover from.
 */
export function ofRequest(o: OfChannelOptions, request: Buffer, isLast: (m: OfMessage) => boolean, onReply: (m: OfMessage) => void): Promise<void> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  return new Promise<void>((resolve, reject) => {
    // read straight into one large buffer (a 100k-flow reply is ~13 MB): far fewer reads and no
    // allocation per 64 KB chunk; every message is handed on before the next read reuses it
    const readBuffer = Buffer.allocUnsafe(READ_BUFFER);
    const sock: Socket = createConnection({ path: o.socketPath, onread: { buffer: readBuffer, callback: (n) => { feed(readBuffer.subarray(0, n)); return true; } } });
    const xid = 0x6f766e00 + (Math.floor(Math.random() * 0xff) & 0xff);
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => finish(new OpenFlowError(`no complete reply from ${o.socketPath} within ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => {
      const hint = e.code === 'ENOENT' || e.code === 'ECONNREFUSED'
        ? ' (is ovs-vswitchd running, and does the bridge exist?)'
        : e.code === 'EACCES' ? ' (permission denied: run as the user that owns the OVS run directory)' : '';
      finish(new OpenFlowError(`cannot connect to ${o.socketPath}: ${e.message}${hint}`));
    });
    sock.on('close', () => finish(new OpenFlowError(`${o.socketPath} closed the connection before the reply was complete`)));
    sock.on('connect', () => {
      const hello = header(OFP10_VERSION, OFPT_HELLO, 8, xid - 1);
      request.writeUInt8(OFP10_VERSION, 0);
      request.writeUInt32BE(xid, 4);
      sock.write(Buffer.concat([hello, request]));
    });
    const onMessage = (m: OfMessage): boolean => {
      const len = m.bytes.length;
      if (m.type === OFPT_ECHO_REQUEST) {
        sock.write(echoReply(m.bytes));
      } else if (m.type === OFPT_ERROR) {
        const type = len >= 12 ? m.bytes.readUInt16BE(8) : -1;
        const code = len >= 12 ? m.bytes.readUInt16BE(10) : -1;
        finish(new OpenFlowError(`${o.socketPath} answered with OpenFlow error type ${type} code ${code}`));
        return false;
      } else if (m.type === OFPT_HELLO) {
        // version negotiation: the switch must speak 1.0, which our request uses
        if (m.version < OFP10_VERSION) {
          finish(new OpenFlowError(`${o.socketPath} speaks OpenFlow version ${m.version} only`));
          return false;
        }
      } else if (m.xid === xid) {
        try {
          onReply(m);
        } catch (e) {
          finish(e as Error);
          return false;
        }
        if (isLast(m)) {
          finish();
          return false;
        }
      }
      return true;
    };
    const framer = new OfFramer();
    const feed = (chunk: Buffer): void => {
      if (settled) return;
      try {
        framer.feed(chunk, onMessage);
      } catch (e) {
        finish(new OpenFlowError(`${(e as Error).message} from ${o.socketPath}`));
      }
    };
  });
}

function message(buf: Buffer, off: number, len: number): OfMessage {
  return { version: buf.readUInt8(off), type: buf.readUInt8(off + 1), xid: buf.readUInt32BE(off + 4), bytes: buf.subarray(off, off + len) };
}

/**
 * Splits a byte stream into OpenFlow messages. A message cut by the end of a read waits (copied:
 * read buffers are reused) and is completed from the next read without re-copying that read.
 */
export class OfFramer {
  private pending?: Buffer;

  /**
   * Hands each whole message in `chunk` to `onMessage`, whose bytes are valid only during the call,
   * until it returns false; a length under 8 throws (the stream cannot be resynchronised).
   */
  feed(chunk: Buffer, onMessage: (m: OfMessage) => boolean): void {
    let off = 0;
    if (this.pending) {
      // complete the cut message first (at most 64 KB), then go on in the chunk itself
      let p = this.pending;
      if (p.length < 8) {
        const take = Math.min(8 - p.length, chunk.length);
        p = Buffer.concat([p, chunk.subarray(0, take)]);
        off = take;
        if (p.length < 8) {
          this.pending = p;
          return;
        }
      }
      const len = p.readUInt16BE(2);
      if (len < 8) throw new OpenFlowError(`malformed OpenFlow message (length ${len})`);
      const take = Math.min(len - p.length, chunk.length - off);
      p = Buffer.concat([p, chunk.subarray(off, off + take)]);
      off += take;
      if (p.length < len) {
        this.pending = p;
        return;
      }
      this.pending = undefined;
      if (!onMessage(message(p, 0, len))) return;
    }
    while (chunk.length - off >= 8) {
      const len = chunk.readUInt16BE(off + 2);
      if (len < 8) throw new OpenFlowError(`malformed OpenFlow message (length ${len})`);
      if (chunk.length - off < len) break;
      const m = message(chunk, off, len);
      off += len;
      if (!onMessage(m)) return;
    }
    this.pending = off < chunk.length ? Buffer.from(chunk.subarray(off)) : undefined;
  }
}

/** The ECHO_REPLY to a switch's ECHO_REQUEST (same xid and payload), which keeps a connection alive. */
export function echoReply(request: Buffer): Buffer {
  const reply = Buffer.from(request);
  reply.writeUInt8(OFPT_ECHO_REPLY, 1);
  return reply;
}

function header(version: number, type: number, length: number, xid: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(version, 0);
  b.writeUInt8(type, 1);
  b.writeUInt16BE(length, 2);
  b.writeUInt32BE(xid >>> 0, 4);
  return b;
}

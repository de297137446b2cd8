// Where an OVSDB server listens, in the remote syntax the OVS tools use (unix:PATH, tcp:HOST:PORT,
// ssl:HOST:PORT, with [v6] hosts), and how to open a byte stream to it.
// TLS is the hook for later: an `ssl:` remote works once the caller passes key/cert/CA material
// (or its own `connect`); without it the error says so rather than trying plaintext.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { OvsdbConnectionError } from './errors';

export type Remote =
  | { kind: 'unix'; path: string; text: string }
  | { kind: 'tcp'; host: string; port: number; text: string }
  | { kind: 'ssl'; host: string; port: number; text: string };

export interface TlsMaterial {
  key: string | Buffer;
  cert: string | Buffer;
  ca: string | Buffer;
  /** OVN's certificates name the role, not the host: leave false unless yours carry the host name */
  checkServerName?: boolean;
}

export interface TransportOptions {
  connectTimeoutMs?: number;
  tls?: TlsMaterial;
  /** replaces how the stream is opened (tests, proxies, a future TLS implementation) */
  connect?: (remote: Remote) => Promise<Duplex>;
}

export function parseRemote(text: string): Remote {
  const m = /^(unix|tcp|ssl):(.+)$/.exec(text.trim());
  if (!m) {
    throw new OvsdbConnectionError(`"${text}" is not an OVSDB remote: use unix:/path/to/db.sock, tcp:HOST:PORT or ssl:HOST:PORT`, text);
  }
  const [, kind, rest] = m;
  if (kind === 'unix') return { kind: 'unix', path: rest, text };
  const hp = /^(?:\[([0-9a-fA-F:.]+)\]|([^:]+)):(\d{1,5})$/.exec(rest);
  const port = hp ? Number(hp[3]) : NaN;
  if (!hp || port < 1 || port > 65535) {
    throw new OvsdbConnectionError(`"${text}" is not an OVSDB remote: ${kind}: needs HOST:PORT (IPv6 as [addr]:PORT)`, text);
  }
  return { kind: kind as 'tcp' | 'ssl', host: hp[1] ?? hp[2], port, text };
}

/** Opens the stream; rejects with OvsdbConnectionError saying why (no socket, refused, timeout). */
export function openTransport(remote: Remote, opts: TransportOptions = {}): Promise<Duplex> {
  if (opts.connect) return opts.connect(remote);
  const timeoutMs = opts.connectTimeoutMs ?? 5000;
  return new Promise<Duplex>((resolve, reject) => {
    let sock: Socket;
    if (remote.kind === 'unix') {
      sock = netConnect({ path: remote.path });
    } else if (remote.kind === 'tcp') {
      sock = netConnect({ host: remote.host, port: remote.port });
    } else {
      if (!opts.tls) {
        reject(new OvsdbConnectionError(`${remote.text}: an ssl: remote needs TLS key, certificate and CA (TransportOptions.tls)`, remote.text));
        return;
      }
      const t = opts.tls;
      sock = tlsConnect({
        host: remote.host,
        port: remote.port,
        key: t.key,
        cert: t.cert,
        ca: t.ca,
        checkServerIdentity: t.checkServerName ? undefined : () => undefined,
      });
    }
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new OvsdbConnectionError(`cannot connect to ${remote.text}: no answer within ${timeoutMs} ms`, remote.text));
    }, timeoutMs);
    const onError = (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      const why =
        e.code === 'ENOENT' ? 'no such socket' : e.code === 'ECONNREFUSED' ? 'connection refused (is the server running?)' : e.code === 'EACCES' ? 'permission denied' : e.message;
      reject(new OvsdbConnectionError(`cannot connect to ${remote.text}: ${why}`, remote.text, e));
    };
    sock.once('error', onError);
    sock.once(remote.kind === 'ssl' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      sock.off('error', onError);
      if (remote.kind !== 'unix') sock.setNoDelay(true);
      resolve(sock);
    });
  });
}

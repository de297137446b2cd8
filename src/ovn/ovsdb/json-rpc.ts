// JSON-RPC 1.0 over one OVSDB stream (RFC 7047 §4): numbered requests with per-request timeouts,
// replies matched by id, notifications handed to the owner, the server's `echo` answered, and our
// own `echo` sent when the line has been quiet so a dead peer is noticed. Anything the peer sends
// that breaks the protocol closes the connection with an error naming what arrived: a connection
// never hangs on garbage or on half a message.
import type { Duplex } from 'node:stream';
import { OvsdbConnectionError, OvsdbError, OvsdbProtocolError, OvsdbTimeoutError } from './errors';
import { JsonStreamScanner } from './json-stream';
import type { JsonObject, JsonValue } from './json-value';

export interface JsonRpcOptions {
  /** the remote, for messages */
  remote: string;
  /** default time a request may wait for its reply */
  requestTimeoutMs?: number;
  /** send an echo after this long without receiving anything; 0 disables */
  probeIntervalMs?: number;
  /** declare the connection dead when our echo is not answered within this */
  probeTimeoutMs?: number;
  maxMessageBytes?: number;
}

interface Pending {
  method: string;
  resolve(v: JsonValue): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class JsonRpcConnection {
  onNotification: (method: string, params: JsonValue[]) => void = () => undefined;
  /** called once, when the connection ends for any reason; `error` is undefined after close() */
  onClose: (error: Error | undefined) => void = () => undefined;

  private readonly scanner: JsonStreamScanner;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private lastReceived = Date.now();
  private probeTimer: NodeJS.Timeout | undefined;
  private probeInFlight = false;
  private closedWith: { error: Error | undefined } | undefined;
  private readonly requestTimeoutMs: number;

  constructor(private readonly stream: Duplex, private readonly opts: JsonRpcOptions) {
    this.scanner = new JsonStreamScanner({ maxMessageBytes: opts.maxMessageBytes });
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    stream.on('data', (chunk: Buffer) => this.receive(chunk));
    stream.on('error', (e: Error) => this.shutdown(new OvsdbConnectionError(`connection to ${opts.remote} failed: ${e.message}`, opts.remote, e)));
    stream.on('end', () => this.shutdown(this.endError()));
    stream.on('close', () => this.shutdown(this.endError()));
    const probe = opts.probeIntervalMs ?? 5000;
    if (probe > 0) {
      this.probeTimer = setInterval(() => this.maybeProbe(probe), Math.max(50, Math.min(probe, 1000)));
      this.probeTimer.unref();
    }
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Sends a request; resolves with its `result`, rejects with OvsdbError on an `error` reply. */
  request(method: string, params: JsonValue[], timeoutMs = this.requestTimeoutMs): Promise<JsonValue> {
    if (this.closedWith) {
      return Promise.reject(this.closedWith.error ?? new OvsdbConnectionError(`connection to ${this.opts.remote} is closed`, this.opts.remote));
    }
    const id = this.nextId++;
    return new Promise<JsonValue>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new OvsdbTimeoutError(method, timeoutMs, this.opts.remote));
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      this.send({ method, params, id });
    });
  }

  notify(method: string, params: JsonValue[]): void {
    this.send({ method, params, id: null });
  }

  /** Closes the connection; pending requests reject with `reason` (or a "closed" error). */
  close(reason?: Error): void {
    this.shutdown(reason, true);
  }

  private send(msg: JsonObject): void {
    if (this.closedWith) return;
    this.stream.write(JSON.stringify(msg));
  }

  private endError(): Error {
    const pending = this.scanner.pendingBytes;
    if (pending > 0) {
      return new OvsdbProtocolError(`${this.opts.remote} closed the connection in the middle of a message (${pending} bytes of an unfinished message)`);
    }
    return new OvsdbConnectionError(`${this.opts.remote} closed the connection`, this.opts.remote);
  }

  private receive(chunk: Buffer): void {
    if (this.closedWith) return;
    this.lastReceived = Date.now();
    let messages: JsonValue[];
    try {
      messages = this.scanner.push(chunk);
    } catch (e) {
      this.shutdown(withRemote(e as Error, this.opts.remote));
      return;
    }
    for (const m of messages) {
      if (this.closedWith) return;
      try {
        this.dispatch(m);
      } catch (e) {
        this.shutdown(withRemote(e as Error, this.opts.remote));
        return;
      }
    }
  }

  private dispatch(m: JsonValue): void {
    if (!m || typeof m !== 'object' || Array.isArray(m)) {
      throw new OvsdbProtocolError(`received a JSON value that is not a JSON-RPC message: ${JSON.stringify(m).slice(0, 80)}`);
    }
    const msg = m as { method?: JsonValue; params?: JsonValue; id?: JsonValue; result?: JsonValue; error?: JsonValue };
    if (typeof msg.method === 'string') {
      const params = Array.isArray(msg.params) ? msg.params : [];
      if (msg.id === null || msg.id === undefined) {
        this.onNotification(msg.method, params);
      } else if (msg.method === 'echo') {
        this.send({ result: params, error: null, id: msg.id });
      } else {
        this.send({ result: null, error: { error: 'unknown method', details: `client does not serve ${msg.method}` }, id: msg.id });
      }
      return;
    }
    if (!('result' in msg) && !('error' in msg)) {
      throw new OvsdbProtocolError(`received a message that is neither a request nor a reply: ${JSON.stringify(m).slice(0, 80)}`);
    }
    const id = msg.id;
    const p = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!p) {
      // a late reply to a request that already timed out is harmless; a reply to nothing we sent is not
      if (typeof id === 'number' && id > 0 && id < this.nextId) return;
      throw new OvsdbProtocolError(`received a reply to a request that was never sent (id ${JSON.stringify(id)})`);
    }
    this.pending.delete(id as number);
    clearTimeout(p.timer);
    if (msg.error !== null && msg.error !== undefined) {
      const e = msg.error as { error?: JsonValue; details?: JsonValue } | string;
      if (typeof e === 'string') p.reject(new OvsdbError(e, undefined, undefined, p.method));
      else p.reject(new OvsdbError(String(e.error ?? 'error'), e.details === undefined ? undefined : String(e.details), undefined, p.method));
    } else {
      p.resolve(msg.result ?? null);
    }
  }

  private maybeProbe(intervalMs: number): void {
    if (this.closedWith || this.probeInFlight || Date.now() - this.lastReceived < intervalMs) return;
    this.probeInFlight = true;
    const timeout = this.opts.probeTimeoutMs ?? intervalMs;
    this.request('echo', [], timeout).then(
      () => {
        this.probeInFlight = false;
      },
      (e: Error) => {
        this.probeInFlight = false;
        if (e instanceof OvsdbTimeoutError) {
          this.shutdown(new OvsdbConnectionError(`${this.opts.remote} did not answer an echo within ${timeout} ms: connection considered dead`, this.opts.remote));
        }
      },
    );
  }

  private shutdown(error: Error | undefined, byUs = false): void {
    if (this.closedWith) return;
    this.closedWith = { error };
    if (this.probeTimer) clearInterval(this.probeTimer);
    const reason = error ?? new OvsdbConnectionError(`connection to ${this.opts.remote} was closed`, this.opts.remote);
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(reason);
    }
    this.pending.clear();
    this.stream.destroy();
    this.onClose(byUs && !error ? undefined : reason);
  }
}

function withRemote(e: Error, remote: string): Error {
  if (e instanceof OvsdbProtocolError && !e.message.includes(remote)) {
    return new OvsdbProtocolError(`protocol violation from ${remote}: ${e.message}; connection closed`);
  }
  return e;
}

// An OVSDB client for one database on one server (RFC 7047): requests, transactions built from
// typed operations, and monitors that keep a local cache current. When the connection drops it
// reconnects with exponential backoff and resynchronises in full: it re-fetches the schema,
// re-issues every monitor into a fresh cache and swaps it in, reporting rows that vanished
// while it was away as deletions, so the cache never keeps a stale row.
import { OvsdbConnectionError, OvsdbError, OvsdbProtocolError } from './errors';
import { JsonRpcConnection } from './json-rpc';
import type { JsonObject, JsonValue } from './json-value';
import {
  decodeResults,
  encodeOperation,
  type ColumnName,
  type Condition,
  type GenericRow,
  type GenericTables,
  type Operation,
  type TableMap,
  type TransactResult,
} from './operations';
import { columnOf, parseSchema, tableOf, type DatabaseSchema } from './schema';
import { TableCache, type RowChange } from './table-cache';
import { openTransport, parseRemote, type Remote, type TransportOptions } from './transport';
import { encodeValue } from './value-codec';

export interface ReconnectOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** give up after this many failed attempts in a row (default: never) */
  maxAttempts?: number;
}

export interface OvsdbClientOptions extends TransportOptions {
  /** unix:PATH, tcp:HOST:PORT or ssl:HOST:PORT */
  remote: string;
  /** e.g. OVN_Northbound, OVN_Southbound, Open_vSwitch */
  database: string;
  requestTimeoutMs?: number;
  /** send our echo after this long without traffic (default 5000; 0 disables) */
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  /** false: a lost connection closes the client for good */
  reconnect?: false | ReconnectOptions;
  maxMessageBytes?: number;
}

export interface MonitorTableRequest<R = GenericRow> {
  /** columns to replicate; all when omitted */
  columns?: ColumnName<R>[];
  /** only rows matching (monitor_cond only) */
  where?: Condition<R>[];
}

export type MonitorSpec<T extends TableMap> =
  | Array<Extract<keyof T, string>>
  | { [K in Extract<keyof T, string>]?: MonitorTableRequest<T[K]> | true };

export interface MonitorHandle {
  id: string;
  tables: string[];
  /** 'monitor_cond' (update2 diffs) or 'monitor' (the fallback for servers without it) */
  method: 'monitor_cond' | 'monitor';
  cancel(): Promise<void>;
}

interface MonitorEntry {
  id: string;
  requests: Map<string, MonitorTableRequest>;
  method: 'monitor_cond' | 'monitor';
}

export interface OvsdbClientEvents<T extends TableMap> {
  /** rows changed (after a monitor's initial load, a notification, or a resync) */
  change: (changes: RowChange<T>[]) => void;
  /** the connection was lost; the client is reconnecting unless reconnect is false */
  disconnected: (error: Error) => void;
  /** reconnected and every monitor resynchronised: the cache is current again */
  reconnected: () => void;
  /** a reconnect attempt failed; another follows after `delayMs` unless attempts ran out */
  reconnectFailed: (error: Error, attempt: number, delayMs: number | undefined) => void;
  /** the client stopped for good (close(), or reconnecting gave up) */
  closed: (error: Error | undefined) => void;
}

type Listeners<T extends TableMap> = { [E in keyof OvsdbClientEvents<T>]: Set<OvsdbClientEvents<T>[E]> };

export class OvsdbClient<T extends TableMap = GenericTables> {
  readonly remote: Remote;
  readonly database: string;
  readonly cache: TableCache<T>;
  private conn: JsonRpcConnection | undefined;
  private schemaNow: DatabaseSchema;
  private readonly monitors = new Map<string, MonitorEntry>();
  private nextMonitor = 1;
  private monitorCondUnsupported = false;
  private state: 'open' | 'reconnecting' | 'closed' = 'open';
  /** during a resync, notifications fill the fresh cache, not the live one */
  private resyncCache: TableCache<T> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly listeners: Listeners<T> = {
    change: new Set(), disconnected: new Set(), reconnected: new Set(), reconnectFailed: new Set(), closed: new Set(),
  };

  private constructor(private readonly opts: OvsdbClientOptions, conn: JsonRpcConnection, schema: DatabaseSchema) {
    this.remote = parseRemote(opts.remote);
    this.database = opts.database;
    this.schemaNow = schema;
    this.cache = new TableCache<T>(schema);
    this.attach(conn);
  }

  /** Connects and fetches the database's schema; rejects with a clear error when it cannot. */
  static async connect<T extends TableMap = GenericTables>(opts: OvsdbClientOptions): Promise<OvsdbClient<T>> {
    const { conn, schema } = await OvsdbClient.open(opts);
    return new OvsdbClient<T>(opts, conn, schema);
  }

  private static async open(opts: OvsdbClientOptions): Promise<{ conn: JsonRpcConnection; schema: DatabaseSchema }> {
    const remote = parseRemote(opts.remote);
    const stream = await openTransport(remote, opts);
    const conn = new JsonRpcConnection(stream, {
      remote: remote.text,
      requestTimeoutMs: opts.requestTimeoutMs,
      probeIntervalMs: opts.probeIntervalMs,
      probeTimeoutMs: opts.probeTimeoutMs,
      maxMessageBytes: opts.maxMessageBytes,
    });
    try {
      const raw = await conn.request('get_schema', [opts.database]);
      return { conn, schema: parseSchema(raw) };
    } catch (e) {
      conn.close();
      if (e instanceof OvsdbError && e.error === 'unknown database') {
        throw new OvsdbError(e.error, `${remote.text} does not serve database "${opts.database}"${e.details ? ` (${e.details})` : ''}`, undefined, 'get_schema');
      }
      throw e;
    }
  }

  get schema(): DatabaseSchema {
    return this.schemaNow;
  }

  get connected(): boolean {
    return this.state === 'open' && !!this.conn && !this.conn.closed;
  }

  on<E extends keyof OvsdbClientEvents<T>>(event: E, fn: OvsdbClientEvents<T>[E]): () => void {
    this.listeners[event].add(fn);
    return () => void this.listeners[event].delete(fn);
  }

  /** Resolves on the next `event` (e.g. 'reconnected'), rejecting after timeoutMs. */
  waitFor<E extends keyof OvsdbClientEvents<T>>(event: E, timeoutMs = 30_000): Promise<Parameters<OvsdbClientEvents<T>[E]>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no "${event}" event from ${this.remote.text} within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(event, ((...args: Parameters<OvsdbClientEvents<T>[E]>) => {
        clearTimeout(timer);
        off();
        resolve(args);
      }) as OvsdbClientEvents<T>[E]);
    });
  }

  private emit<E extends keyof OvsdbClientEvents<T>>(event: E, ...args: Parameters<OvsdbClientEvents<T>[E]>): void {
    for (const fn of [...this.listeners[event]]) (fn as (...a: Parameters<OvsdbClientEvents<T>[E]>) => void)(...args);
  }

  /** Rows of a table the monitors replicate (empty when it is not monitored). */
  rows<K extends Extract<keyof T, string>>(table: K): ReadonlyMap<string, T[K]> {
    return this.cache.table(table);
  }

  /** One row by uuid, e.g. to follow a reference column. */
  row<K extends Extract<keyof T, string>>(table: K, uuid: string): T[K] | undefined {
    return this.cache.row(table, uuid);
  }

  // ---- plain requests ------------------------------------------------------------------------

  private live(): JsonRpcConnection {
    if (this.state === 'closed') throw new OvsdbConnectionError(`the client for ${this.remote.text} is closed`, this.remote.text);
    if (!this.conn || this.conn.closed || this.state === 'reconnecting') {
      throw new OvsdbConnectionError(`not connected to ${this.remote.text} (reconnecting): retry when the client emits "reconnected"`, this.remote.text);
    }
    return this.conn;
  }

  private async call(method: string, params: JsonValue[], timeoutMs?: number): Promise<JsonValue> {
    return this.live().request(method, params, timeoutMs);
  }

  async listDbs(): Promise<string[]> {
    const r = await this.call('list_dbs', []);
    if (!Array.isArray(r) || !r.every((x) => typeof x === 'string')) throw new OvsdbProtocolError('list_dbs returned something that is not a list of names');
    return r as string[];
  }

  async getSchema(database = this.database): Promise<DatabaseSchema> {
    return parseSchema(await this.call('get_schema', [database]));
  }

  async echo(payload: JsonValue[] = []): Promise<JsonValue> {
    return this.call('echo', payload);
  }

  /**
   * Runs the operations as one transaction. Any failed operation (or the commit) rejects with an
   * OvsdbError carrying the server's `error`, `details` and the operation's index; the server has
   * then applied nothing.
   */
  async transact(ops: Operation[], opts: { timeoutMs?: number } = {}): Promise<TransactResult> {
    const encoded = ops.map((op) => encodeOperation(this.schemaNow, op));
    const raw = await this.call('transact', [this.database, ...encoded], opts.timeoutMs);
    if (!Array.isArray(raw)) throw new OvsdbProtocolError('transact returned something that is not a list of results');
    for (let i = 0; i < raw.length; i++) {
      const r = raw[i] as { error?: JsonValue; details?: JsonValue } | null;
      if (r && typeof r === 'object' && typeof r.error === 'string') {
        const op: JsonValue = i < encoded.length ? encoded[i] : { op: 'commit' };
        throw new OvsdbError(r.error, typeof r.details === 'string' ? r.details : undefined, { index: i, op }, 'transact');
      }
    }
    if (raw.length < ops.length) throw new OvsdbProtocolError(`transact returned ${raw.length} results for ${ops.length} operations`);
    return decodeResults(this.schemaNow, ops, raw);
  }

  // ---- monitors ------------------------------------------------------------------------------

  /**
   * Starts replicating tables into `cache`; resolves once their current rows are loaded. Uses
   * `monitor_cond` (update2 diffs) and falls back to `monitor` when the server does not know it.
   * Unknown tables or columns reject with an OvsdbSchemaError naming them, before anything is sent.
   */
  async monitor(spec: MonitorSpec<T>): Promise<MonitorHandle> {
    const requests = new Map<string, MonitorTableRequest>();
    if (Array.isArray(spec)) {
      for (const t of spec) requests.set(t, {});
    } else {
      for (const [t, r] of Object.entries(spec)) {
        if (r) requests.set(t, r === true ? {} : (r as MonitorTableRequest));
      }
    }
    if (requests.size === 0) throw new OvsdbError('invalid monitor', 'name at least one table to monitor');
    for (const [t, r] of requests) {
      tableOf(this.schemaNow, t);
      // one cache row per uuid: two monitors with different columns or conditions on one table
      // would delete each other's rows, so a table belongs to one monitor at a time
      const owner = [...this.monitors.values()].find((m) => m.requests.has(t));
      if (owner) {
        throw new OvsdbError('duplicate monitor', `table ${t} is already monitored by ${owner.id}: cancel that monitor first, or read the rows it keeps`, undefined, 'monitor');
      }
      for (const c of r.columns ?? []) columnOf(this.schemaNow, t, c);
      for (const [c] of r.where ?? []) columnOf(this.schemaNow, t, c);
    }
    const entry: MonitorEntry = { id: `ovnlab-${this.nextMonitor++}`, requests, method: 'monitor_cond' };
    this.monitors.set(entry.id, entry);
    try {
      const changes = await this.startMonitor(this.live(), entry, this.cache);
      if (changes.length > 0) this.emit('change', changes);
    } catch (e) {
      this.monitors.delete(entry.id);
      throw e;
    }
    return {
      id: entry.id,
      tables: [...requests.keys()],
      method: entry.method,
      cancel: () => this.monitorCancel(entry.id),
    };
  }

  /**
   * Stops a monitor and drops its tables from the cache (reported as deletions): rows nobody
   * updates any more would be stale.
   */
  async monitorCancel(id: string): Promise<void> {
    const entry = this.monitors.get(id);
    if (!entry) throw new OvsdbError('unknown monitor', `no monitor with id ${id} on this client`);
    this.monitors.delete(id);
    try {
      if (this.connected) await this.call('monitor_cancel', [id]);
    } finally {
      const changes = [...entry.requests.keys()].flatMap((t) => this.cache.untrack(t));
      if (changes.length > 0) this.emit('change', changes);
    }
  }

  private async startMonitor(conn: JsonRpcConnection, entry: MonitorEntry, cache: TableCache<T>): Promise<RowChange<T>[]> {
    for (const [t, r] of entry.requests) cache.track(t, r.columns);
    if (!this.monitorCondUnsupported) {
      const condReq: JsonObject = {};
      for (const [t, r] of entry.requests) {
        // name the columns even for "all": left out, the server adds _version to every row (15% more bytes)
        const one: JsonObject = { columns: r.columns ?? [...tableOf(this.schemaNow, t).columns.keys()] };
        if (r.where) one.where = r.where.map(([c, fn, v]) => [c, fn, encodeValue(v, columnOf(this.schemaNow, t, c).type, `${t}.${c} (where)`)]);
        condReq[t] = [one];
      }
      try {
        const initial = await conn.request('monitor_cond', [this.database, entry.id, condReq]);
        entry.method = 'monitor_cond';
        return cache.applyUpdate2(initial);
      } catch (e) {
        if (!(e instanceof OvsdbError && e.error === 'unknown method')) throw e;
        this.monitorCondUnsupported = true;
      }
    }
    const req: JsonObject = {};
    for (const [t, r] of entry.requests) {
      if (r.where && r.where.length > 0) {
        throw new OvsdbError('not supported', `${this.remote.text} has no monitor_cond, so rows of ${t} cannot be filtered with "where"`, undefined, 'monitor');
      }
      req[t] = { columns: r.columns ?? [...tableOf(this.schemaNow, t).columns.keys()] };
    }
    const initial = await conn.request('monitor', [this.database, entry.id, req]);
    entry.method = 'monitor';
    return cache.applyUpdate(initial);
  }

  private attach(conn: JsonRpcConnection): void {
    this.conn = conn;
    conn.onNotification = (method, params) => {
      if (conn !== this.conn) return;
      if (method !== 'update' && method !== 'update2') return;
      const id = params[0];
      if (typeof id !== 'string' || !this.monitors.has(id)) return; // a cancelled monitor's last words
      const target = this.resyncCache ?? this.cache;
      const changes = method === 'update2' ? target.applyUpdate2(params[1] ?? {}) : target.applyUpdate(params[1] ?? {});
      if (target === this.cache && changes.length > 0) this.emit('change', changes);
    };
    conn.onClose = (error) => {
      // while reconnecting, the resync loop sees the failure through its own requests
      if (conn !== this.conn || this.state !== 'open') return;
      const why = error ?? new OvsdbConnectionError(`connection to ${this.remote.text} closed`, this.remote.text);
      this.emit('disconnected', why);
      if (this.opts.reconnect === false) {
        this.shutdown(why);
        return;
      }
      this.state = 'reconnecting';
      this.scheduleReconnect(0);
    };
  }

  private scheduleReconnect(attempt: number): void {
    const r = this.opts.reconnect || {};
    const delay = Math.min(r.maxDelayMs ?? 5000, (r.initialDelayMs ?? 100) * 2 ** attempt);
    this.reconnectTimer = setTimeout(() => void this.tryReconnect(attempt), delay);
  }

  private async tryReconnect(attempt: number): Promise<void> {
    if (this.state !== 'reconnecting') return;
    let conn: JsonRpcConnection | undefined;
    try {
      const opened = await OvsdbClient.open(this.opts);
      conn = opened.conn;
      if (this.state !== 'reconnecting') {
        conn.close();
        return;
      }
      this.schemaNow = opened.schema;
      const fresh = new TableCache<T>(opened.schema);
      this.resyncCache = fresh;
      this.attach(conn);
      for (const entry of this.monitors.values()) await this.startMonitor(conn, entry, fresh);
      if (conn.closed) throw new OvsdbConnectionError(`connection to ${this.remote.text} lost during resync`, this.remote.text);
      this.resyncCache = undefined;
      const changes = this.cache.replaceWith(fresh);
      this.state = 'open';
      if (changes.length > 0) this.emit('change', changes);
      this.emit('reconnected');
    } catch (e) {
      this.resyncCache = undefined;
      if (conn) {
        // this attempt's connection is not the live one: detach so its close does not re-trigger
        this.conn = undefined;
        conn.close();
      }
      if (this.state !== 'reconnecting') return;
      const max = (this.opts.reconnect || {}).maxAttempts;
      const next = attempt + 1;
      const giveUp = max !== undefined && next >= max;
      const r = this.opts.reconnect || {};
      const delay = giveUp ? undefined : Math.min(r.maxDelayMs ?? 5000, (r.initialDelayMs ?? 100) * 2 ** next);
      this.emit('reconnectFailed', e as Error, next, delay);
      if (giveUp) this.shutdown(e as Error);
      else this.scheduleReconnect(next);
    }
  }

  /** Closes the connection for good; pending requests reject, no reconnect follows. */
  close(): void {
    this.shutdown(undefined);
  }

  private shutdown(error: Error | undefined): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const c = this.conn;
    this.conn = undefined;
    c?.close();
    this.emit('closed', error);
  }
}

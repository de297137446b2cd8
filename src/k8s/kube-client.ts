// A thin REST client for one kubeconfig context, on @kubernetes/client-node's own transport:
// KubeConfig authenticates each request (certificates, tokens, exec plugins, proxies) and its
// fetch library sends it. We speak the REST paths directly because the same few verbs (list,
// get, create, merge-patch, apply, delete, watch) serve core kinds and CRDs alike, with
// dryRun, fieldManager and resourceVersion preconditions exactly as the server takes them.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { HttpMethod, IsomorphicFetchHttpLibrary, KubeConfig, RequestContext, Watch } from '@kubernetes/client-node';
import { KubeApiError, KubeUnreachableError } from './kube-errors';
import type { KubeObject, KubeStatus } from './resources';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  /** an object is sent as JSON; a string as-is (YAML for apply) */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** gives up after this long without an answer (default 30 s) */
  timeoutMs?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchHandle {
  stop(): void;
}

export interface KubeconfigSource {
  /** a kubeconfig file (or several joined like $KUBECONFIG); default $KUBECONFIG, then ~/.kube/config */
  kubeconfig?: string;
  /** a context name; default the file's current-context */
  context?: string;
  env?: NodeJS.ProcessEnv;
}

/** Loads a kubeconfig the way kubectl finds it, failing with a message that says what to do. */
export function loadKubeConfig(source: KubeconfigSource = {}): KubeConfig {
  const env = source.env ?? process.env;
  const list = source.kubeconfig ?? env.KUBECONFIG ?? join(homedir(), '.kube', 'config');
  const files = list.split(delimiter).filter(Boolean);
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) {
    throw new Error(`no kubeconfig found at ${files.join(delimiter) || '(empty path)'}: pass --kubeconfig FILE or set KUBECONFIG`);
  }
  const kc = new KubeConfig();
  kc.loadFromFile(present[0]);
  for (const f of present.slice(1)) {
    const more = new KubeConfig();
    more.loadFromFile(f);
    kc.mergeConfig(more, true);
  }
  if (source.context) selectContext(kc, source.context);
  if (!kc.getCurrentContext()) {
    throw new Error(`kubeconfig ${present[0]} has no current-context: pass --context (one of: ${contextNames(kc).join(', ') || 'none'})`);
  }
  return kc;
}

export function contextNames(kc: KubeConfig): string[] {
  return kc.getContexts().map((c) => c.name);
}

function selectContext(kc: KubeConfig, context: string): void {
  if (!kc.getContextObject(context)) {
    throw new Error(`context "${context}" is not in the kubeconfig: use one of ${contextNames(kc).join(', ') || '(none defined)'}`);
  }
  kc.setCurrentContext(context);
}

/** A copy of `kc` pointing at another context, so stores for different contexts never share a mutable config. */
export function kubeConfigForContext(kc: KubeConfig, context: string): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromString(kc.exportConfig());
  selectContext(copy, context);
  return copy;
}

export class KubeClient {
  private readonly http = new IsomorphicFetchHttpLibrary();

  constructor(readonly kubeConfig: KubeConfig) {
    if (!kubeConfig.getCurrentCluster()) {
      throw new Error(`context "${kubeConfig.getCurrentContext()}" names no cluster in the kubeconfig: fix the context or pass another with --context`);
    }
  }

  static fromKubeconfig(source: KubeconfigSource = {}): KubeClient {
    return new KubeClient(loadKubeConfig(source));
  }

  get context(): string {
    return this.kubeConfig.getCurrentContext();
  }

  get server(): string {
    return this.kubeConfig.getCurrentCluster()?.server ?? '(no server)';
  }

  /** The namespace the context names, else "default" (as kubectl does). */
  get defaultNamespace(): string {
    return this.kubeConfig.getContextObject(this.context)?.namespace || 'default';
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(this.server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const ctx = new RequestContext(url.toString(), HttpMethod[method]);
    ctx.setHeaderParam('Accept', 'application/json');
    if (opts.body !== undefined) {
      ctx.setHeaderParam('Content-Type', opts.contentType ?? 'application/json');
      ctx.setBody(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
    }
    // Our own timer, cleared when the answer is in: a pending AbortSignal.timeout() would keep
    // a short-lived CLI process alive for its whole duration.
    const ctrl = new AbortController();
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const timer = setTimeout(() => ctrl.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    const onAbort = (): void => ctrl.abort(opts.signal?.reason);
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    ctx.setSignal(ctrl.signal);
    let status: number;
    let text: string;
    try {
      await this.kubeConfig.applySecurityAuthentication(ctx);
    } catch (e) {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      throw e;
    }
    try {
      const resp = await this.http.send(ctx).toPromise();
      status = resp.httpStatusCode;
      text = await resp.body.text();
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      throw new KubeUnreachableError(this.server, e);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    const what = `${method} ${url.pathname}`;
    if (status < 200 || status >= 300) {
      let body: KubeStatus | undefined;
      try {
        body = JSON.parse(text) as KubeStatus;
      } catch {
        body = undefined;
      }
      throw new KubeApiError(status, body, text.trim().slice(0, 300), what);
    }
    if (!text) return undefined as T;
    return JSON.parse(text) as T;
  }

  /**
   * Opens a watch stream. `onEvent` gets each event; `onDone` gets called once when the
   * stream ends (null: closed normally, e.g. the server's timeoutSeconds) or fails.
   */
  async watch(
    path: string,
    query: Query,
    onEvent: (type: WatchEventType, object: KubeObject | KubeStatus) => void,
    onDone: (err: unknown) => void,
  ): Promise<WatchHandle> {
    const w = new Watch(this.kubeConfig);
    let stopped = false;
    const controller = await w.watch(
      path,
      query,
      (type: string, obj: KubeObject | KubeStatus) => {
        if (!stopped) onEvent(type as WatchEventType, obj);
      },
      (err: unknown) => {
        if (stopped) return;
        stopped = true;
        onDone(toWatchError(err, this.server, path));
      },
    );
    return {
      stop: () => {
        stopped = true;
        controller.abort();
      },
    };
  }
}

function toWatchError(err: unknown, server: string, path: string): unknown {
  if (!err) return null;
  const e = err as { statusCode?: number; message?: string; name?: string };
  if (typeof e.statusCode === 'number') {
    return new KubeApiError(e.statusCode, undefined, e.message ?? '', `WATCH ${path}`);
  }
  // The inactivity timer of the client's Watch fires as a TimeoutError: the stream went quiet,
  // which is no failure of the server (we simply watch again from the last resourceVersion).
  if (e.name === 'TimeoutError') return null;
  return new KubeUnreachableError(server, err);
}

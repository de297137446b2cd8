// The one live store the four trees read: built from the chosen kubeconfig/context, replaced
// when the settings or the lab change, its connection mirrored into the `ovnlab.connection`
// context key (welcome views) and the status bar. The store reconnects by itself after an
// outage; the session only relays what it reports.
import * as vscode from 'vscode';
import { ClusterStore, type StoreChange } from '../k8s/cluster-store';
import { KubeClient, loadKubeConfig } from '../k8s/kube-client';
import type { ResourceKey } from '../k8s/resource-catalogue';
import type { ResourceStatus } from '../k8s/resource-reflector';
import { chooseCluster, sidebarConnection, type ClusterChoice, type SidebarConnection } from './connection-choice';
import type { OvnlabSettings } from './settings';
import type { ConnectionStatus } from './status-text';

export const CONNECTION_CONTEXT_KEY = 'ovnlab.connection';

export interface SessionState {
  connection: SidebarConnection;
  /** context name, when one is chosen */
  target?: string;
  /** why there is no store, or the last connection error */
  detail?: string;
  choice?: ClusterChoice;
}

export class ClusterSession implements vscode.Disposable {
  private store: ClusterStore | undefined;
  private offStore: (() => void)[] = [];
  private current: SessionState = { connection: 'none' };
  private generation = 0;
  private readonly stateEmitter = new vscode.EventEmitter<SessionState>();
  private readonly changeEmitter = new vscode.EventEmitter<StoreChange>();
  private readonly statusEmitter = new vscode.EventEmitter<{ resource: ResourceKey; status: ResourceStatus }>();
  /** connection changes and store swaps */
  readonly onDidChangeState = this.stateEmitter.event;
  /** every object change of the current store */
  readonly onDidChangeObject = this.changeEmitter.event;
  /** a resource's sync state changed (e.g. 403 → "no access to …") */
  readonly onDidChangeResourceStatus = this.statusEmitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    void this.setContextKey();
  }

  get state(): SessionState {
    return this.current;
  }

  /** The live store while one is connected or connecting; undefined otherwise. */
  get liveStore(): ClusterStore | undefined {
    return this.store;
  }

  /** The store, or an error the user can act on (for commands). */
  requireStore(): ClusterStore {
    if (!this.store) throw new Error(this.current.detail ?? 'no cluster is connected: start a lab or pick a kubeconfig context');
    return this.store;
  }

  statusBarStatus(): ConnectionStatus {
    const s = this.current;
    const health = s.connection === 'ok' ? 'connected' : s.connection === 'none' && s.target ? 'unknown' : s.connection;
    const problems = this.store?.problems().filter((p) => p.status.state !== 'not-served' && p.status.state !== 'starting') ?? [];
    let detail = s.detail;
    if (s.connection === 'ok') {
      detail = `${this.store?.server ?? ''}${s.choice ? ` (kubeconfig from ${s.choice.source})` : ''}`;
      if (problems.length) detail += `\n${problems.length} resource(s) not readable: ${problems.map((p) => p.status.message ?? p.resource).join('; ')}`;
    }
    return { target: s.target, health: s.connection === 'ok' && problems.length && problems.every((p) => p.status.state === 'forbidden') ? 'forbidden' : health, detail };
  }

  /**
   * (Re)connects for these settings. The old store is stopped first so trees never mix two
   * clusters; a failure to load the kubeconfig leaves the session at 'none' with the reason.
   */
  async connect(settings: OvnlabSettings, labKubeconfig: string | undefined): Promise<void> {
    const gen = ++this.generation;
    await this.closeStore();
    if (gen !== this.generation) return;
    const choice = chooseCluster(settings, labKubeconfig);
    if (!choice) {
      this.setState({ connection: 'none', detail: 'no kubeconfig: set ovnlab.kubeconfig, or start the local lab' });
      return;
    }
    let client: KubeClient;
    try {
      client = new KubeClient(loadKubeConfig({ kubeconfig: choice.kubeconfig, context: choice.context || undefined }));
    } catch (e) {
      const msg = (e as Error).message;
      this.log.warn(`sidebar: ${msg}`);
      this.setState({ connection: 'none', target: choice.context || undefined, detail: msg, choice });
      return;
    }
    const ns = settings.namespaceFilter.length === 1 ? settings.namespaceFilter[0] : undefined;
    const store = new ClusterStore(client, { namespace: ns });
    this.store = store;
    this.offStore = [
      store.onChange((c) => this.changeEmitter.fire(c)),
      store.onStatus((s) => {
        if (s.status.state === 'forbidden' || s.status.state === 'error' || s.status.state === 'unauthorized') this.log.warn(`sidebar: ${s.status.message ?? s.resource}${s.status.detail ? ` (${s.status.detail})` : ''}`);
        this.statusEmitter.fire(s);
      }),
      store.onConnection((c) => {
        if (this.store !== store) return;
        const connection = sidebarConnection(c);
        if (c.state === 'unreachable') this.log.warn(`sidebar: ${c.message}`);
        else if (c.state === 'connected' && this.current.connection !== 'ok') this.log.info(`sidebar: connected to ${store.server} (context ${store.context})`);
        this.setState({ ...this.current, connection, detail: c.state === 'unreachable' ? c.message : undefined });
      }),
    ];
    this.log.info(`sidebar: following context ${client.context} at ${client.server}${ns ? ` (namespace ${ns})` : ''}, kubeconfig from ${choice.source}`);
    this.setState({ connection: 'connecting', target: client.context, choice });
    store.start();
  }

  private async closeStore(): Promise<void> {
    const old = this.store;
    this.store = undefined;
    for (const off of this.offStore) off();
    this.offStore = [];
    if (old) await old.stop();
  }

  private setState(next: SessionState): void {
    this.current = next;
    void this.setContextKey();
    this.stateEmitter.fire(next);
  }

  private async setContextKey(): Promise<void> {
    await vscode.commands.executeCommand('setContext', CONNECTION_CONTEXT_KEY, this.current.connection);
  }

  async close(): Promise<void> {
    this.generation++;
    await this.closeStore();
    this.setState({ connection: 'none', detail: 'disconnected' });
  }

  dispose(): void {
    void this.closeStore();
    this.stateEmitter.dispose();
    this.changeEmitter.dispose();
    this.statusEmitter.dispose();
  }
}

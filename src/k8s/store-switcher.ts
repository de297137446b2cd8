// Context switching: one store at a time, the old one stopped before the new one starts, so a
// sidebar that follows "the current context" never mixes objects from two clusters.
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterStore, type ClusterStoreOptions } from './cluster-store';
import { KubeClient, contextNames, kubeConfigForContext } from './kube-client';

export class StoreSwitcher {
  private store: ClusterStore | undefined;
  private readonly listeners = new Set<(store: ClusterStore | undefined) => void>();

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly options: ClusterStoreOptions = {},
  ) {}

  get current(): ClusterStore | undefined {
    return this.store;
  }

  contexts(): string[] {
    return contextNames(this.kubeConfig);
  }

  /** Stops the current store (if any) and starts one for `context`. */
  async switchTo(context: string, options: ClusterStoreOptions = this.options): Promise<ClusterStore> {
    const client = new KubeClient(kubeConfigForContext(this.kubeConfig, context));
    await this.close();
    this.store = new ClusterStore(client, options).start();
    for (const fn of this.listeners) fn(this.store);
    return this.store;
  }

  async close(): Promise<void> {
    const old = this.store;
    this.store = undefined;
    if (old) {
      await old.stop();
      for (const fn of this.listeners) fn(undefined);
    }
  }

  onSwitch(fn: (store: ClusterStore | undefined) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

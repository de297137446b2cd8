// Which cluster the sidebar shows, decided from the settings, the local lab and the environment,
// and how the store's connection maps to the `ovnlab.connection` context key the welcome views
// use. Pure, so the precedence is testable.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ConnectionState } from '../k8s/cluster-store';

/** The value of the `ovnlab.connection` context key. */
export type SidebarConnection = 'none' | 'connecting' | 'ok' | 'unreachable';

export interface ClusterChoice {
  kubeconfig: string;
  /** empty: the kubeconfig's current-context */
  context: string;
  /** where the choice came from, for the status bar tooltip and the log */
  source: 'settings' | 'lab' | 'environment';
}

/**
 * Precedence: `ovnlab.kubeconfig` (the user said so) > a running local lab's kubeconfig (the user
 * started it from here) > `$KUBECONFIG` / `~/.kube/config` (what kubectl would use). Undefined:
 * nothing to connect to, the welcome view offers to start a lab or pick a context.
 */
export function chooseCluster(
  settings: { kubeconfig: string; context: string },
  labKubeconfig: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  exists: (p: string) => boolean = existsSync,
): ClusterChoice | undefined {
  if (settings.kubeconfig) return { kubeconfig: settings.kubeconfig, context: settings.context, source: 'settings' };
  if (labKubeconfig && exists(labKubeconfig)) return { kubeconfig: labKubeconfig, context: '', source: 'lab' };
  const list = env.KUBECONFIG ?? join(homedir(), '.kube', 'config');
  if (list.split(delimiter).some((f) => f && exists(f))) return { kubeconfig: list, context: settings.context, source: 'environment' };
  return undefined;
}

export function sidebarConnection(state: ConnectionState): SidebarConnection {
  switch (state.state) {
    case 'connecting':
      return 'connecting';
    case 'connected':
      return 'ok';
    case 'unreachable':
      return 'unreachable';
    case 'stopped':
      return 'none';
  }
}

// What the status bar item says for a connection state; kept apart from the vscode item so the
// wording and the codicon choice are testable without an editor.

export type ClusterHealth = 'none' | 'unknown' | 'connecting' | 'connected' | 'unreachable' | 'forbidden';

export interface ConnectionStatus {
  /** kubeconfig context or lab name; undefined when nothing is chosen */
  target?: string;
  health: ClusterHealth;
  /** the last error or a short summary, shown in the tooltip */
  detail?: string;
}

export interface StatusText {
  text: string;
  tooltip: string;
  /** ThemeColor id for the background, for states that need the user's attention */
  background?: 'statusBarItem.warningBackground' | 'statusBarItem.errorBackground';
}

const ICON: Record<ClusterHealth, string> = {
  none: '$(circle-slash)',
  unknown: '$(server-environment)',
  connecting: '$(sync~spin)',
  connected: '$(server-environment)',
  unreachable: '$(debug-disconnect)',
  forbidden: '$(lock)',
};

const WORDS: Record<ClusterHealth, string> = {
  none: 'no cluster or lab selected',
  unknown: 'not checked yet',
  connecting: 'connecting',
  connected: 'connected',
  unreachable: 'API server unreachable',
  forbidden: 'no access',
};

export function statusText(s: ConnectionStatus): StatusText {
  const name = s.health === 'none' || !s.target ? 'ovnlab' : s.target;
  const lines = [`ovnlab: ${s.target ? `${s.target} — ` : ''}${WORDS[s.health]}`];
  if (s.detail) lines.push(s.detail);
  lines.push('Click to pick a kubeconfig context.');
  const out: StatusText = { text: `${ICON[s.health]} ${name}`, tooltip: lines.join('\n') };
  if (s.health === 'unreachable') out.background = 'statusBarItem.errorBackground';
  if (s.health === 'forbidden') out.background = 'statusBarItem.warningBackground';
  return out;
}

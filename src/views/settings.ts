// The extension's settings as one typed, validated value. Reads through a getter rather than
// vscode.WorkspaceConfiguration so the parsing is testable without an editor; the editor side
// passes `(key) => vscode.workspace.getConfiguration('ovnlab').get(key)`.

export type LabBackendKind = 'local' | 'kind';

export interface ToolPaths {
  kubectl: string;
  kind: string;
  helm: string;
  virtctl: string;
  docker: string;
  /** directory of the OVN/OVS command-line tools and daemons */
  ovnBinDir: string;
  kubeApiserver: string;
  etcd: string;
}

export interface OvnlabSettings {
  /** empty: $KUBECONFIG, then ~/.kube/config */
  kubeconfig: string;
  /** empty: the kubeconfig's current-context */
  context: string;
  /** empty: every namespace */
  namespaceFilter: string[];
  labBackend: LabBackendKind;
  /** empty: detect from the cluster */
  kubeOvnVersion: string;
  /** empty entries: look the tool up on PATH */
  tools: ToolPaths;
}

export type SettingGetter = (key: string) => unknown;

const TOOL_KEYS: (keyof ToolPaths)[] = ['kubectl', 'kind', 'helm', 'virtctl', 'docker', 'ovnBinDir', 'kubeApiserver', 'etcd'];
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const VERSION = /^v?\d+\.\d+(\.\d+)?$/;

export interface SettingsResult {
  settings: OvnlabSettings;
  /** one line per ignored value, saying what was wrong and what was used instead */
  problems: string[];
}

/**
 * Parses the `ovnlab.*` settings (keys without the `ovnlab.` prefix). A bad value never throws:
 * it falls back to the default and says so in `problems`, because settings are hand-edited JSON
 * and one typo must not stop the whole extension.
 */
export function parseSettings(get: SettingGetter): SettingsResult {
  const problems: string[] = [];
  const str = (key: string): string => {
    const v = get(key);
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') {
      problems.push(`ovnlab.${key} must be a string, not ${JSON.stringify(v)}: ignored`);
      return '';
    }
    return v.trim();
  };

  let labBackend: LabBackendKind = 'local';
  const backend = str('lab.backend');
  if (backend === 'kind' || backend === 'local') labBackend = backend;
  else if (backend !== '') problems.push(`ovnlab.lab.backend is "${backend}": use "local" or "kind"; using "local"`);

  const namespaceFilter: string[] = [];
  const ns = get('namespaceFilter');
  if (Array.isArray(ns)) {
    for (const n of ns) {
      if (typeof n === 'string' && NAMESPACE.test(n)) {
        if (!namespaceFilter.includes(n)) namespaceFilter.push(n);
      } else {
        problems.push(`ovnlab.namespaceFilter entry ${JSON.stringify(n)} is not a namespace name (lower-case letters, digits, -): ignored`);
      }
    }
  } else if (ns !== undefined && ns !== null) {
    problems.push('ovnlab.namespaceFilter must be a list of namespace names: ignored, showing every namespace');
  }

  let kubeOvnVersion = str('kubeOvnVersion');
  if (kubeOvnVersion !== '' && !VERSION.test(kubeOvnVersion)) {
    problems.push(`ovnlab.kubeOvnVersion "${kubeOvnVersion}" is not a version such as v1.14.4: detecting it from the cluster instead`);
    kubeOvnVersion = '';
  }

  const tools = Object.fromEntries(TOOL_KEYS.map((k) => [k, str(`tools.${k}`)])) as unknown as ToolPaths;

  return {
    settings: { kubeconfig: str('kubeconfig'), context: str('context'), namespaceFilter, labBackend, kubeOvnVersion, tools },
    problems,
  };
}

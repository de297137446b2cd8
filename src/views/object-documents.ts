// Read-only documents under the `ovnlab:` scheme: the YAML of a live object (re-rendered when the
// store changes it) and text reports (traces, flow dumps). The editor opens them read-only
// because only this provider can produce their content.
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import type { ClusterSession } from './cluster-session';
import type { ObjectRef } from './tree-node';
import { RESOURCES, type ResourceKey } from '../k8s/resource-catalogue';

export const OVNLAB_SCHEME = 'ovnlab';

export function objectUri(ref: ObjectRef): vscode.Uri {
  const path = `/${ref.resource}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}.yaml`;
  return vscode.Uri.from({ scheme: OVNLAB_SCHEME, path });
}

function refOfUri(uri: vscode.Uri): ObjectRef | undefined {
  const parts = uri.path.replace(/^\//, '').replace(/\.yaml$/, '').split('/');
  const resource = parts[0] as ResourceKey;
  if (!(resource in RESOURCES)) return undefined;
  if (parts.length === 3) return { resource, namespace: parts[1], name: parts[2] };
  if (parts.length === 2) return { resource, name: parts[1] };
  return undefined;
}

export class ObjectDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly reports = new Map<string, string>();
  private readonly open = new Set<string>();
  private readonly off: vscode.Disposable[];
  private reportSeq = 0;

  constructor(private readonly session: ClusterSession) {
    this.off = [
      session.onDidChangeObject((c) => {
        const uri = objectUri({ resource: c.resource, namespace: c.object.metadata.namespace, name: c.object.metadata.name });
        if (this.open.has(uri.toString())) this.emitter.fire(uri);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.open.delete(d.uri.toString());
        if (d.uri.scheme === OVNLAB_SCHEME && d.uri.path.startsWith('/reports/')) this.reports.delete(d.uri.toString());
      }),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    if (uri.path.startsWith('/reports/')) return this.reports.get(uri.toString()) ?? '(this report is no longer kept: run the command again)';
    this.open.add(uri.toString());
    const ref = refOfUri(uri);
    if (!ref) return `# ${uri.path} names no object ovnlab knows`;
    const store = this.session.liveStore;
    const obj = store?.get(ref.resource, ref.namespace, ref.name);
    const what = `${RESOURCES[ref.resource].kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
    if (!obj) return `# ${what} does not exist in ${store ? `context ${store.context}` : 'any connected cluster'} (deleted, or not visible with your access)\n`;
    const copy = structuredClone(obj) as { metadata: { managedFields?: unknown } };
    delete copy.metadata.managedFields;
    const def = RESOURCES[ref.resource];
    const body = { apiVersion: def.group ? `${def.group}/${def.version}` : def.version, kind: def.kind, ...copy };
    return `# ${what} from context ${store?.context} (live, read-only; managedFields omitted)\n${stringify(body, { lineWidth: 0 })}`;
  }

  /** Opens a read-only text report (a trace, a flow dump). */
  async showReport(title: string, text: string, language = 'plaintext'): Promise<void> {
    const safe = title.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80);
    const uri = vscode.Uri.from({ scheme: OVNLAB_SCHEME, path: `/reports/${++this.reportSeq}/${safe}.txt` });
    this.reports.set(uri.toString(), text);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, language);
    await vscode.window.showTextDocument(doc, { preview: false });
  }

  dispose(): void {
    for (const o of this.off) o.dispose();
    this.emitter.dispose();
  }
}

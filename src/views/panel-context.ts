// What the Flows and Trace panels need from the rest of the extension: the OvnTarget (the local
// lab when it runs, else the connected cluster through pod exec), the Kubernetes objects that own
// NB rows (for NAT owners), and opening a link (a Kubernetes object's YAML, an NB row).
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import { ClusterOvnTarget } from '../k8s/cluster-ovn-target';
import { RESOURCES, type ResourceKey } from '../k8s/resource-catalogue';
import { ObjectStore } from '../lab/local/controller/object-store';
import { localLabTarget } from '../lab/local/lab-target';
import type { AnnotatedObject } from '../ovn/k8s-owner';
import type { OvnTarget } from '../ovn/ovn-target';
import type { ClusterSession } from './cluster-session';
import { objectUri, type ObjectDocuments } from './object-documents';
import type { PanelLink } from './panel-messages';

export interface PanelContext {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  session: ClusterSession;
  documents: ObjectDocuments;
  labDir: () => string;
}

export async function panelTarget(ctx: PanelContext): Promise<OvnTarget> {
  const lab = await localLabTarget(ctx.labDir());
  if (lab) return lab;
  const store = ctx.session.liveStore;
  if (store) return new ClusterOvnTarget(store.client);
  throw new Error('no local lab is running and no cluster is connected: start the lab (ovnlab: Start Local Lab) or pick a context');
}

const KIND_TO_RESOURCE: Record<string, ResourceKey> = Object.fromEntries(
  (Object.keys(RESOURCES) as ResourceKey[]).map((k) => [RESOURCES[k].kind, k]),
);

/** The objects that can own NAT rows: the lab's applied objects, else the live cluster's VMs and pods. */
export async function ownerObjects(ctx: PanelContext): Promise<AnnotatedObject[]> {
  const store = ctx.session.liveStore;
  if (store) {
    return [...store.list('virtualmachines'), ...store.list('pods')] as unknown as AnnotatedObject[];
  }
  try {
    return (await ObjectStore.open(ctx.labDir())).list() as AnnotatedObject[];
  } catch (e) {
    ctx.log.warn(`lab objects unreadable: ${(e as Error).message}`);
    return [];
  }
}

/** Opens a link of a panel: the object's live YAML, or the lab's copy of it, or an NB row. */
export async function openPanelLink(ctx: PanelContext, link: PanelLink, target?: OvnTarget): Promise<void> {
  if (link.kind === 'nb') {
    if (!target) return;
    const rows = await target.listRows('nb', link.table);
    const row = rows.find((r) => r._uuid === link.uuid);
    const text = row ? `# NB ${link.table} ${link.uuid} (${target.describe()})\n${stringify(row, { lineWidth: 0 })}` : `# NB ${link.table} ${link.uuid} no longer exists`;
    await ctx.documents.showReport(`nb-${link.table}-${link.uuid.slice(0, 8)}`, text, 'yaml');
    return;
  }
  const store = ctx.session.liveStore;
  for (const kind of link.kinds) {
    const resource = KIND_TO_RESOURCE[kind];
    if (store && resource && store.get(resource, link.namespace, link.name)) {
      const doc = await vscode.workspace.openTextDocument(objectUri({ resource, namespace: link.namespace, name: link.name }));
      await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      await vscode.window.showTextDocument(doc, { preview: true });
      return;
    }
  }
  try {
    const lab = await ObjectStore.open(ctx.labDir());
    for (const kind of link.kinds) {
      const o = lab.get(kind, link.name, link.namespace);
      if (o) {
        await ctx.documents.showReport(`${kind}-${link.namespace ?? ''}-${link.name}`, `# ${kind} ${link.namespace ? `${link.namespace}/` : ''}${link.name} as applied to the local lab (read-only)\n${stringify(o, { lineWidth: 0 })}`, 'yaml');
        return;
      }
    }
  } catch (e) {
    ctx.log.warn(`lab objects unreadable: ${(e as Error).message}`);
  }
  void vscode.window.showWarningMessage(`ovnlab: ${link.kinds.join('/')} ${link.namespace ? `${link.namespace}/` : ''}${link.name} is not in the connected cluster or the local lab.`);
}

// The editor side of the VM YAML layer: code lenses, diagnostics, quick fixes and the lens
// commands (pin IP, unpin, choose subnet, enable live migration, apply to cluster). All analysis
// and every edit come from src/yaml; this file only maps them to the editor API. Each edit is
// one WorkspaceEdit, so one undo restores the file.
import * as vscode from 'vscode';
import {
  analyzeVmDocuments, completionsAt, EditError, enableMigrationEdits, hoverAt, pinIpEdits, setSubnetEdits, unpinIpEdits, vmObject, VmAnalysisCache, VM_COMMANDS,
  type AnalysisContext, type LensArgs, type TextEdit, type VmAnalysis, type VmDiagnostic,
} from '../yaml/index';
import { clusterFactsFromSnapshot } from '../k8s/cluster-facts';
import { planApply, formatChanges } from '../k8s/server-side-apply';
import type { ClusterSession } from './cluster-session';
import { CrdSchemaRegistration } from './yaml-schemas';

export interface VmYamlDeps {
  session: ClusterSession;
  log: vscode.LogOutputChannel;
  /** the ovnlab.kubeOvnVersion setting ('' = from the cluster) */
  kubeOvnVersion(): string;
  /** where deploy/crds is found, for the CRD schemas handed to the YAML extension */
  extensionPath?: string;
}

const SELECTOR: vscode.DocumentSelector = [{ language: 'yaml' }, { pattern: '**/*.{yaml,yml}' }];
const SEVERITY: Record<string, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** Cheap test before analysing: only documents that mention a VirtualMachine. */
function mayHoldVms(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme !== 'output' && /kind:\s*["']?VirtualMachine\b/.test(doc.getText());
}

export class VmYamlEditor implements vscode.CodeLensProvider, vscode.CodeActionProvider, vscode.CompletionItemProvider, vscode.HoverProvider, vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('ovnlab');
  private readonly lensChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensChanged.event;
  private readonly cache = new Map<string, { version: number; analysis: VmAnalysis }>();
  /** per open file: its documents' results, so a keystroke re-reads only the document it changed */
  private readonly docCaches = new Map<string, VmAnalysisCache>();
  /** the context the caches are bound to; rebuilt when the cluster's objects or the setting change */
  private ctxMemo: { setting: string; ctx: AnalysisContext } | undefined;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: VmYamlDeps) {
    this.disposables.push(
      this.diagnostics, this.lensChanged,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, 150)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.diagnostics.delete(d.uri);
        this.cache.delete(d.uri.toString());
        this.docCaches.delete(d.uri.toString());
      }),
      deps.session.onDidChangeObject(() => { this.ctxMemo = undefined; }),
      // cluster facts changed (connected, subnets, IPs in use): re-check what is open
      deps.session.onDidChangeState(() => this.recheckAll()),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }

  context(): AnalysisContext {
    const setting = this.deps.kubeOvnVersion();
    if (this.ctxMemo?.setting === setting) return this.ctxMemo.ctx;
    const ctx = this.buildContext(setting || undefined);
    this.ctxMemo = { setting, ctx };
    return ctx;
  }

  private buildContext(setting: string | undefined): AnalysisContext {
    const store = this.deps.session.liveStore;
    if (!store || this.deps.session.state.connection !== 'ok') return { kubeOvnVersion: setting };
    return { cluster: clusterFactsFromSnapshot(store.snapshot(), { source: store.context || 'cluster', kubeOvnVersion: setting }), kubeOvnVersion: setting };
  }

  analysis(doc: vscode.TextDocument): VmAnalysis | undefined {
    if (!mayHoldVms(doc)) return undefined;
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.analysis;
    let docCache = this.docCaches.get(key);
    if (!docCache) this.docCaches.set(key, (docCache = new VmAnalysisCache()));
    const analysis = analyzeVmDocuments(doc.getText(), this.context(), { cache: docCache });
    this.cache.set(key, { version: doc.version, analysis });
    return analysis;
  }

  private recheckAll(): void {
    this.cache.clear();
    this.ctxMemo = undefined;
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
    this.lensChanged.fire();
  }

  private schedule(doc: vscode.TextDocument, delayMs: number): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      const a = this.analysis(doc);
      if (!a) return void this.diagnostics.delete(doc.uri);
      this.diagnostics.set(doc.uri, a.diagnostics.map((d) => toDiagnostic(d)));
    }, delayMs));
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const a = this.analysis(doc);
    if (!a) return [];
    return a.lenses.map((l) => {
      const range = new vscode.Range(l.range.startPos.line, 0, l.range.startPos.line, 0);
      return new vscode.CodeLens(range, l.command
        ? { title: l.title, command: l.command, arguments: [doc.uri, ...l.args], tooltip: l.writes }
        : { title: l.title, command: '', tooltip: l.writes });
    });
  }

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection): vscode.CodeAction[] {
    const a = this.analysis(doc);
    if (!a) return [];
    const out: vscode.CodeAction[] = [];
    for (const d of a.diagnostics) {
      const dr = new vscode.Range(d.range.startPos.line, d.range.startPos.character, d.range.endPos.line, d.range.endPos.character);
      if (!dr.intersection(range) && !dr.contains(range)) continue;
      for (const f of d.fixes) {
        // a fix's edits may be built only now (LazyFix), and come out empty if it cannot be made
        const edits = f.edits;
        if (edits && edits.length === 0 && !f.command) continue;
        const action = new vscode.CodeAction(f.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [toDiagnostic(d)];
        action.isPreferred = f.preferred;
        if (edits) action.edit = workspaceEdit(doc, edits);
        if (f.command) action.command = { title: f.title, command: f.command.id, arguments: [doc.uri, ...f.command.args] };
        out.push(action);
      }
    }
    return out;
  }

  /**
   * Annotation keys on a VM's template annotations, and values for them: subnets (with CIDR and
   * VPC) and the next free IP from the connected cluster or lab; offline, one entry says why
   * there are none.
   */
  provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    const a = this.analysis(doc);
    if (!a) return [];
    const text = doc.getText();
    const ctx = this.context();
    const c = completionsAt(text, doc.offsetAt(position), a, ctx);
    if (!c) return [];
    const range = new vscode.Range(doc.positionAt(c.range.start), doc.positionAt(c.range.end));
    if (c.kind === 'key') {
      return c.items.map((k) => {
        const item = new vscode.CompletionItem(k.key, vscode.CompletionItemKind.Property);
        item.detail = k.detail;
        item.documentation = new vscode.MarkdownString(k.documentation);
        item.insertText = `${k.key}: `;
        item.range = range;
        // the value list follows at once
        item.command = { title: 'values', command: 'editor.action.triggerSuggest' };
        return item;
      });
    }
    const items = c.items.map((v) => {
      const item = new vscode.CompletionItem(v.value, vscode.CompletionItemKind.Value);
      item.detail = v.detail;
      item.range = range;
      if (ctx.cluster) item.documentation = `from ${ctx.cluster.source}`;
      return item;
    });
    if (c.note) {
      const item = new vscode.CompletionItem({ label: '(no values)', description: c.note }, vscode.CompletionItemKind.Text);
      item.detail = c.note;
      item.insertText = '';
      item.range = range;
      items.push(item);
    }
    return items;
  }

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const a = this.analysis(doc);
    if (!a) return undefined;
    const h = hoverAt(doc.offsetAt(position), a.vms, this.context());
    if (!h) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(h.markdown), new vscode.Range(doc.positionAt(h.range.start), doc.positionAt(h.range.end)));
  }

  /** Registers the provider and the lens commands. */
  register(): vscode.Disposable[] {
    return [
      this,
      vscode.languages.registerCodeLensProvider(SELECTOR, this),
      vscode.languages.registerCompletionItemProvider(SELECTOR, this, ' ', '/', '.'),
      vscode.languages.registerHoverProvider(SELECTOR, this),
      ...(this.deps.extensionPath ? new CrdSchemaRegistration({ extensionPath: this.deps.extensionPath, log: this.deps.log }).start() : []),
      vscode.languages.registerCodeActionsProvider(SELECTOR, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.commands.registerCommand(VM_COMMANDS.pinIp, (uri: vscode.Uri, args: LensArgs, ip?: string) => this.pinIp(uri, args, ip)),
      vscode.commands.registerCommand(VM_COMMANDS.unpinIp, (uri: vscode.Uri, args: LensArgs) =>
        this.edit(uri, (text) => unpinIpEdits(text, args.vm, args.attachment).edits)),
      vscode.commands.registerCommand(VM_COMMANDS.chooseSubnet, (uri: vscode.Uri, args: LensArgs, subnet?: string) => this.chooseSubnet(uri, args, subnet)),
      vscode.commands.registerCommand(VM_COMMANDS.enableMigration, (uri: vscode.Uri, args: LensArgs) =>
        this.edit(uri, (text) => enableMigrationEdits(text, args.vm, { kubeOvnVersion: args.kubeOvnVersion }).edits)),
      vscode.commands.registerCommand(VM_COMMANDS.applyToCluster, (uri: vscode.Uri, args: LensArgs) => this.applyToCluster(uri, args)),
    ];
  }

  /** Applies src/yaml edits to the document as one WorkspaceEdit; an EditError is shown, not thrown. */
  async edit(uri: vscode.Uri, build: (text: string) => TextEdit[]): Promise<boolean> {
    const doc = await vscode.workspace.openTextDocument(uri);
    let edits: TextEdit[];
    try {
      edits = build(doc.getText());
    } catch (e) {
      if (e instanceof EditError) {
        void vscode.window.showErrorMessage(`ovnlab: ${e.message}`);
        return false;
      }
      throw e;
    }
    return vscode.workspace.applyEdit(workspaceEdit(doc, edits));
  }

  private async pinIp(uri: vscode.Uri, args: LensArgs, given?: string): Promise<boolean> {
    let ip = given;
    if (ip === undefined) {
      const items: vscode.QuickPickItem[] = [];
      if (args.suggestedIp) items.push({ label: args.suggestedIp, description: `next free IP in ${args.subnet ?? args.defaultSubnet ?? 'the subnet'}` });
      items.push({ label: 'Type an IP…', description: 'validated against the subnet' });
      const pick = await vscode.window.showQuickPick(items, { title: `Pin the IP of ${args.vm.name}` });
      if (!pick) return false;
      ip = pick.label === 'Type an IP…'
        ? await vscode.window.showInputBox({ title: `IP for ${args.vm.name}`, value: args.currentIp ?? args.suggestedIp, validateInput: (v) => (/^[0-9a-fA-F.:,]+$/.test(v) ? undefined : 'an IPv4 or IPv6 address, e.g. 10.16.0.15') })
        : pick.label;
      if (!ip) return false;
    }
    const subnet = args.subnet && args.subnet !== args.defaultSubnet ? args.subnet : undefined;
    const ok = await this.edit(uri, (text) => pinIpEdits(text, args.vm, { ip: ip!, subnet, attachment: args.attachment }).edits);
    if (ok) {
      // the diagnostics say at once whether the typed IP fits the subnet
      const doc = await vscode.workspace.openTextDocument(uri);
      this.schedule(doc, 0);
    }
    return ok;
  }

  private async chooseSubnet(uri: vscode.Uri, args: LensArgs, given?: string): Promise<boolean> {
    let subnet = given;
    if (subnet === undefined) {
      const facts = this.context().cluster;
      if (!facts) {
        void vscode.window.showWarningMessage('ovnlab: no cluster is connected, so there are no subnets to choose from: start the lab or pick a kubeconfig context.');
        return false;
      }
      const pick = await vscode.window.showQuickPick(
        facts.subnets.map((s) => ({ label: s.name, description: `${s.cidrBlock}${s.vpc ? ` · VPC ${s.vpc}` : ''}` })),
        { title: `Subnet for ${args.vm.name}` },
      );
      subnet = pick?.label;
      if (!subnet) return false;
    }
    return this.edit(uri, (text) => setSubnetEdits(text, args.vm, subnet === args.defaultSubnet ? null : subnet!, args.attachment).edits);
  }

  private async applyToCluster(uri: vscode.Uri, args: LensArgs): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(uri);
    const store = this.deps.session.liveStore;
    if (!store) return void vscode.window.showErrorMessage('ovnlab: no cluster is connected: start the lab or pick a kubeconfig context.');
    try {
      const obj = vmObject(doc.getText(), args.vm);
      const plan = await planApply(store.client, 'virtualmachines', obj as Parameters<typeof planApply<'virtualmachines'>>[2]);
      const what = plan.current ? `changes:\n${formatChanges(plan.changes) || '(none)'}` : 'creates it';
      const go = await vscode.window.showInformationMessage(`Apply ${plan.ref} (server-side, field manager ovnlab)? The dry run ${plan.current ? 'shows these' : 'says this'} ${what}`, { modal: true }, 'Apply');
      if (go !== 'Apply') return;
      await plan.commit();
      void vscode.window.showInformationMessage(`ovnlab: applied ${plan.ref}`);
    } catch (e) {
      this.deps.log.error(`apply ${args.vm.name}: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`ovnlab: ${(e as Error).message}`);
    }
  }
}

function toDiagnostic(d: VmDiagnostic): vscode.Diagnostic {
  const r = new vscode.Range(d.range.startPos.line, d.range.startPos.character, d.range.endPos.line, d.range.endPos.character);
  const diag = new vscode.Diagnostic(r, d.message, SEVERITY[d.severity] ?? vscode.DiagnosticSeverity.Warning);
  diag.source = 'ovnlab';
  diag.code = d.code;
  return diag;
}

function workspaceEdit(doc: vscode.TextDocument, edits: readonly TextEdit[]): vscode.WorkspaceEdit {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.newText);
  return we;
}

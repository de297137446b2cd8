/// <reference types="mocha" />
// VM YAML in the real editor, against the real API server of the sidebar's extension-host run
// (OVNLAB_E2E_SIDEBAR_KUBECONFIG; Subnet ovn-default 10.16.0.0/16 with 10.16.0.10 in use):
// the lenses render, the IP-outside-the-CIDR diagnostic shows and its quick fix clears it, undo
// restores the file, Pin IP writes the annotation on disk, completions and hovers offer
// annotation keys and the cluster's subnets, and the CRD schemas reach the YAML extension's
// registerContributor (a stand-in extension the node side installs).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { OvnlabApi } from '../../../src/extension/activate';
import { until } from './wait';

const kubeconfig = process.env.OVNLAB_E2E_SIDEBAR_KUBECONFIG;

const YAML = `# two VMs; comments and layout must survive every edit
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: wrong-ip
  namespace: demo
spec:
  runStrategy: Always
  template:
    metadata:
      annotations:
        ovn.kubernetes.io/ip_address: 10.99.0.5   # not in ovn-default
    spec:
      domain:
        devices: {}
---
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: to-pin
  namespace: demo
spec:
  runStrategy: Always
  template:
    metadata: {}
    spec:
      domain:
        devices: {}
`;

describe('VM YAML lenses, diagnostics and quick fixes (extension host, real API server)', function () {
  let file = '';
  let uri: vscode.Uri;

  before(async function () {
    if (!kubeconfig) return this.skip();
    const api = await vscode.extensions.getExtension<OvnlabApi>('ovnlab.ovnlab')!.activate();
    await until(() => (api.session.state.connection === 'ok' ? true : undefined), 30_000, 'the cluster connection');
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    file = join(folder, 'vms.yaml');
    writeFileSync(file, YAML);
    uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  });

  it('the lenses render over each VM and say what they write', async () => {
    const lenses = await until(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return l && l.length > 0 ? l : undefined;
    }, 10_000, 'code lenses');
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => /^Pinned 10\.99\.0\.5/.test(t)), titles.join(' | '));
    assert.ok(titles.some((t) => /^Pin IP/.test(t)), titles.join(' | '));
    assert.ok(titles.some((t) => /live migration/i.test(t)), titles.join(' | '));
  });

  it('an IP outside the subnet is an error; its quick fix clears it; undo restores the file', async () => {
    const diag = await until(() => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'ip-outside-cidr'), 10_000, 'the ip-outside-cidr diagnostic');
    assert.equal(diag.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diag.message, /10\.99\.0\.5 is outside/);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diag.range);
    const fix = actions.find((a) => /^Use the next free IP 10\.16\./.test(a.title) && a.edit);
    assert.ok(fix, `a quick fix for the diagnostic: ${actions.map((a) => a.title).join(' | ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit!));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.doesNotMatch(doc.getText(), /10\.99\.0\.5/);
    assert.match(doc.getText(), /# not in ovn-default/, 'the comment survives');
    await until(() => (vscode.languages.getDiagnostics(uri).some((d) => d.code === 'ip-outside-cidr') ? undefined : true), 10_000, 'the diagnostic to clear');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), YAML, 'one undo restores the file byte for byte');
  });

  it('Pin IP with the suggested IP writes the annotation on the template, on disk', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    const pin = lenses.find((l) => /^Pin IP/.test(l.command?.title ?? ''));
    assert.ok(pin?.command);
    const [lensUri, args] = pin.command.arguments as [vscode.Uri, { suggestedIp?: string; vm: { name: string } }];
    assert.equal(args.vm.name, 'to-pin');
    assert.ok(args.suggestedIp, 'a next free IP is suggested from the cluster');
    assert.notEqual(args.suggestedIp, '10.16.0.10', 'the IP already in use is not suggested');
    assert.ok(await vscode.commands.executeCommand(pin.command.command, lensUri, args, args.suggestedIp));
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.ok(await doc.save());
    const onDisk = readFileSync(file, 'utf8');
    assert.match(onDisk, new RegExp(`ovn\\.kubernetes\\.io/ip_address: "?${args.suggestedIp!.replace(/\./g, '\\.')}"?`));
    assert.equal(onDisk.split('\n')[0], YAML.split('\n')[0], 'the rest of the file is untouched');
  });
  it('completes annotation keys and subnet values from the cluster, and hovers explain keys and subnets', async () => {
    const text = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: helped
  namespace: demo
spec:
  runStrategy: Always
  template:
    metadata:
      annotations:
        ovn.kubernetes.io/logical_switch: ovn-default
        ovn.kub
    spec:
      domain:
        devices: {}
`;
    const helpFile = join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'help.yaml');
    writeFileSync(helpFile, text);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(helpFile));
    await vscode.window.showTextDocument(doc);
    const pos = (marker: string, back = 0) => doc.positionAt(text.indexOf(marker) + marker.length - back);
    // ours only: the editor adds word-based suggestions (kind Text) from the document's own words
    const labels = (list: vscode.CompletionList) => list.items.filter((i) => i.kind !== vscode.CompletionItemKind.Text)
      .map((i) => (typeof i.label === 'string' ? i.label : i.label.label));

    const keys = await until(async () => {
      // the end of the half-typed key on its own line (not the same prefix of the line above)
      const l = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos('        ovn.kub\n', 1));
      return l && labels(l).includes('ovn.kubernetes.io/ip_address') ? l : undefined;
    }, 10_000, 'annotation key completions');
    assert.ok(labels(keys).includes('ovn.kubernetes.io/mac_address'), labels(keys).join(' | '));
    assert.ok(!labels(keys).includes('ovn.kubernetes.io/logical_switch'), `a key the block already has is not offered again: ${keys.items.map((i) => `${typeof i.label === 'string' ? i.label : i.label.label} (${i.kind}, ${i.detail})`).join(' | ')}`);

    const values = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, pos('logical_switch: '));
    const subnet = values.items.find((i) => i.label === 'ovn-default');
    assert.ok(subnet, `the cluster's subnet is offered: ${labels(values).join(' | ')}`);
    assert.match(String(subnet.detail), /10\.16\.0\.0\/16 · VPC ovn-cluster/);

    const keyHover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos('        ovn.kubernetes.io/logical_'));
    const md = (hs: vscode.Hover[]) => hs.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(md(keyHover), /Subnet \(logical switch\) to take the address from/);
    const valueHover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos('logical_switch: ovn-def'));
    assert.match(md(valueHover), /Subnet \*\*ovn-default\*\*[\s\S]*CIDR: 10\.16\.0\.0\/16[\s\S]*VPC: ovn-cluster/);
  });
  it('hands the CRD schemas to the YAML extension through registerContributor (a stand-in with its API)', async function () {
    interface Contributor { schema: string; requestSchema: (r: string) => string | undefined; requestSchemaContent: (u: string) => string | Promise<string> }
    const ext = vscode.extensions.getExtension<{ contributors: Contributor[] }>('redhat.vscode-yaml');
    // the real extension is not installable here; extension-host-sidebar.test.ts loads a stand-in
    if (!ext) return this.skip();
    const yaml = await ext.activate();
    const ours = await until(() => yaml.contributors.find((c) => c.schema === 'ovnlab'), 10_000, 'ovnlab to register its schemas');
    const uri = ours.requestSchema(vscode.Uri.file(file).toString());
    assert.equal(uri, 'ovnlab://schemas/kubevirt.io/v1/VirtualMachine.json', 'an open VM file gets the VirtualMachine schema');
    const schema = JSON.parse(await ours.requestSchemaContent(uri!)) as { properties: Record<string, { enum?: string[]; properties?: Record<string, { enum?: string[] }> }> };
    assert.deepEqual(schema.properties.kind.enum, ['VirtualMachine']);
    assert.ok(schema.properties.spec.properties!.runStrategy.enum!.includes('Always'));
  });
});

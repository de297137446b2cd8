/// <reference types="mocha" />
// Runs inside the editor's extension host against the real API server fixture (started by
// test/e2e/extension-host-sidebar.test.ts, which passes its kubeconfig in
// OVNLAB_E2E_SIDEBAR_KUBECONFIG). Without it (the shell's own extension-host run) it is skipped.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { OvnlabApi } from '../../../src/extension/activate';
import { KubeClient, loadKubeConfig } from '../../../src/k8s/kube-client';
import { createObject, deleteObject, getObject } from '../../../src/k8s/kube-objects';
import type { SidebarNode } from '../../../src/views/tree-node';
import { vm } from '../../fixtures/k8s-objects';
import { until } from './wait';

const kubeconfig = process.env.OVNLAB_E2E_SIDEBAR_KUBECONFIG;

function label(tree: vscode.TreeDataProvider<SidebarNode>, n: SidebarNode): string {
  const item = tree.getTreeItem(n) as vscode.TreeItem;
  return `${String(item.label)} ${String(item.description ?? '')}`;
}

describe('sidebar trees on a real API server (extension host)', function () {
  let api: OvnlabApi;
  let admin: KubeClient;
  // a loaded machine can make the store lose and regain the server between tests: start each connected
  beforeEach(async function () {
    if (!kubeconfig) return this.skip();
    await until(() => (api.session.state.connection === 'ok' ? true : undefined), 30_000, 'the sidebar to be connected');
  });

  before(async function () {
    if (!kubeconfig) return this.skip();
    const ext = vscode.extensions.getExtension<OvnlabApi>('ovnlab.ovnlab');
    assert.ok(ext);
    api = await ext.activate();
    admin = new KubeClient(loadKubeConfig({ kubeconfig }));
    await until(() => (api.session.state.connection === 'ok' ? true : undefined), 30_000, 'the sidebar to connect');
  });

  it('the Virtual Machines tree lists the VMs the API server holds, under their namespace', async () => {
    const vms = api.trees.vms;
    const ns = await until(async () => (await vms.getChildren()).find((n) => n.kind === 'namespace' && n.namespace === 'demo'), 10_000, 'namespace demo');
    const rows = (await vms.getChildren(ns)).map((n) => label(vms, n));
    assert.ok(rows.some((r) => /^web Starting · 10\.16\.0\.10 pinned/.test(r)), rows.join('\n'));
  });

  it('a VM created through the API reaches the tree within 1 s through a targeted refresh', async () => {
    const vms = api.trees.vms;
    const fired: (SidebarNode | SidebarNode[] | undefined)[] = [];
    const sub = vms.onDidChangeTreeData((e) => fired.push(e as SidebarNode | SidebarNode[] | undefined));
    const t0 = Date.now();
    await createObject(admin, 'virtualmachines', vm('demo', 'eh-new', { runStrategy: 'Halted' }));
    await until(() => (fired.length ? true : undefined), 1000, 'a refresh of the tree');
    const ms = Date.now() - t0;
    sub.dispose();
    console.log(`extension host: tree refresh ${ms} ms after the create`);
    const e = fired[0];
    assert.ok(Array.isArray(e), 'the refresh names the changed elements, not the whole tree');
    assert.deepEqual(e.map((n) => n.id), ['ns:demo']);
    const names = (await vms.getChildren(e[0])).map((n) => (n.kind === 'vm' ? n.name : n.id));
    assert.ok(names.includes('eh-new'));
  });

  it('the stop command sets runStrategy Halted on the server; an action on a VM that is gone leaves the tree alone', async () => {
    await vscode.commands.executeCommand('ovnlab.vm.stop', { kind: 'vm', id: 'vm:demo/web', namespace: 'demo', name: 'web' });
    const got = await getObject(admin, 'virtualmachines', 'demo', 'web');
    assert.equal(got?.spec?.runStrategy, 'Halted');
    const before = api.trees.vms.stats.full;
    // shows "no longer exists" to the user and does not throw
    await vscode.commands.executeCommand('ovnlab.vm.stop', { kind: 'vm', id: 'vm:demo/ghost', namespace: 'demo', name: 'ghost' });
    assert.equal(await getObject(admin, 'virtualmachines', 'demo', 'ghost'), undefined);
    assert.equal(api.trees.vms.stats.full, before, 'no full refresh for a failed action');
  });

  it('Open YAML shows the live object read-only, and follows its deletion; a tooltip of a deleted VM says so', async () => {
    const node = { kind: 'vm', id: 'vm:demo/eh-new', namespace: 'demo', name: 'eh-new' } as SidebarNode;
    await vscode.commands.executeCommand('ovnlab.openYaml', node);
    const doc = await until(() => vscode.window.activeTextEditor?.document, 5000, 'the YAML editor');
    assert.equal(doc.uri.scheme, 'ovnlab');
    assert.match(doc.getText(), /kind: VirtualMachine[\s\S]*name: eh-new/);
    assert.doesNotMatch(doc.getText(), /^\s*managedFields:/m);
    await deleteObject(admin, 'virtualmachines', 'demo', 'eh-new');
    await until(() => (/does not exist/.test(doc.getText()) ? true : undefined), 3000, 'the document to follow the deletion');
    const item = await api.trees.vms.resolveTreeItem!(new vscode.TreeItem('eh-new'), node);
    assert.match((item?.tooltip as vscode.MarkdownString).value, /no longer exists/);
  });

  it('the Networks and External IPs trees join subnets, VMs and the FIP', async () => {
    const nets = api.trees.networks;
    const vpcs = await nets.getChildren();
    const def = vpcs.find((n) => n.kind === 'vpc' && n.name === 'ovn-cluster');
    assert.ok(def, vpcs.map((n) => n.id).join(', '));
    const subnets = await nets.getChildren(def);
    assert.match(label(nets, subnets[0]), /^ovn-default 10\.16\.0\.0\/16 · 1 used \/ \d+ free · NAT/);
    const eips = await api.trees.externalIps.getChildren();
    assert.match(label(api.trees.externalIps, eips[0]), /^172\.18\.0\.10 → 10\.16\.0\.10 → demo\/web/);
  });
});

/// <reference types="mocha" />
// Runs inside the editor's extension host (see test/e2e/extension-host.test.ts), against the
// extension loaded from the checkout.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'ovnlab.ovnlab';

interface Manifest {
  contributes: {
    commands: { command: string; enablement?: string }[];
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, { default?: unknown }> };
  };
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded in this extension host`);
  return ext;
}

describe('ovnlab in the extension host', () => {
  it('activates', async () => {
    const ext = extension();
    await ext.activate();
    assert.equal(ext.isActive, true);
    console.log(`VS Code ${vscode.version} (${vscode.env.appName}, remote ${vscode.env.remoteName ?? 'none'})`);
  });

  it('registers every command the manifest declares', async () => {
    const manifest = extension().packageJSON as Manifest;
    const declared = manifest.contributes.commands.map((c) => c.command);
    assert.ok(declared.length >= 5, `only ${declared.length} commands declared`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `declared but not registered: ${missing.join(', ')}`);
  });

  it('commands that run tools need a trusted workspace', () => {
    const manifest = extension().packageJSON as Manifest;
    for (const id of ['ovnlab.lab.startLocal', 'ovnlab.lab.createKind']) {
      const c = manifest.contributes.commands.find((x) => x.command === id);
      assert.equal(c?.enablement, 'isWorkspaceTrusted', `${id} enablement`);
    }
  });

  it('declares the four views and their container opens', async () => {
    const manifest = extension().packageJSON as Manifest;
    assert.deepEqual(manifest.contributes.views.ovnlab.map((v) => v.id), ['ovnlab.lab', 'ovnlab.networks', 'ovnlab.vms', 'ovnlab.externalIps']);
    // the generated focus command exists only if a provider is registered for the view
    await vscode.commands.executeCommand('workbench.view.extension.ovnlab');
    for (const v of manifest.contributes.views.ovnlab) await vscode.commands.executeCommand(`${v.id}.focus`);
  });

  it('reads the settings the harness wrote, and the declared defaults', () => {
    const cfg = vscode.workspace.getConfiguration('ovnlab');
    assert.equal(cfg.get('context'), 'e2e-context', 'ovnlab.context from the harness user settings');
    assert.equal(cfg.get('lab.backend'), 'local');
    assert.deepEqual(cfg.get('namespaceFilter'), []);
    assert.equal(cfg.get('tools.kubectl'), '');
  });

  it('the log command shows the output channel without error', async () => {
    await vscode.commands.executeCommand('ovnlab.showLog');
  });
});

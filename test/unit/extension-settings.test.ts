import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSettings } from '../../src/views/settings';
import { statusText } from '../../src/views/status-text';

const getter = (values: Record<string, unknown>) => (key: string) => values[key];

describe('parseSettings', () => {
  test('defaults when nothing is set', () => {
    const { settings, problems } = parseSettings(getter({}));
    assert.deepEqual(problems, []);
    assert.equal(settings.labBackend, 'local');
    assert.deepEqual(settings.namespaceFilter, []);
    assert.equal(settings.tools.kubectl, '');
    assert.equal(settings.kubeconfig, '');
  });

  test('reads valid values and trims paths', () => {
    const { settings, problems } = parseSettings(getter({
      kubeconfig: ' /tmp/kc ', context: 'kind-ovnlab', 'lab.backend': 'kind', namespaceFilter: ['default', 'vms', 'vms'],
      kubeOvnVersion: 'v1.14.4', 'tools.kubectl': '/opt/kubectl', 'tools.ovnBinDir': '/usr/bin',
    }));
    assert.deepEqual(problems, []);
    assert.equal(settings.kubeconfig, '/tmp/kc');
    assert.equal(settings.context, 'kind-ovnlab');
    assert.equal(settings.labBackend, 'kind');
    assert.deepEqual(settings.namespaceFilter, ['default', 'vms']);
    assert.equal(settings.kubeOvnVersion, 'v1.14.4');
    assert.equal(settings.tools.kubectl, '/opt/kubectl');
    assert.equal(settings.tools.ovnBinDir, '/usr/bin');
  });

  test('bad values fall back to defaults and say what to do', () => {
    const { settings, problems } = parseSettings(getter({
      'lab.backend': 'docker', namespaceFilter: ['Bad_NS', 'ok'], kubeOvnVersion: 'latest', context: 42,
    }));
    assert.equal(settings.labBackend, 'local');
    assert.deepEqual(settings.namespaceFilter, ['ok']);
    assert.equal(settings.kubeOvnVersion, '');
    assert.equal(settings.context, '');
    assert.equal(problems.length, 4);
    assert.match(problems.join('\n'), /use "local" or "kind"/);
    assert.match(problems.join('\n'), /"Bad_NS" is not a namespace name/);
  });

  test('every setting parsed is declared in package.json and vice versa', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Record<string, unknown> } } };
    const declared = Object.keys(pkg.contributes.configuration.properties).map((k) => k.replace(/^ovnlab\./, '')).sort();
    const asked: string[] = [];
    parseSettings((key) => { asked.push(key); return undefined; });
    assert.deepEqual([...new Set(asked)].sort(), declared);
  });
});

describe('statusText', () => {
  test('no target: neutral item that invites picking a context', () => {
    const t = statusText({ health: 'none' });
    assert.equal(t.text, '$(circle-slash) ovnlab');
    assert.match(t.tooltip, /pick a kubeconfig context/);
    assert.equal(t.background, undefined);
  });

  test('unreachable API server is shown in the error colour with the detail', () => {
    const t = statusText({ target: 'kind-lab', health: 'unreachable', detail: 'connect ECONNREFUSED 127.0.0.1:6443' });
    assert.equal(t.text, '$(debug-disconnect) kind-lab');
    assert.equal(t.background, 'statusBarItem.errorBackground');
    assert.match(t.tooltip, /ECONNREFUSED/);
  });
});

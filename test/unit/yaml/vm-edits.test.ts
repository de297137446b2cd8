import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { applyEdits, EditError, type TextEdit } from '../../../src/yaml/text-edits';
import { analyzeVmDocuments } from '../../../src/yaml/vm-analysis';
import type { VmRef } from '../../../src/yaml/vm-documents';
import { enableMigrationEdits, pinIpEdits, setSubnetEdits, unpinIpEdits } from '../../../src/yaml/vm-edits';
import { CORPUS, clusterFacts, fixtureNames, readFixture } from './corpus';

const update = process.env.OVNLAB_UPDATE_GOLDEN === '1';

function refOf(text: string, name: string): VmRef {
  const vm = analyzeVmDocuments(text).vms.find((v) => v.name === name);
  assert.ok(vm, `no VM ${name}`);
  return vm.ref;
}

/** The lines that differ between two texts: common leading and trailing lines are cut off. */
function changedLines(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split(/(?<=\n)/);
  const b = after.split(/(?<=\n)/);
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const strip = (l: string) => l.replace(/\r?\n$/, '');
  return { removed: a.slice(p, a.length - s).map(strip), added: b.slice(p, b.length - s).map(strip) };
}

function fixEdits(text: string, vm: string, code: string, ctx = { cluster: clusterFacts() }): TextEdit[] {
  const d = analyzeVmDocuments(text, ctx).diagnostics.find((x) => x.code === code && x.vm?.endsWith(`/${vm}`) || x.code === code && x.vm === vm);
  assert.ok(d, `no ${code} on ${vm}`);
  assert.ok(d.fixes[0]?.edits, `${code} on ${vm} has no edit fix`);
  return d.fixes[0].edits!;
}

interface Case {
  name: string;
  fixture: string;
  edit: (text: string) => TextEdit[];
  removed: string[];
  added: string[];
}

const pin = (vm: string, ip: string, extra: { subnet?: string; attachment?: { nad: string; namespace: string } } = {}) => (t: string) => pinIpEdits(t, refOf(t, vm), { ip, ...extra }).edits;

const cases: Case[] = [
  { name: 'pin-ip', fixture: '01-testvm-v1alpha3.yaml', edit: pin('testvm', '10.16.0.15'),
    removed: [], added: ['      annotations:', '        ovn.kubernetes.io/ip_address: 10.16.0.15'] },
  { name: 'enable-migration', fixture: '01-testvm-v1alpha3.yaml', edit: (t) => enableMigrationEdits(t, refOf(t, 'testvm')).edits,
    removed: [], added: ['      annotations:', '        kubevirt.io/allow-pod-bridge-network-live-migration: "true"'] },
  { name: 'fix-running', fixture: '01-testvm-v1alpha3.yaml', edit: (t) => fixEdits(t, 'testvm', 'spec-running-deprecated'),
    removed: ['  running: false'], added: ['  runStrategy: Halted'] },
  { name: 'change-ip', fixture: '02-pinned-ok.yaml', edit: pin('db', '10.16.0.25'),
    removed: ['        ovn.kubernetes.io/ip_address: 10.16.0.20'], added: ['        ovn.kubernetes.io/ip_address: 10.16.0.25'] },
  { name: 'unpin', fixture: '02-pinned-ok.yaml', edit: (t) => unpinIpEdits(t, refOf(t, 'db')).edits,
    removed: ['        ovn.kubernetes.io/ip_address: 10.16.0.20'], added: [] },
  { name: 'subnet-default', fixture: '02-pinned-ok.yaml', edit: (t) => setSubnetEdits(t, refOf(t, 'db'), null).edits,
    removed: ['        ovn.kubernetes.io/logical_switch: ovn-default'], added: [] },
  { name: 'pin-frontend', fixture: '03-multi-doc.yaml', edit: pin('frontend', '10.16.0.22', { subnet: 'ovn-default' }),
    removed: [], added: ['    metadata:', '      annotations:', '        ovn.kubernetes.io/ip_address: 10.16.0.22', '        ovn.kubernetes.io/logical_switch: ovn-default'] },
  { name: 'change-quoted', fixture: '03-multi-doc.yaml', edit: pin('backend', '10.16.0.23'),
    removed: ['        ovn.kubernetes.io/ip_address: "10.16.0.21"'], added: ['        ovn.kubernetes.io/ip_address: "10.16.0.23"'] },
  { name: 'pin-list-item', fixture: '04-list.yaml', edit: pin('list-b', '10.16.0.31'),
    removed: [], added: ['      metadata:', '        annotations:', '          ovn.kubernetes.io/ip_address: 10.16.0.31'] },
  { name: 'unpin-list-item', fixture: '04-list.yaml', edit: (t) => unpinIpEdits(t, refOf(t, 'list-a')).edits,
    removed: ['      metadata:', '        annotations:', '          ovn.kubernetes.io/ip_address: 10.16.0.30'], added: [] },
  { name: 'pin-crlf', fixture: '05-crlf.yaml', edit: pin('win-a', '10.16.0.32'),
    removed: [], added: ['        ovn.kubernetes.io/ip_address: 10.16.0.32'] },
  { name: 'fix-running-crlf', fixture: '05-crlf.yaml', edit: (t) => fixEdits(t, 'win-b', 'spec-running-deprecated'),
    removed: ['  running: true'], added: ['  runStrategy: Always'] },
  { name: 'change-anchored', fixture: '06-anchors.yaml', edit: pin('anchor-a', '10.16.0.41'),
    removed: ['        ovn.kubernetes.io/ip_address: 10.16.0.40'], added: ['        ovn.kubernetes.io/ip_address: 10.16.0.41'] },
  { name: 'pin-merge-key', fixture: '06-anchors.yaml', edit: pin('anchor-b', '10.16.0.42'),
    removed: [], added: ['        ovn.kubernetes.io/ip_address: "10.16.0.42"'] },
  { name: 'change-attachment-ip', fixture: '07-multus.yaml', edit: pin('two-nics', '172.20.0.51', { attachment: { nad: 'attachnet', namespace: 'default' } }),
    removed: ['        attachnet.default.ovn.kubernetes.io/ip_address: 172.20.0.50'], added: ['        attachnet.default.ovn.kubernetes.io/ip_address: 172.20.0.51'] },
  { name: 'migration-legacy-existing-attachment', fixture: '07-multus.yaml', edit: (t) => enableMigrationEdits(t, refOf(t, 'two-nics'), { kubeOvnVersion: 'v1.12.10' }).edits,
    removed: [], added: ["        attachnet.default.ovn.kubernetes.io/allow_live_migration: 'true'", "        attachnet.default.ovn.kubernetes.io/default_route: 'true'"] },
  { name: 'fix-move-annotation', fixture: '08-wrong-metadata.yaml', edit: (t) => fixEdits(t, 'misplaced', 'annotation-on-vm-metadata'),
    removed: ['    ovn.kubernetes.io/ip_address: 10.16.0.60 # put here by mistake', '    kubevirt.io/allow-pod-bridge-network-live-migration: "true"', '    description: keeps its place', 'spec:', '  runStrategy: Always', '  template:', '    metadata:', '      labels:', '        app: misplaced'],
    added: ['    kubevirt.io/allow-pod-bridge-network-live-migration: "true"', '    description: keeps its place', 'spec:', '  runStrategy: Always', '  template:', '    metadata:', '      labels:', '        app: misplaced', '      annotations:', '        ovn.kubernetes.io/ip_address: 10.16.0.60'] },
  { name: 'fix-typo', fixture: '09-typos.yaml', edit: (t) => fixEdits(t, 'typos', 'unknown-annotation'),
    removed: ['        ovn.kubernetes.io/ip_adress: 10.16.0.70'], added: ['        ovn.kubernetes.io/ip_address: 10.16.0.70'] },
  { name: 'fix-outside', fixture: '10-ip-problems.yaml', edit: (t) => fixEdits(t, 'outside', 'ip-outside-cidr'),
    removed: ['        ovn.kubernetes.io/ip_address: 10.99.0.5'], added: ['        ovn.kubernetes.io/ip_address: 10.16.0.13'] },
  { name: 'migration-modern-replaces-legacy', fixture: '11-legacy-migration.yaml', edit: (t) => enableMigrationEdits(t, refOf(t, 'old-style'), { kubeOvnVersion: 'v1.13.2' }).edits,
    removed: ["        attachnet.default.ovn.kubernetes.io/allow_live_migration: 'true'", "        attachnet.default.ovn.kubernetes.io/default_route: 'true'"],
    added: ["        attachnet.default.ovn.kubernetes.io/default_route: 'true'", "        kubevirt.io/allow-pod-bridge-network-live-migration: 'true'"] },
  { name: 'fix-mac', fixture: '12-running-mac.yaml', edit: (t) => fixEdits(t, 'fixed-mac', 'interface-mac-address'),
    removed: ['    spec:', '      domain:', '        devices:', '          interfaces:', '          - name: default', '            masquerade: {}', '            macAddress: "de:ad:00:00:be:ef"'],
    added: ['    metadata:', '      annotations:', '        ovn.kubernetes.io/mac_address: "de:ad:00:00:be:ef"', '    spec:', '      domain:', '        devices:', '          interfaces:', '          - name: default', '            masquerade: {}'] },
  { name: 'fix-mac-first-key', fixture: '12-running-mac.yaml', edit: (t) => fixEdits(t, 'both-run-fields', 'interface-mac-address'),
    removed: ['    spec:', '      domain:', '        devices:', '          interfaces:', '          - macAddress: 02:00:00:00:00:02', '            name: default'],
    added: ['    metadata:', '      annotations:', '        ovn.kubernetes.io/mac_address: "02:00:00:00:00:02"', '    spec:', '      domain:', '        devices:', '          interfaces:', '          - name: default'] },
  { name: 'fix-both-run-fields', fixture: '12-running-mac.yaml', edit: (t) => fixEdits(t, 'both-run-fields', 'running-and-run-strategy'),
    removed: ['  running: false'], added: [] },
  { name: 'migration-legacy-recipe', fixture: '13-bridge-evict.yaml', edit: (t) => enableMigrationEdits(t, refOf(t, 'bridge-migrate'), { kubeOvnVersion: 'v1.12.10' }).edits,
    removed: ['    spec:', '      evictionStrategy: LiveMigrate', '      domain:', '        devices:', '          interfaces:', '          - name: default', '            bridge: {}', '      networks:', '      - name: default', '        pod: {}'],
    added: ['    metadata:', '      annotations:', '        attachnet.default.ovn.kubernetes.io/logical_switch: ovn-default', "        attachnet.default.ovn.kubernetes.io/allow_live_migration: 'true'", "        attachnet.default.ovn.kubernetes.io/default_route: 'true'",
      '    spec:', '      evictionStrategy: LiveMigrate', '      domain:', '        devices:', '          interfaces:', '          - name: default', '            bridge: {}', '      networks:', '      - name: default', '        multus: {networkName: default/attachnet}',
      '---', 'apiVersion: k8s.cni.cncf.io/v1', 'kind: NetworkAttachmentDefinition', 'metadata:', '  name: attachnet', '  namespace: default', 'spec:',
      `  config: '{"cniVersion":"0.3.0","type":"kube-ovn","server_socket":"/run/openvswitch/kube-ovn-daemon.sock","provider":"attachnet.default.ovn"}'`] },
  { name: 'fix-bridge', fixture: '13-bridge-evict.yaml', edit: (t) => fixEdits(t, 'bridge-migrate', 'bridge-without-migration'),
    removed: [], added: ['    metadata:', '      annotations:', '        kubevirt.io/allow-pod-bridge-network-live-migration: "true"'] },
  { name: 'pin-flow-empty', fixture: '14-flow-style.yaml', edit: pin('flowy', '10.16.0.91'),
    removed: ['      annotations: {}'], added: ['      annotations: {ovn.kubernetes.io/ip_address: 10.16.0.91}'] },
  { name: 'change-json', fixture: '14-flow-style.yaml', edit: pin('from-json', '10.16.0.92'),
    removed: ['      "metadata": {"annotations": {"ovn.kubernetes.io/ip_address": "10.16.0.90"}},'], added: ['      "metadata": {"annotations": {"ovn.kubernetes.io/ip_address": "10.16.0.92"}},'] },
  { name: 'fix-subnet-typo', fixture: '15-subnets.yaml', edit: (t) => fixEdits(t, 'typo-subnet', 'subnet-missing'),
    removed: ['        ovn.kubernetes.io/logical_switch: ovn-defualt'], added: ['        ovn.kubernetes.io/logical_switch: ovn-default'] },
  { name: 'pin-empty-annotations', fixture: '16-sparse.yaml', edit: pin('empty-annotations', '10.16.0.111'),
    removed: [], added: ['        ovn.kubernetes.io/ip_address: 10.16.0.111'] },
  { name: 'pin-empty-metadata', fixture: '16-sparse.yaml', edit: pin('empty-metadata', '10.16.0.112'),
    removed: [], added: ['      annotations:', '        ovn.kubernetes.io/ip_address: 10.16.0.112'] },
  { name: 'migration-at-eof', fixture: '16-sparse.yaml', edit: (t) => enableMigrationEdits(t, refOf(t, 'at-eof')).edits,
    removed: ['        ovn.kubernetes.io/ip_address: 10.16.0.110'], added: ['        ovn.kubernetes.io/ip_address: 10.16.0.110', '        kubevirt.io/allow-pod-bridge-network-live-migration: "true"'] },
  { name: 'pin-quoted-single', fixture: '17-quoted.yaml', edit: pin('quoted-single', '10.16.0.121'),
    removed: [], added: ["        'ovn.kubernetes.io/ip_address': '10.16.0.121'"] },
  { name: 'pin-indent4', fixture: '18-indent4.yaml', edit: pin('four-spaces', '10.16.0.130'),
    removed: [], added: ['            annotations:', '                ovn.kubernetes.io/ip_address: 10.16.0.130'] },
];

describe('VM edits: expected output, and only the lines they must change', () => {
  for (const c of cases) {
    test(`${c.fixture} ${c.name}`, () => {
      const before = readFixture(c.fixture);
      const edits = c.edit(before);
      const after = applyEdits(before, edits);
      assert.deepEqual(changedLines(before, after), { removed: c.removed, added: c.added });
      const file = join(CORPUS, 'edits', `${c.fixture.replace(/\.yaml$/, '')}.${c.name}.yaml`);
      if (update || !existsSync(file)) {
        mkdirSync(join(CORPUS, 'edits'), { recursive: true });
        writeFileSync(file, after);
      }
      assert.equal(after, readFileSync(file, 'utf8'), 'byte-for-byte expected output');
      // still valid YAML; CRLF files stay CRLF-only
      for (const d of parseAllDocuments(after) as ReturnType<typeof parseAllDocuments> & unknown[]) assert.deepEqual(d.errors, []);
      if (before.includes('\r\n')) assert.ok(!/[^\r]\n/.test(after), 'a bare LF slipped into a CRLF file');
    });
  }
});

describe('VM edits: refusals and checks', () => {
  test('an annotations map reached through an alias is not edited behind the user\'s back', () => {
    const text = 'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: a\n  annotations: &x\n    note: shared\nspec:\n  template:\n    metadata:\n      annotations: *x\n    spec: {}\n';
    assert.throws(() => pinIpEdits(text, refOf(text, 'a'), { ip: '10.16.0.5' }), (e: Error) => e instanceof EditError && /alias \*x/.test(e.message));
  });

  test('a bad IP or subnet name is refused with what to give instead', () => {
    const text = readFixture('02-pinned-ok.yaml');
    assert.throws(() => pinIpEdits(text, refOf(text, 'db'), { ip: '10.16.0' }), /not an IP address: give one like 10.16.0.15/);
    assert.throws(() => pinIpEdits(text, refOf(text, 'db'), { ip: '10.16.0.5', subnet: 'Bad_Name' }), /not a valid subnet name/);
    assert.throws(() => enableMigrationEdits(text, refOf(text, 'db'), { kubeOvnVersion: 'latest' }), /not a Kube-OVN version/);
  });

  test('an edit finds its VM again after the text above it changed', () => {
    const text = readFixture('03-multi-doc.yaml');
    const ref = refOf(text, 'backend');
    const shifted = '# a new comment line\n' + text;
    const after = applyEdits(shifted, pinIpEdits(shifted, ref, { ip: '10.16.0.24' }).edits);
    assert.match(after, /ip_address: "10\.16\.0\.24"/);
    assert.equal(analyzeVmDocuments(after).vms.find((v) => v.name === 'backend')?.pinnedIp?.value, '10.16.0.24');
  });
});

describe('VM edits over the whole corpus', () => {
  for (const name of fixtureNames()) {
    test(`${name}: every lens edit and quick fix keeps the YAML valid and does what it says`, () => {
      const text = readFixture(name);
      const ctx = { cluster: clusterFacts() };
      const a = analyzeVmDocuments(text, ctx);
      let checked = 0;
      for (const vm of a.vms) {
        const ops: [string, () => TextEdit[], (t: string) => void][] = [
          ['pin', () => pinIpEdits(text, vm.ref, { ip: '10.16.3.3' }).edits, (t) => assert.equal(analyzeVmDocuments(t).vms.find((v) => v.name === vm.name)?.pinnedIp?.value, '10.16.3.3')],
          ['unpin', () => unpinIpEdits(text, vm.ref).edits, (t) => assert.equal(analyzeVmDocuments(t).vms.find((v) => v.name === vm.name)?.pinnedIp, undefined)],
          ['migration', () => enableMigrationEdits(text, vm.ref, { kubeOvnVersion: 'v1.14.0' }).edits, (t) => assert.equal(analyzeVmDocuments(t).vms.find((v) => v.name === vm.name)?.migration.state, 'on')],
          ['legacy-migration', () => enableMigrationEdits(text, vm.ref, { kubeOvnVersion: 'v1.12.0' }).edits, (t) => assert.equal(analyzeVmDocuments(t).vms.find((v) => v.name === vm.name)?.migration.state, 'on')],
        ];
        for (const [op, build, verify] of ops) {
          let edits: TextEdit[];
          try {
            edits = build();
          } catch (e) {
            // refusals must be explained, never crashes
            assert.ok(e instanceof EditError, `${vm.name} ${op}: ${(e as Error).stack}`);
            assert.doesNotMatch(e.message, /internal/, `${vm.name} ${op}: ${e.message}`);
            continue;
          }
          const after = applyEdits(text, edits);
          verify(after);
          checked++;
        }
      }
      for (const d of a.diagnostics) {
        for (const f of d.fixes) {
          if (!f.edits) continue;
          const after = applyEdits(text, f.edits);
          for (const doc of parseAllDocuments(after) as ReturnType<typeof parseAllDocuments> & unknown[]) assert.deepEqual(doc.errors, [], `${d.code} fix broke the YAML`);
          const what = text.slice(d.range.start, d.range.end);
          const again = analyzeVmDocuments(after, ctx).diagnostics.filter((x) => x.code === d.code && x.vm === d.vm && after.slice(x.range.start, x.range.end) === what);
          assert.equal(again.length, 0, `${d.vm} ${d.code} is still there after "${f.title}"`);
          if (text.includes('\r\n')) assert.ok(!/[^\r]\n/.test(after));
          checked++;
        }
      }
      assert.ok(checked > 0);
    });
  }
});

describe('vmObject (for Apply to cluster)', () => {
  test('a List item comes out on its own, anchors and merge keys resolved', async () => {
    const { vmObject } = await import('../../../src/yaml/vm-object');
    const list = readFixture('04-list.yaml');
    const b = vmObject(list, refOf(list, 'list-b')) as { kind: string; metadata: { name: string } };
    assert.equal(b.kind, 'VirtualMachine');
    assert.equal(b.metadata.name, 'list-b');
    const anchors = readFixture('06-anchors.yaml');
    const a = vmObject(anchors, refOf(anchors, 'anchor-b')) as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    assert.deepEqual(a.spec.template.metadata.annotations, { 'ovn.kubernetes.io/logical_switch': 'ovn-default', 'ovn.kubernetes.io/ingress_rate': '10' });
  });
});

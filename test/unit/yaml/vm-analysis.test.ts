import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeVmDocuments } from '../../../src/yaml/vm-analysis';
import { CORPUS, clusterFacts, contexts, fixtureNames, readFixture, render } from './corpus';

// Set OVNLAB_UPDATE_GOLDEN=1 to rewrite the expected files after a reviewed change.
const update = process.env.OVNLAB_UPDATE_GOLDEN === '1';

describe('VM YAML corpus: expected lenses and diagnostics', () => {
  const names = fixtureNames();
  test('the corpus holds at least 30 VM documents in at least 15 files', () => {
    const vms = names.reduce((n, f) => n + analyzeVmDocuments(readFixture(f)).vms.length, 0);
    assert.ok(names.length >= 15, `only ${names.length} fixture files`);
    assert.ok(vms >= 30, `only ${vms} VMs in the corpus`);
  });
  for (const name of names) {
    for (const [ctxName, ctx] of Object.entries(contexts())) {
      test(`${name} (${ctxName})`, () => {
        const got = render(analyzeVmDocuments(readFixture(name), ctx));
        const file = join(CORPUS, 'expected', `${name.replace(/\.yaml$/, '')}.${ctxName}.txt`);
        if (update || !existsSync(file)) {
          mkdirSync(join(CORPUS, 'expected'), { recursive: true });
          writeFileSync(file, got);
          if (!update) assert.fail(`wrote missing expectation ${file}: review it and run again`);
        }
        assert.equal(got, readFileSync(file, 'utf8'));
      });
    }
  }
});

describe('analysis behaviour', () => {
  test('without a cluster there is exactly one info saying cluster checks are off, and no cluster-only errors', () => {
    const a = analyzeVmDocuments(readFixture('10-ip-problems.yaml'));
    const off = a.diagnostics.filter((d) => d.code === 'cluster-checks-off');
    assert.equal(off.length, 1);
    assert.equal(off[0].severity, 'info');
    assert.match(off[0].message, /cluster-backed checks off: no cluster connected/);
    assert.equal(a.clusterChecks, 'off');
    const codes = new Set(a.diagnostics.map((d) => d.code));
    for (const c of ['ip-outside-cidr', 'ip-excluded', 'ip-gateway', 'ip-in-use']) assert.ok(!codes.has(c as never), c);
    // checks that need no cluster still run
    assert.ok(codes.has('ip-invalid'));
    assert.ok(codes.has('ip-duplicate-in-file'));
  });

  test('a file without VMs gets no diagnostics at all', () => {
    const a = analyzeVmDocuments('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    assert.deepEqual(a.diagnostics, []);
    assert.deepEqual(a.vms, []);
  });

  test('a hand-given subnet (--subnet-cidr) checks CIDR and excludeIps offline', () => {
    const a = analyzeVmDocuments(readFixture('10-ip-problems.yaml'), { manualSubnet: { cidrBlock: '10.16.0.0/16', excludeIps: ['10.16.0.1..10.16.0.10'] } });
    const byVm = (vm: string) => a.diagnostics.filter((d) => d.vm === `default/${vm}`).map((d) => d.code);
    assert.deepEqual(byVm('outside'), ['ip-outside-cidr']);
    assert.deepEqual(byVm('excluded'), ['ip-excluded']);
    assert.deepEqual(byVm('gateway'), ['ip-gateway']);
    assert.deepEqual(byVm('in-use'), []);
    const fix = a.diagnostics.find((d) => d.vm === 'default/outside')!.fixes[0];
    // .11 is pinned by the `in-use` VM of the same file, so .12 is the first free one
    assert.equal(fix.title, 'Use the next free IP 10.16.0.12');
  });

  test('the next free IP skips the gateway, excludeIps, IP objects and IPs pinned elsewhere in the file', () => {
    const a = analyzeVmDocuments(readFixture('03-multi-doc.yaml'), { cluster: clusterFacts() });
    const lens = a.lenses.find((l) => l.kind === 'pin-ip' && l.args[0].vm.name === 'frontend')!;
    // .1-.10 excluded, .11 nginx, .12 web, .20 db are IP objects; .21 is pinned by `backend` in the file
    assert.equal(lens.args[0].suggestedIp, '10.16.0.13');
    assert.match(lens.writes, /ovn\.kubernetes\.io\/ip_address: 10\.16\.0\.13 \(next free\)/);
  });

  test('an IP object held by the VM itself is not "in use by another"', () => {
    const a = analyzeVmDocuments(readFixture('02-pinned-ok.yaml'), { cluster: clusterFacts() });
    assert.deepEqual(a.diagnostics, []);
  });

  test('diagnostic ranges point at the offending text', () => {
    const text = readFixture('10-ip-problems.yaml');
    const a = analyzeVmDocuments(text, { cluster: clusterFacts() });
    const d = a.diagnostics.find((x) => x.code === 'ip-gateway')!;
    assert.equal(text.slice(d.range.start, d.range.end), '10.16.0.1');
    const m = analyzeVmDocuments(readFixture('09-typos.yaml')).diagnostics.find((x) => x.code === 'unknown-annotation')!;
    assert.equal(readFixture('09-typos.yaml').slice(m.range.start, m.range.end), 'ovn.kubernetes.io/ip_adress');
  });

  test('removed allow_live_migration is a warning only on versions that ignore it', () => {
    const text = readFixture('11-legacy-migration.yaml');
    const code = 'live-migration-annotation-removed';
    assert.equal(analyzeVmDocuments(text, { kubeOvnVersion: 'v1.13.0' }).diagnostics.find((d) => d.code === code)?.severity, 'warning');
    assert.equal(analyzeVmDocuments(text, { kubeOvnVersion: 'v1.12.35' }).diagnostics.find((d) => d.code === code), undefined);
    assert.equal(analyzeVmDocuments(text).diagnostics.find((d) => d.code === code)?.severity, 'info');
  });

  test('VMs inside a kind: List carry their item index and List-relative edits work on them', () => {
    const a = analyzeVmDocuments(readFixture('04-list.yaml'));
    assert.deepEqual(a.vms.map((v) => [v.name, v.itemIndex]), [['list-a', 0], ['list-b', 2], ['list-c', 3]]);
  });
});

// The kind lab's plan for the default options and the variations (no KVM, 3 workers,
// distributed gateway) against the checked-in expected outputs in test/fixtures/kind-plan/,
// plus the properties those files are meant to show, option validation and the version pins.
// Regenerate the files after a deliberate change: OVNLAB_UPDATE_KIND_PLAN=1 and review the diff.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { buildKindPlan, planManifests, validateKindPlanOptions, type KindPlan, type KindPlanOptions } from '../../src/lab/kind/plan';
import { KIND_PLAN_VARIATIONS } from '../fixtures/kind-plan/variations';
import { KIND_LAB_VERSIONS_CHOSEN, KIND_TOOLS, TOOL_PINS, TOOL_PLATFORMS, toolPlatform } from '../../src/lab/kind/versions';

const base: KindPlanOptions = KIND_PLAN_VARIATIONS.default;

function step(plan: KindPlan, id: string) {
  const s = plan.steps.find((x) => x.id === id);
  assert.ok(s, `step ${id}`);
  return s;
}

function kindConfig(plan: KindPlan): { networking: Record<string, unknown>; nodes: { role: string; labels: Record<string, string> }[] } {
  const s = step(plan, 'kind-config');
  assert.equal(s.run.type, 'write-file');
  return parse(s.run.type === 'write-file' ? s.run.content : '') as ReturnType<typeof kindConfig>;
}

describe('kind lab plan', () => {
  for (const [name, opts] of Object.entries(KIND_PLAN_VARIATIONS)) {
    test(`${name}: matches test/fixtures/kind-plan/${name}.json`, async () => {
      const file = `test/fixtures/kind-plan/${name}.json`;
      const actual = `${JSON.stringify(buildKindPlan(opts), null, 2)}\n`;
      if (process.env.OVNLAB_UPDATE_KIND_PLAN) await writeFile(file, actual);
      assert.equal(actual, await readFile(file, 'utf8'), `the plan changed: if that is intended, rerun with OVNLAB_UPDATE_KIND_PLAN=1 and review ${file}`);
    });
  }

  test('default: kind cluster as Kube-OVN sets it up, 1 control plane + 2 workers, masters labelled', () => {
    const plan = buildKindPlan(base);
    assert.equal(plan.context, 'kind-ovnlab');
    const cfg = kindConfig(plan);
    assert.deepEqual(
      { mode: cfg.networking.kubeProxyMode, noCni: cfg.networking.disableDefaultCNI, pods: cfg.networking.podSubnet, svcs: cfg.networking.serviceSubnet },
      { mode: 'ipvs', noCni: true, pods: '10.16.0.0/16', svcs: '10.96.0.0/12' },
    );
    assert.deepEqual(cfg.nodes.map((n) => n.role), ['control-plane', 'worker', 'worker']);
    assert.equal(cfg.nodes[0]?.labels['kube-ovn/role'], 'master');
    assert.ok(cfg.nodes.every((n) => n.labels['ovnlab.io/lab'] === 'kind'), 'every node carries the owner label down checks');
    assert.deepEqual(plan.gatewayNodes, ['ovnlab-worker']);
    const cm = planManifests(plan).find((m) => m.kind === 'ConfigMap') as unknown;
    assert.deepEqual((cm as { data: Record<string, string> }).data, {
      'enable-external-gw': 'true',
      type: 'centralized',
      'external-gw-nodes': 'ovnlab-worker',
      'external-gw-nic': 'eth1',
      'external-gw-addr': '192.168.100.1/24',
      'nic-ip': '192.168.100.254/24',
      'nic-mac': '02:00:c0:a8:64:fe',
    });
    const helm = step(plan, 'kube-ovn').run;
    assert.ok(helm.type === 'command' && helm.argv.includes('--version') && helm.argv[helm.argv.indexOf('--version') + 1] === 'v1.15.8');
    assert.ok(helm.type === 'command' && helm.argv.includes('ipv4.POD_GATEWAY=10.16.0.1'));
    const kv = planManifests(plan).find((m) => m.kind === 'KubeVirt') as unknown as { spec: { configuration: { developerConfiguration: Record<string, unknown> } } };
    assert.equal(kv.spec.configuration.developerConfiguration.useEmulation, undefined);
    // every step that makes something down must remove says so
    assert.deepEqual(plan.steps.filter((s) => s.creates).map((s) => s.creates), [{ kind: 'kind-cluster', name: 'ovnlab' }, { kind: 'docker-network', name: 'ovnlab-external' }]);
    // every command step resumes: it has an isDone check (write-file and fetch are idempotent)
    for (const s of plan.steps) if (s.run.type === 'command' || s.run.type === 'apply-file') assert.ok(s.isDone, `${s.id} has an isDone check`);
  });

  test('no KVM: KubeVirt with useEmulation', () => {
    const kv = planManifests(buildKindPlan(KIND_PLAN_VARIATIONS['no-kvm'])).find((m) => m.kind === 'KubeVirt') as unknown as { spec: { configuration: { developerConfiguration: Record<string, unknown> } } };
    assert.equal(kv.spec.configuration.developerConfiguration.useEmulation, true);
  });

  test('3 workers: four nodes named as kind names them', () => {
    const plan = buildKindPlan(KIND_PLAN_VARIATIONS['three-workers']);
    assert.deepEqual(plan.nodes.map((n) => n.name), ['ovnlab-control-plane', 'ovnlab-worker', 'ovnlab-worker2', 'ovnlab-worker3']);
    assert.equal(kindConfig(plan).nodes.length, 4);
  });

  test('distributed gateway: every node gets the external NIC and is listed', () => {
    const plan = buildKindPlan(KIND_PLAN_VARIATIONS['distributed-gateway']);
    assert.deepEqual(plan.gatewayNodes, ['ovnlab-control-plane', 'ovnlab-worker', 'ovnlab-worker2']);
    assert.deepEqual(plan.steps.filter((s) => s.id.startsWith('external-nic-')).map((s) => s.id), plan.gatewayNodes.map((n) => `external-nic-${n}`));
    const cm = planManifests(plan).find((m) => m.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
    assert.equal(cm.data.type, 'distributed');
    assert.equal(cm.data['external-gw-nodes'], 'ovnlab-control-plane,ovnlab-worker,ovnlab-worker2');
  });

  test('options that would reach a command line are validated', () => {
    assert.throws(() => validateKindPlanOptions({ ...base, clusterName: 'Bad Name' }), /cluster name/);
    assert.throws(() => validateKindPlanOptions({ ...base, workers: 0 }), /workers/);
    assert.throws(() => validateKindPlanOptions({ ...base, podSubnet: '10.16.0.0/16; rm -rf /' }), /pod subnet must be an IPv4 CIDR/);
    assert.throws(() => validateKindPlanOptions({ ...base, externalNetwork: { ...base.externalNetwork, nicMac: 'zz' } }), /nic-mac/);
    assert.throws(() => validateKindPlanOptions({ ...base, sampleEip: '300.1.1.1' }), /sample EIP/);
  });
});

describe('kind lab version pins', () => {
  test('every tool is pinned for the four platforms with an https URL naming its version, and a sha256 or an explicit NOT FOUND', () => {
    assert.equal(KIND_LAB_VERSIONS_CHOSEN, '2026-11-25');
    for (const tool of KIND_TOOLS) {
      const pin = TOOL_PINS[tool];
      for (const platform of TOOL_PLATFORMS) {
        const a = pin.assets[platform];
        assert.match(a.url, /^https:\/\//, `${tool} ${platform}`);
        assert.ok(a.url.includes(pin.version), `${tool} ${platform} url names ${pin.version}`);
        if (a.sha256 === undefined) assert.match(a.source, /^NOT FOUND/, `${tool} ${platform} says why it has no sha256`);
        else assert.match(a.sha256, /^[0-9a-f]{64}$/, `${tool} ${platform}`);
      }
    }
    const shas = KIND_TOOLS.flatMap((t) => TOOL_PLATFORMS.map((p) => TOOL_PINS[t].assets[p].sha256)).filter(Boolean);
    assert.equal(new Set(shas).size, shas.length, 'no checksum is reused for two files');
  });

  test('node platforms map to tool platforms', () => {
    assert.equal(toolPlatform('linux', 'x64'), 'linux/amd64');
    assert.equal(toolPlatform('darwin', 'arm64'), 'darwin/arm64');
    assert.equal(toolPlatform('win32', 'x64'), undefined);
  });
});

// Every Kubernetes manifest the kind-lab plan applies itself, for every checked-in variation,
// sent to a REAL kube-apiserver as a server-side apply with dryRun=All and strict field
// validation, after ovnlab's CRDs are installed (deploy/crds: Kube-OVN, KubeVirt VM/VMI/VMIM,
// Multus NAD).
//
// What cannot be dry-run here, and why:
// - the KubeVirt CR (kubevirt.io/v1 KubeVirt): its CRD `kubevirts.kubevirt.io` comes from
//   kubevirt-operator.yaml, which is downloaded at `up` and is not in our CRDs; the test asserts
//   the server answers "no such resource" for it, so it notices if that CRD ever appears;
// - the release manifests the plan fetches (Multus thick daemonset, kubevirt-operator.yaml) and
//   the Kube-OVN Helm chart: no network here to get them;
// - the kind Cluster config: not a Kubernetes object (kind reads it); the unit test checks it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient } from '../../src/k8s/kube-client';
import { buildKindPlan, planManifests, type KubeManifest } from '../../src/lab/kind/plan';
import { KIND_PLAN_VARIATIONS } from '../fixtures/kind-plan/variations';
import { kubeApiServerUnavailable, startTestKubeApiServer, type TestKubeApiServer } from '../fixtures/kube-apiserver';

const unavailable = await kubeApiServerUnavailable();

const PATHS: Record<string, (m: KubeManifest) => string> = {
  ConfigMap: (m) => `/api/v1/namespaces/${m.metadata.namespace}/configmaps/${m.metadata.name}`,
  VirtualMachine: (m) => `/apis/kubevirt.io/v1/namespaces/${m.metadata.namespace}/virtualmachines/${m.metadata.name}`,
  KubeVirt: (m) => `/apis/kubevirt.io/v1/namespaces/${m.metadata.namespace}/kubevirts/${m.metadata.name}`,
};
/** kinds whose definition is not in ovnlab's CRDs (see the header) */
const NOT_DRY_RUNNABLE = new Set(['KubeVirt']);

describe('kind plan manifests against a real kube-apiserver (server-side dry-run)', { skip: unavailable }, () => {
  let api: TestKubeApiServer;
  let client: KubeClient;
  before(async () => {
    api = await startTestKubeApiServer({ crds: true });
    client = new KubeClient(api.kc);
  });
  after(async () => {
    await api?.stop();
  });

  async function dryRunApply(m: KubeManifest): Promise<KubeManifest> {
    const path = PATHS[m.kind];
    assert.ok(path, `the test knows where ${m.kind} lives`);
    return client.request<KubeManifest>('PATCH', path(m), {
      body: JSON.stringify(m),
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'ovnlab', force: true, dryRun: 'All', fieldValidation: 'Strict' },
    });
  }

  for (const [name, opts] of Object.entries(KIND_PLAN_VARIATIONS)) {
    test(`${name}: every manifest the plan applies is accepted (or named as not dry-runnable)`, async () => {
      const manifests = planManifests(buildKindPlan(opts));
      assert.ok(manifests.length >= 4, 'the ConfigMap, the KubeVirt CR and two VMs');
      const accepted: string[] = [];
      for (const m of manifests) {
        const id = `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`;
        if (NOT_DRY_RUNNABLE.has(m.kind)) {
          await assert.rejects(dryRunApply(m), /404|not found|could not find/i, `${id}: expected "no such resource" while its CRD is not ours`);
          continue;
        }
        const out = await dryRunApply(m);
        assert.equal(out.kind, m.kind, id);
        assert.equal(out.metadata.name, m.metadata.name, id);
        accepted.push(id);
      }
      assert.deepEqual(accepted.sort(), ['ConfigMap kube-system/ovn-external-gw-config', 'VirtualMachine default/vm1', 'VirtualMachine default/vm2']);
      // dry-run: nothing was stored
      await assert.rejects(client.request('GET', '/api/v1/namespaces/kube-system/configmaps/ovn-external-gw-config'), /404|not found/i);
    });
  }

  test('a manifest the server would refuse is refused (the dry-run really validates)', async () => {
    const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_A_Name', namespace: 'kube-system' }, data: { a: 'b' } };
    await assert.rejects(dryRunApply(bad), /invalid|Invalid/);
    const badVm = { ...(planManifests(buildKindPlan(KIND_PLAN_VARIATIONS.default)).find((m) => m.kind === 'VirtualMachine') as KubeManifest) };
    (badVm as Record<string, unknown>).spec = 'not an object';
    await assert.rejects(dryRunApply(badVm), /spec|Invalid|invalid/);
  });
});

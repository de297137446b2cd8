import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Backoff } from '../../../src/k8s/backoff';
import { clusterFactsFromSnapshot } from '../../../src/k8s/cluster-facts';
import { snapshotFrom } from '../../../src/k8s/cluster-snapshot';
import { describeNetworkError } from '../../../src/k8s/kube-errors';
import { formatKubeOvnVersion, versionFromDeployment, versionFromImage } from '../../../src/k8s/kube-ovn-version';
import { InvalidInputError, checkAnnotationKey, checkIp, checkLabel, checkSubdomain, isDns1123Label, isDns1123Subdomain } from '../../../src/k8s/names';
import { exitCodeOf } from '../../../src/k8s/ovn-pods';
import { RESOURCES, RESOURCE_KEYS, objectKey, resourcePath, scopeText } from '../../../src/k8s/resource-catalogue';
import { diffObjects, formatChanges } from '../../../src/k8s/server-side-apply';
import { subnet, vmIp, vpc } from '../../fixtures/k8s-objects';

describe('names', () => {
  test('DNS-1123 labels and subdomains', () => {
    for (const ok of ['a', 'vm-1', '0abc', 'a'.repeat(63)]) assert.ok(isDns1123Label(ok), ok);
    for (const bad of ['', 'A', '-a', 'a-', 'a_b', 'a.b', 'a'.repeat(64), 'a b', 'a;rm']) assert.ok(!isDns1123Label(bad), bad);
    assert.ok(isDns1123Subdomain('vm1.default'));
    assert.ok(isDns1123Subdomain('ns-vm.team-a.attach.team-a.ovn'));
    for (const bad of ['a..b', '.a', 'a.', 'UPPER.case', `${'a'.repeat(64)}.b`, 'a'.repeat(254)]) assert.ok(!isDns1123Subdomain(bad), bad);
  });

  test('checks throw messages that say what is allowed', () => {
    assert.throws(() => checkLabel('namespace', 'Team_A'), (e: Error) => e instanceof InvalidInputError && /invalid namespace "Team_A": use at most 63 lower-case/.test(e.message));
    assert.throws(() => checkSubdomain('VirtualMachine name', '../etc'), /invalid VirtualMachine name/);
    assert.equal(checkLabel('namespace', 'default'), 'default');
    assert.throws(() => checkIp('EIP', '172.18.0.300'), /invalid EIP "172.18.0.300": give an IPv4 address/);
    assert.throws(() => checkIp('EIP', 'fd00::1'), /IPv4/);
    assert.equal(checkIp('EIP', 'fd00::1', 'any'), 'fd00::1');
    assert.equal(checkAnnotationKey('ovn.kubernetes.io/ip_address'), 'ovn.kubernetes.io/ip_address');
    assert.equal(checkAnnotationKey('attachnet.default.ovn.kubernetes.io/allow_live_migration'), 'attachnet.default.ovn.kubernetes.io/allow_live_migration');
    assert.throws(() => checkAnnotationKey('bad key/x'), /invalid annotation key/);
    assert.throws(() => checkAnnotationKey('ovn.kubernetes.io/'), /invalid annotation key/);
  });
});

describe('resource catalogue', () => {
  test('paths for core, CRD, cluster-scoped and namespaced kinds', () => {
    assert.equal(resourcePath(RESOURCES.pods, 'kube-system'), '/api/v1/namespaces/kube-system/pods');
    assert.equal(resourcePath(RESOURCES.pods), '/api/v1/pods');
    assert.equal(resourcePath(RESOURCES.nodes, 'ignored', 'n1'), '/api/v1/nodes/n1');
    assert.equal(resourcePath(RESOURCES.subnets, 'ns-ignored', 'ovn-default'), '/apis/kubeovn.io/v1/subnets/ovn-default');
    assert.equal(resourcePath(RESOURCES.virtualmachines, 'default', 'vm1', 'status'), '/apis/kubevirt.io/v1/namespaces/default/virtualmachines/vm1/status');
    assert.throws(() => resourcePath(RESOURCES.virtualmachines, undefined, 'vm1'), /namespaced/);
  });

  test('Kube-OVN kinds are cluster-scoped, KubeVirt and NAD namespaced; every key is its plural', () => {
    for (const k of RESOURCE_KEYS) assert.equal(RESOURCES[k].plural, k);
    for (const k of RESOURCE_KEYS.filter((x) => RESOURCES[x].group === 'kubeovn.io')) assert.equal(RESOURCES[k].namespaced, false, k);
    assert.equal(RESOURCES.virtualmachines.namespaced, true);
    assert.equal(RESOURCES['network-attachment-definitions'].namespaced, true);
    assert.equal(RESOURCE_KEYS.length, 19);
    assert.equal(objectKey('ns', 'a'), 'ns/a');
    assert.equal(objectKey(undefined, 'a'), 'a');
    assert.equal(scopeText(RESOURCES.virtualmachines, 'team-a'), 'virtualmachines.kubevirt.io in namespace team-a');
    assert.equal(scopeText(RESOURCES.subnets, 'team-a'), 'subnets.kubeovn.io (cluster-wide)');
  });
});

describe('Kube-OVN version', () => {
  test('from image tags', () => {
    assert.equal(versionFromImage('docker.io/kubeovn/kube-ovn:v1.13.2'), 'v1.13.2');
    assert.equal(versionFromImage('registry:5000/kubeovn/kube-ovn:v1.14.0-rc.1'), 'v1.14.0-rc.1');
    assert.equal(versionFromImage('kubeovn/kube-ovn:1.12.35'), 'v1.12.35');
    assert.equal(versionFromImage('kubeovn/kube-ovn:v1.13.2@sha256:abcd'), 'v1.13.2');
    assert.equal(versionFromImage('registry:5000/kubeovn/kube-ovn'), undefined, 'a registry port is not a tag');
    assert.equal(versionFromImage('kubeovn/kube-ovn:latest'), undefined);
  });

  test('from the Deployment, with a clear unknown', () => {
    const dep = (image?: string) => ({ metadata: { name: 'kube-ovn-controller' }, spec: { template: { spec: { containers: [{ name: 'kube-ovn-controller', image }] } } } });
    assert.deepEqual(versionFromDeployment(dep('docker.io/kubeovn/kube-ovn:v1.13.2')), { known: true, version: 'v1.13.2', image: 'docker.io/kubeovn/kube-ovn:v1.13.2' });
    const latest = versionFromDeployment(dep('kubeovn/kube-ovn:latest'));
    assert.equal(formatKubeOvnVersion(latest), 'unknown (image kubeovn/kube-ovn:latest has no version tag)');
    assert.equal(formatKubeOvnVersion(versionFromDeployment(undefined)), 'unknown (no kube-ovn-controller Deployment found)');
    assert.equal(versionFromDeployment(dep(undefined)).known, false);
  });
});

describe('server-side apply diff', () => {
  test('reports added, removed and changed fields; ignores volatile metadata and status', () => {
    const before = {
      metadata: { name: 'vm', resourceVersion: '1', managedFields: [{}], annotations: { a: '1', 'ovn.kubernetes.io/ip_address': '10.0.0.5' } },
      spec: { runStrategy: 'Always', list: [1, 2] },
      status: { x: 1 },
    };
    const after = {
      metadata: { name: 'vm', resourceVersion: '2', managedFields: [{}, {}], annotations: { a: '1', 'ovn.kubernetes.io/ip_address': '10.0.0.6', b: 'new' } },
      spec: { list: [1, 2, 3] },
      status: { x: 2 },
    };
    const changes = diffObjects(before, after);
    assert.deepEqual(changes, [
      { op: 'add', path: 'metadata.annotations.b', after: 'new' },
      { op: 'change', path: 'metadata.annotations["ovn.kubernetes.io/ip_address"]', before: '10.0.0.5', after: '10.0.0.6' },
      { op: 'change', path: 'spec.list', before: [1, 2], after: [1, 2, 3] },
      { op: 'remove', path: 'spec.runStrategy', before: 'Always' },
    ]);
    assert.equal(
      formatChanges(changes),
      [
        '+ metadata.annotations.b: "new"',
        '~ metadata.annotations["ovn.kubernetes.io/ip_address"]: "10.0.0.5" → "10.0.0.6"',
        '~ spec.list: [1,2] → [1,2,3]',
        '- spec.runStrategy: "Always"',
      ].join('\n'),
    );
    assert.equal(formatChanges([]), '(no changes)');
  });
});

describe('small pieces', () => {
  test('backoff doubles up to the ceiling, with ±20 % jitter, and resets', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0.5);
    assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
    b.reset();
    assert.equal(b.next(), 100);
    const low = new Backoff({ initialMs: 100 }, () => 0);
    assert.equal(low.next(), 80);
  });

  test('exec exit codes from the Status the API server sends', () => {
    assert.equal(exitCodeOf({ status: 'Success' }), 0);
    assert.equal(exitCodeOf({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }), 3);
    assert.equal(exitCodeOf({ status: 'Failure', message: 'container not found' }), 1);
  });

  test('network errors are described by their innermost cause', () => {
    const e = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }) });
    assert.equal(describeNetworkError(e), 'connect ECONNREFUSED 127.0.0.1:6443');
  });

  test('ClusterFacts for the YAML layer come from Subnets, IPs and VPCs', () => {
    const snap = snapshotFrom({
      subnets: [subnet('ovn-default', '10.16.0.0/16', { excludeIps: ['10.16.0.1..10.16.0.10'] })],
      ips: [vmIp('default', 'vm1', '10.16.0.20', 'ovn-default')],
      vpcs: [vpc('ovn-cluster')],
    });
    const facts = clusterFactsFromSnapshot(snap, { source: 'context kind-ovnlab', kubeOvnVersion: 'v1.13.2' });
    assert.equal(facts.source, 'context kind-ovnlab');
    assert.equal(facts.kubeOvnVersion, 'v1.13.2');
    assert.deepEqual(facts.subnets[0].excludeIps, ['10.16.0.1..10.16.0.10']);
    assert.equal(facts.subnets[0].cidrBlock, '10.16.0.0/16');
    assert.deepEqual(facts.ips, [{ name: 'vm1.default', addresses: ['10.16.0.20'], subnet: 'ovn-default', podName: 'vm1', namespace: 'default' }]);
    assert.deepEqual(facts.vpcs, [{ name: 'ovn-cluster', namespaces: undefined }]);
  });
});

// The local control plane on the real kube-apiserver and etcd: it starts on loopback, our CRDs
// install and are enforced by the server's own validation, RBAC limits a namespaced user, and
// stop() leaves no process, port or directory behind.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { createConnection } from 'node:net';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
  VersionApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { apiErrorMessage, findCrdDir, installCrds, installOvnlabCrds, loadCrds, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../src/k8s/crd-install';
import { ensureControlPlaneBinaries } from '../../src/lab/local/control-plane-binaries';
import { isRunning, startKubeApiServer } from '../../src/lab/local/kube-apiserver';
import { kubeApiServerUnavailable, startTestKubeApiServer, type TestKubeApiServer } from '../fixtures/kube-apiserver';

const unavailable = await kubeApiServerUnavailable();
if (unavailable) console.log(`# skipping kube-apiserver tests: ${unavailable}`);

/** The error a request failed with (asserting that it did fail). */
async function failure(p: Promise<unknown>): Promise<ApiException<unknown>> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiException, `expected an API error, got ${String(e)}`);
    return e;
  }
  assert.fail('the request succeeded but should have been refused');
}

function getTable(api: TestKubeApiServer, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.server}${path}`, {
      ca: api.caPem,
      headers: { authorization: `Bearer ${api.token}`, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

describe('local kube-apiserver + etcd', { skip: unavailable }, () => {
  let api: TestKubeApiServer;

  before(async () => {
    api = await startTestKubeApiServer({ crds: true, users: [{ name: 'alice', groups: ['team-a-devs'] }] });
  });

  after(async () => {
    await api?.stop();
  });

  test('serves the pinned Kubernetes version on loopback with the admin kubeconfig', async () => {
    assert.match(api.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(existsSync(api.kubeconfigPath), 'kubeconfig written beside the server');
    const version = await api.kc.makeApiClient(VersionApi).getCode();
    assert.equal(version.major, '1');
    const namespaces = await api.kc.makeApiClient(CoreV1Api).listNamespace();
    assert.ok(namespaces.items.some((n) => n.metadata?.name === 'default'), 'the default namespace exists');
  });

  test('all CRDs are installed and Established, with Kube-OVN printer columns', async () => {
    const kubeovn = ['vpcs', 'subnets', 'ips', 'ippools', 'ovn-eips', 'ovn-fips', 'ovn-snat-rules', 'ovn-dnat-rules',
      'iptables-eips', 'iptables-fip-rules', 'vpc-nat-gateways'].map((p) => `${p}.kubeovn.io`);
    const kubevirt = ['virtualmachines', 'virtualmachineinstances', 'virtualmachineinstancemigrations'].map((p) => `${p}.kubevirt.io`);
    const expected = [...kubeovn, ...kubevirt, 'network-attachment-definitions.k8s.cni.cncf.io'];
    assert.deepEqual([...api.crds].sort(), expected.sort());
    const ext = api.kc.makeApiClient(ApiextensionsV1Api);
    for (const name of expected) {
      const crd = await ext.readCustomResourceDefinition({ name });
      assert.equal(crd.status?.conditions?.find((c) => c.type === 'Established')?.status, 'True', `${name} Established`);
      assert.equal(crd.spec.scope, name.endsWith('.kubeovn.io') ? 'Cluster' : 'Namespaced', `${name} scope`);
    }
    const objects = api.kc.makeApiClient(CustomObjectsApi);
    await objects.createClusterCustomObject({
      group: 'kubeovn.io', version: 'v1', plural: 'subnets',
      body: { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: 'net1' },
        spec: { cidrBlock: '10.66.0.0/24', gateway: '10.66.0.1', excludeIps: ['10.66.0.1..10.66.0.9'], protocol: 'IPv4', natOutgoing: true, someFutureField: 'kept' } },
    });
    const got = (await objects.getClusterCustomObject({ group: 'kubeovn.io', version: 'v1', plural: 'subnets', name: 'net1' })) as { spec: Record<string, unknown> };
    assert.deepEqual(got.spec.excludeIps, ['10.66.0.1..10.66.0.9']);
    assert.equal(got.spec.someFutureField, 'kept', 'unknown spec fields are preserved, not pruned');
    const table = await getTable(api, '/apis/kubeovn.io/v1/subnets');
    assert.equal(table.status, 200, table.body);
    const parsed = JSON.parse(table.body) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    const cols = parsed.columnDefinitions.map((c) => c.name);
    assert.ok(cols.includes('CIDR') && cols.includes('ExcludeIPs'), `columns: ${cols.join(',')}`);
    assert.equal(parsed.rows[0].cells[cols.indexOf('CIDR')], '10.66.0.0/24');
  });

  test('re-installing replaces our CRDs and leaves a same-named foreign CRD alone', async () => {
    assert.deepEqual((await installOvnlabCrds(api.kc)).sort(), [...api.crds].sort(), 'idempotent');
    const widget = (column: string, ours: boolean): V1CustomResourceDefinition => ({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com', labels: ours ? { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } : {} },
      spec: {
        group: 'example.com', scope: 'Cluster', names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
        versions: [{ name: 'v1', served: true, storage: true, additionalPrinterColumns: [{ name: column, type: 'string', jsonPath: '.spec.x' }],
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } } } } }],
      },
    });
    const ext = api.kc.makeApiClient(ApiextensionsV1Api);
    const column = async () => (await ext.readCustomResourceDefinition({ name: 'widgets.example.com' })).spec.versions[0].additionalPrinterColumns?.[0].name;
    await installCrds(api.kc, [widget('Theirs', false)]);
    await installCrds(api.kc, [widget('Ours', true)]);
    assert.equal(await column(), 'Theirs', 'a CRD someone else installed is kept');
    await installCrds(api.kc, [widget('Ours', true)], { replaceForeign: true });
    assert.equal(await column(), 'Ours', 'replaced when asked');
    await installCrds(api.kc, [widget('Ours again', true)]);
    assert.equal(await column(), 'Ours again', 'our own CRD is updated on re-install');
  });

  test('the server refuses invalid objects with its own validation message', async () => {
    const objects = api.kc.makeApiClient(CustomObjectsApi);
    const wrongType = await failure(objects.createClusterCustomObject({
      group: 'kubeovn.io', version: 'v1', plural: 'subnets',
      body: { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: 'bad-type' }, spec: { cidrBlock: 24 } },
    }));
    assert.equal(wrongType.code, 422);
    assert.match(apiErrorMessage(wrongType), /spec\.cidrBlock: Invalid value: "integer": spec\.cidrBlock in body must be of type string/);

    const missing = await failure(objects.createClusterCustomObject({
      group: 'kubeovn.io', version: 'v1', plural: 'subnets',
      body: { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: 'no-cidr' }, spec: { protocol: 'IPv4' } },
    }));
    assert.equal(missing.code, 422);
    assert.match(apiErrorMessage(missing), /spec\.cidrBlock: Required value/);

    const notCidr = await failure(objects.createClusterCustomObject({
      group: 'kubeovn.io', version: 'v1', plural: 'subnets',
      body: { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: 'not-cidr' }, spec: { cidrBlock: '10.0.0.0' } },
    }));
    assert.match(apiErrorMessage(notCidr), /spec\.cidrBlock in body should match/);

    const migration = await failure(objects.createNamespacedCustomObject({
      group: 'kubevirt.io', version: 'v1', namespace: 'default', plural: 'virtualmachineinstancemigrations',
      body: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstanceMigration', metadata: { name: 'm1' }, spec: {} },
    }));
    assert.match(apiErrorMessage(migration), /spec\.vmiName: Required value/);
  });

  test('a user bound to one namespace by RBAC gets 403 elsewhere (token and certificate users)', async () => {
    const core = api.kc.makeApiClient(CoreV1Api);
    for (const name of ['team-a', 'team-b']) await core.createNamespace({ body: { metadata: { name } } });
    const rbac = api.kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: 'team-a',
      body: { metadata: { name: 'vm-editor' }, rules: [{ apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }] },
    });
    // the vm-editor role in team-a, bound to one group or user
    const bindVmEditor = (name: string, subject: { kind: 'Group' | 'User'; name: string }) => rbac.createNamespacedRoleBinding({
      namespace: 'team-a',
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'vm-editor' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', ...subject }],
      },
    });
    await bindVmEditor('devs-edit-vms', { kind: 'Group', name: 'team-a-devs' });
    const vm = (ns: string, name: string) => ({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace: ns },
      spec: { runStrategy: 'Always', template: { metadata: { annotations: { 'ovn.kubernetes.io/ip_address': '10.66.0.15' } }, spec: { domain: { devices: {} } } } },
    });

    // alice: static token user in group team-a-devs
    const alice = api.kubeConfigFor('alice').makeApiClient(CustomObjectsApi);
    await alice.createNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'team-a', plural: 'virtualmachines', body: vm('team-a', 'vm1') });
    const list = (await alice.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'team-a', plural: 'virtualmachines' })) as { items: unknown[] };
    assert.equal(list.items.length, 1);
    const otherNs = await failure(alice.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'team-b', plural: 'virtualmachines' }));
    assert.equal(otherNs.code, 403);
    assert.match(apiErrorMessage(otherNs), /User "alice" cannot list resource "virtualmachines" in API group "kubevirt.io" in the namespace "team-b"/);
    const clusterScoped = await failure(alice.listClusterCustomObject({ group: 'kubeovn.io', version: 'v1', plural: 'subnets' }));
    assert.equal(clusterScoped.code, 403);

    // bob: added after start with a client certificate; authenticated (403, not 401) until bound
    const bob = await api.addUser('bob', { groups: ['team-b-devs'] });
    assert.ok(existsSync(bob.kubeconfigPath));
    const bobApi = api.kubeConfigFor('bob').makeApiClient(CustomObjectsApi);
    const denied = await failure(bobApi.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'team-a', plural: 'virtualmachines' }));
    assert.equal(denied.code, 403);
    assert.match(apiErrorMessage(denied), /User "bob" cannot list/);
    await bindVmEditor('bob-edit-vms', { kind: 'User', name: 'bob' });
    // RBAC bindings take effect through the authorizer's informer: allow it a moment.
    let allowed = false;
    for (let i = 0; i < 50 && !allowed; i++) {
      try {
        await bobApi.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'team-a', plural: 'virtualmachines' });
        allowed = true;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(allowed, 'bob can list VMs in team-a once bound');
  });

  test('stop() ends both daemons and removes the directory and ports', async () => {
    const { pids, dir } = api;
    const port = Number(new URL(api.server).port);
    const etcdPort = Number(new URL(api.etcdUrl).port);
    assert.ok(await isRunning(pids.kubeApiserver));
    assert.ok(await isRunning(pids.etcd));
    await api.stop();
    assert.equal(await isRunning(pids.kubeApiserver), false, 'kube-apiserver gone');
    assert.equal(await isRunning(pids.etcd), false, 'etcd gone');
    assert.equal(existsSync(dir), false, 'working directory removed');
    assert.equal(await portOpen(port), false, 'API port closed');
    assert.equal(await portOpen(etcdPort), false, 'etcd port closed');
    await api.stop(); // idempotent
  });
});

// Debian's etcd-server (3.4) is older than the etcd kubeadm pairs with 1.34 (3.6); the launcher
// must work with both, since CI may install either. Runs only when both are present.
const etcdOnPath = existsSync('/usr/bin/etcd') ? '/usr/bin/etcd' : undefined;
describe('local kube-apiserver with the distribution etcd', { skip: unavailable ?? (etcdOnPath ? undefined : 'no /usr/bin/etcd (apt-get install etcd-server)') }, () => {
  test('starts, stores a Subnet and stops cleanly on etcd from /usr/bin', async () => {
    const found = await ensureControlPlaneBinaries({ allowBuild: true });
    const api = await startKubeApiServer({ binaries: { ...found, etcd: { path: etcdOnPath ?? '', source: 'path' } } });
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(api.kubeconfigPath);
      await installCrds(kc, (await loadCrds((await findCrdDir()) ?? '')).filter((c) => c.metadata?.name === 'subnets.kubeovn.io'));
      const objects = kc.makeApiClient(CustomObjectsApi);
      await objects.createClusterCustomObject({
        group: 'kubeovn.io', version: 'v1', plural: 'subnets',
        body: { apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name: 'on-etcd34' }, spec: { cidrBlock: '10.77.0.0/24' } },
      });
      const got = (await objects.getClusterCustomObject({ group: 'kubeovn.io', version: 'v1', plural: 'subnets', name: 'on-etcd34' })) as { spec: { cidrBlock: string } };
      assert.equal(got.spec.cidrBlock, '10.77.0.0/24');
    } finally {
      await api.stop();
    }
    assert.equal(await isRunning(api.pids.etcd), false);
    assert.equal(await isRunning(api.pids.kubeApiserver), false);
  });
});

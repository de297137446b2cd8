// The Kubernetes layer against a REAL kube-apiserver + etcd (no mocks): the store lists and
// follows every catalogue resource, relists after a real 410 Gone from a compacted etcd, stale
// writes get the server's 409, a namespace-bound token gets 403 shown as "no access to …",
// CRD schemas refuse invalid objects with the server's message, and the cluster OvnTarget's
// pod discovery runs on real Pod/Node objects. Exec itself needs a kubelet, which cannot run
// here; the exec test only shows the request reaches the API server and fails clearly.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { getCommands } from '../../src/cli/commands/get';
import { runCli } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/command';
import { ClusterOvnTarget } from '../../src/k8s/cluster-ovn-target';
import { ClusterStore, type StoreChange } from '../../src/k8s/cluster-store';
import { createOvnEip, createOvnFip, setPodEip } from '../../src/k8s/eip-actions';
import { KubeClient } from '../../src/k8s/kube-client';
import { KubeApiError } from '../../src/k8s/kube-errors';
import { detectKubeOvnVersion, formatKubeOvnVersion } from '../../src/k8s/kube-ovn-version';
import { StaleObjectError, createObject, deleteObject, getObject, mergePatchObject } from '../../src/k8s/kube-objects';
import { vmRows } from '../../src/k8s/joined-views';
import { InvalidInputError } from '../../src/k8s/names';
import { OvnPodNotFoundError, execInPod, findOvnCentralLeader, findOvsPod, ovsPodsByNode } from '../../src/k8s/ovn-pods';
import { RESOURCES, RESOURCE_KEYS, type ResourceKey, objectKey, resourcePath } from '../../src/k8s/resource-catalogue';
import type { KubeList, KubeObject, VirtualMachineInstanceMigration } from '../../src/k8s/resources';
import { formatChanges, planApply } from '../../src/k8s/server-side-apply';
import { StoreSwitcher } from '../../src/k8s/store-switcher';
import { createMigration, followMigration, patchVmTemplateAnnotations, vmLifecycle } from '../../src/k8s/vm-actions';
import { kubeApiServerUnavailable, startTestKubeApiServer, type TestKubeApiServer } from '../fixtures/kube-apiserver';
import { node, pod, subnet, vm, vmIp, vmi } from '../fixtures/k8s-objects';
import { deleteNamespaceNow, ensureNamespace, grantNamespaceRead, sampleObject } from '../fixtures/k8s-samples';
import { startTcpProxy, type TcpProxy } from '../fixtures/tcp-proxy';

const unavailable = await kubeApiServerUnavailable();
if (unavailable) console.log(`# skipping k8s store tests: ${unavailable}`);

const FAST_BACKOFF = { initialMs: 50, maxMs: 500, persistentMs: 500 };

/** Resolves with the first change matching `pred` and how long it took to arrive. */
function nextChange(store: ClusterStore, pred: (c: StoreChange) => boolean, timeoutMs = 5000): Promise<{ change: StoreChange; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching change within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = store.onChange((c) => {
      if (!pred(c)) return;
      clearTimeout(timer);
      off();
      resolve({ change: c, ms: performance.now() - t0 });
    });
  });
}

async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The same kubeconfig pointing at another server URL (through the proxy). */
function kubeConfigVia(kc: KubeConfig, server: string): KubeConfig {
  const cfg = JSON.parse(kc.exportConfig()) as { clusters: { cluster: { server: string } }[] };
  for (const c of cfg.clusters) c.cluster.server = server;
  const out = new KubeConfig();
  out.loadFromString(JSON.stringify(cfg));
  return out;
}

function memoryIo(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), readStdin: async () => '', env, signal: new AbortController().signal };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected the call to fail');
}

describe('k8s layer against a real kube-apiserver', { skip: unavailable }, () => {
  let api: TestKubeApiServer;
  let admin: KubeClient;
  const NS = 'store-a';

  before(async () => {
    api = await startTestKubeApiServer({ crds: true, users: [{ name: 'alice' }] });
    admin = new KubeClient(api.kc);
    await ensureNamespace(admin, NS);
  });

  after(async () => {
    await api?.stop();
  });

  test('the store lists every catalogue resource, then follows creates, updates and deletes of each within 1 s', async () => {
    // one object of every kind before the store starts: the LIST must bring them
    for (const key of RESOURCE_KEYS) await createObject(admin, key, sampleObject(key, `listed-${key.slice(0, 20)}`, NS));
    const store = new ClusterStore(admin, { backoff: FAST_BACKOFF }).start();
    try {
      await store.ready;
      for (const key of RESOURCE_KEYS) {
        assert.equal(store.status(key).state, 'synced', `${key}: ${store.status(key).message}`);
        const def = RESOURCES[key];
        assert.ok(store.get(key, NS, `listed-${key.slice(0, 20)}`), `${key} listed (${def.kind})`);
      }
      const worst: Record<string, number> = {};
      for (const key of RESOURCE_KEYS) {
        const name = `live-${key.slice(0, 20)}`;
        const def = RESOURCES[key];
        const ns = def.namespaced ? NS : undefined;
        const match = (type: string) => (c: StoreChange) => c.type === type && c.resource === key && c.object.metadata.name === name;

        const added = nextChange(store, match('added'));
        await createObject(admin, key, sampleObject(key, name, NS));
        const a = await added;
        assert.equal(a.change.kind, def.kind);

        const modified = nextChange(store, match('modified'));
        await mergePatchObject(admin, key, ns, name, { metadata: { labels: { touched: 'yes' } } });
        const m = await modified;
        assert.equal(m.change.object.metadata.labels?.touched, 'yes');
        assert.equal(store.get(key, ns, name)?.metadata.labels?.touched, 'yes');

        const deleted = nextChange(store, match('deleted'));
        if (key === 'namespaces') await deleteNamespaceNow(admin, name);
        else await deleteObject(admin, key, ns, name);
        const d = await deleted;
        assert.equal(store.get(key, ns, name), undefined);
        worst[key] = Math.max(a.ms, m.ms, d.ms);
      }
      for (const [key, ms] of Object.entries(worst)) assert.ok(ms < 1000, `${key}: a change took ${ms.toFixed(0)} ms to reach the store`);
      console.log(`# slowest change per resource (ms): ${Object.entries(worst).map(([k, v]) => `${k}=${v.toFixed(0)}`).join(' ')}`);
    } finally {
      await store.stop();
    }
    assert.equal(store.connection.state, 'stopped');
  });

  test('an update with a stale resourceVersion gets the server\'s 409: reported, or retried on fresh data', async () => {
    await createObject(admin, 'virtualmachines', vm(NS, 'stale-vm'));
    const read = await getObject(admin, 'virtualmachines', NS, 'stale-vm');
    const staleRv = read?.metadata.resourceVersion;
    assert.ok(staleRv);
    // someone else changes the VM after we read it
    await mergePatchObject(admin, 'virtualmachines', NS, 'stale-vm', { metadata: { labels: { other: 'writer' } } });

    const err = await rejection(
      patchVmTemplateAnnotations(admin, NS, 'stale-vm', { 'ovn.kubernetes.io/ip_address': '10.16.0.30' }, { resourceVersion: staleRv, onConflict: 'report' }),
    );
    assert.ok(err instanceof StaleObjectError, String(err));
    assert.match(err.message, new RegExp(`VirtualMachine ${NS}/stale-vm was changed by someone else \\(you had resourceVersion ${staleRv}, it is now \\d+\\): reload it and try again`));
    assert.match(err.message, /the object has been modified/, 'the server\'s own words are kept');
    const untouched = await getObject(admin, 'virtualmachines', NS, 'stale-vm');
    assert.equal(untouched?.spec?.template?.metadata?.annotations?.['ovn.kubernetes.io/ip_address'], undefined, 'nothing written on 409');

    const done = await patchVmTemplateAnnotations(admin, NS, 'stale-vm', { 'ovn.kubernetes.io/ip_address': '10.16.0.30' }, { resourceVersion: staleRv });
    assert.equal(done.conflictsRetried, 1);
    assert.equal(done.object.spec?.template?.metadata?.annotations?.['ovn.kubernetes.io/ip_address'], '10.16.0.30');
    assert.equal(done.object.metadata.labels?.other, 'writer', 'the other writer\'s change survives the retry');
  });

  test('a token bound by RBAC to one namespace gets 403 shown as "no access to …", and the rest keeps working', async () => {
    await ensureNamespace(admin, 'team-a');
    await ensureNamespace(admin, 'team-b');
    await createObject(admin, 'virtualmachines', vm('team-a', 'alice-vm'));
    await grantNamespaceRead(admin, 'team-a', 'alice', [
      { group: 'kubevirt.io', resources: ['virtualmachines', 'virtualmachineinstances', 'virtualmachineinstancemigrations'] },
      { group: '', resources: ['pods'] },
    ]);
    const alice = new KubeClient(api.kubeConfigFor('alice'));
    // RBAC bindings reach the authorizer through its informer: wait until it allows the list
    await eventually(() => alice.request('GET', resourcePath(RESOURCES.virtualmachines, 'team-a')).then(() => true, () => undefined), 5000, 'the RoleBinding to apply');

    const resources: ResourceKey[] = ['virtualmachines', 'virtualmachineinstances', 'pods', 'subnets', 'ips'];
    const scoped = new ClusterStore(alice, { namespace: 'team-a', resources, backoff: FAST_BACKOFF }).start();
    const wide = new ClusterStore(alice, { resources: ['virtualmachines'], backoff: FAST_BACKOFF }).start();
    try {
      await scoped.ready;
      await wide.ready;
      assert.equal(scoped.status('virtualmachines').state, 'synced');
      assert.ok(scoped.get('virtualmachines', 'team-a', 'alice-vm'), 'her namespace is listed');
      const subnets = scoped.status('subnets');
      assert.equal(subnets.state, 'forbidden');
      assert.equal(subnets.message, 'no access to subnets.kubeovn.io (cluster-wide)');
      assert.match(subnets.detail ?? '', /User "alice" cannot list resource "subnets" in API group "kubeovn.io" at the cluster scope/);
      assert.equal(wide.status('virtualmachines').message, 'no access to virtualmachines.kubevirt.io in all namespaces');
      assert.equal(scoped.connection.state, 'connected', 'a 403 is no connection failure');

      // the store keeps following what it may read
      const seen = nextChange(scoped, (c) => c.resource === 'virtualmachines' && c.object.metadata.name === 'alice-vm-2');
      await createObject(admin, 'virtualmachines', vm('team-a', 'alice-vm-2'));
      await seen;
    } finally {
      await scoped.stop();
      await wide.stop();
    }

    // and the CLI says the same, with a non-zero exit
    const io = memoryIo();
    const kubeconfig = `${api.dir}/kubeconfig-alice`;
    assert.equal(await runCli(['get', 'vms', '--kubeconfig', kubeconfig, '-n', 'team-b'], io, getCommands), 1);
    assert.match(io.stderr.join('\n'), /no access to virtualmachines\.kubevirt\.io in namespace team-b — the API server said: .*User "alice" cannot list/);
    const partial = memoryIo();
    assert.equal(await runCli(['get', 'vms', '--kubeconfig', kubeconfig, '-n', 'team-a'], partial, getCommands), 3);
    assert.match(partial.stdout.join('\n'), /team-a\s+alice-vm\s+Starting/);
    assert.match(partial.stderr.join('\n'), /warning: no access to ips\.kubeovn\.io \(cluster-wide\)/);
  });

  test('invalid objects are refused by the CRD schema with the server\'s message; bad names never leave the client', async () => {
    const bad = await rejection(createObject(admin, 'subnets', subnet('bad-cidr', '10.0.0.0')));
    assert.ok(bad instanceof KubeApiError);
    assert.equal(bad.status, 422);
    assert.match(bad.message, /Subnet\.kubeovn\.io "bad-cidr" is invalid: spec\.cidrBlock: Invalid value: "10\.0\.0\.0": spec\.cidrBlock in body should match/);
    const viaApply = await rejection(planApply(admin, 'ovn-dnat-rules', { metadata: { name: 'dnat-bad' }, spec: { ovnEip: 'e', internalPort: 'ssh', externalPort: '22' } }));
    assert.match(viaApply.message, /OvnDnatRule dnat-bad was refused by the API server: .*spec\.internalPort in body should match/);
    const name = await rejection(createObject(admin, 'virtualmachines', vm(NS, 'Bad_Name')));
    assert.ok(name instanceof InvalidInputError);
    assert.match(name.message, /invalid VirtualMachine name "Bad_Name"/);
  });

  test('server-side apply as field manager ovnlab shows a dry-run diff first and writes only on commit', async () => {
    await createObject(admin, 'virtualmachines', vm(NS, 'apply-vm'));
    const wanted = vm(NS, 'apply-vm', { pin: '10.16.0.40' });
    const plan = await planApply(admin, 'virtualmachines', wanted, { force: true });
    const text = formatChanges(plan.changes);
    assert.match(text, /\+ spec\.template\.metadata\.annotations\["ovn\.kubernetes\.io\/ip_address"\]: "10\.16\.0\.40"/);
    const before = await getObject(admin, 'virtualmachines', NS, 'apply-vm');
    assert.equal(before?.spec?.template?.metadata?.annotations?.['ovn.kubernetes.io/ip_address'], undefined, 'the dry run stored nothing');
    const applied = await plan.commit();
    assert.equal(applied.spec?.template?.metadata?.annotations?.['ovn.kubernetes.io/ip_address'], '10.16.0.40');
    const managers = ((applied.metadata.managedFields ?? []) as { manager: string; operation: string }[]).map((m) => `${m.manager}/${m.operation}`);
    assert.ok(managers.includes('ovnlab/Apply'), managers.join(','));
    // a plan made stale by another writer is refused rather than applying something not shown
    const plan2 = await planApply(admin, 'virtualmachines', vm(NS, 'apply-vm', { pin: '10.16.0.41' }), { force: true });
    await mergePatchObject(admin, 'virtualmachines', NS, 'apply-vm', { metadata: { labels: { meanwhile: 'x' } } });
    const stale = await rejection(plan2.commit());
    assert.ok(stale instanceof StaleObjectError, String(stale));
  });

  test('VM lifecycle falls back clearly where subresources.kubevirt.io is not served; a migration is created and followed', async () => {
    await createObject(admin, 'virtualmachines', vm(NS, 'life-vm', { runStrategy: 'Halted' }));
    const started = await vmLifecycle(admin, NS, 'life-vm', 'start');
    assert.equal(started.via, 'runStrategy');
    assert.match(started.note ?? '', /subresources\.kubevirt\.io\/v1 is not served by this cluster .*set spec\.runStrategy=Always instead/);
    assert.equal((await getObject(admin, 'virtualmachines', NS, 'life-vm'))?.spec?.runStrategy, 'Always');
    const stopped = await vmLifecycle(admin, NS, 'life-vm', 'stop');
    assert.equal((await getObject(admin, 'virtualmachines', NS, 'life-vm'))?.spec?.runStrategy, 'Halted');
    assert.equal(stopped.via, 'runStrategy');
    const restart = await rejection(vmLifecycle(admin, NS, 'life-vm', 'restart'));
    assert.match(restart.message, /its runStrategy is Halted/);

    await createObject(admin, 'virtualmachineinstances', { ...vmi(NS, 'life-vm'), status: undefined });
    const mig = await createMigration(admin, NS, 'life-vm');
    assert.match(mig.metadata.name, /^life-vm-migration-/);
    const phases: string[] = [];
    const following = followMigration(admin, NS, mig.metadata.name, { onPhase: (p) => phases.push(p), timeoutMs: 10_000 });
    // play KubeVirt's controller: move the phase through the status subresource
    const statusPath = resourcePath(RESOURCES.virtualmachineinstancemigrations, NS, mig.metadata.name, 'status');
    for (const phase of ['Scheduling', 'Running', 'Succeeded']) {
      await new Promise((r) => setTimeout(r, 100));
      await admin.request('PATCH', statusPath, { body: { status: { phase } }, contentType: 'application/merge-patch+json' });
    }
    const final: VirtualMachineInstanceMigration = await following;
    assert.equal(final.status?.phase, 'Succeeded');
    assert.deepEqual(phases, ['Pending', 'Scheduling', 'Running', 'Succeeded']);
    const viaLifecycle = await vmLifecycle(admin, NS, 'life-vm', 'migrate');
    assert.equal(viaLifecycle.via, 'migration-object');
    assert.ok(viaLifecycle.migration?.metadata.name);
  });

  test('pod EIP annotation (dropping routed), OvnEip and OvnFip creation', async () => {
    await createObject(admin, 'pods', { ...pod(NS, 'eip-pod', { annotations: { 'ovn.kubernetes.io/routed': 'true', 'ovn.kubernetes.io/ip_address': '10.16.0.9' } }), status: undefined });
    const p = await setPodEip(admin, NS, 'eip-pod', '172.18.0.77');
    assert.equal(p.metadata.annotations?.['ovn.kubernetes.io/eip'], '172.18.0.77');
    assert.equal(p.metadata.annotations?.['ovn.kubernetes.io/routed'], undefined);
    await assert.rejects(setPodEip(admin, NS, 'eip-pod', '172.18.0.777'), /invalid EIP/);
    const eip = await createOvnEip(admin, { name: 'eip-web', externalSubnet: 'ovn-vpc-external-network', v4Ip: '172.18.0.80' });
    assert.equal(eip.spec?.v4Ip, '172.18.0.80');
    await createObject(admin, 'ips', vmIp(NS, 'web', '10.16.0.55', 'ovn-default'));
    const fip = await createOvnFip(admin, { name: 'fip-web', ovnEip: 'eip-web', ipName: `web.${NS}` });
    assert.equal(fip.spec?.ipName, `web.${NS}`);
  });

  test('OVN pod discovery like kubectl ko, on real Pod and Node objects (exec needs a kubelet, which cannot run here)', async () => {
    for (const n of ['node1', 'node2']) await createObject(admin, 'nodes', node(n));
    const ks = 'kube-system';
    await ensureNamespace(admin, ks);
    const mk = async (name: string, labels: Record<string, string>, container: string, nodeName?: string) => {
      await createObject(admin, 'pods', { ...pod(ks, name, { labels, node: nodeName, containers: [container] }), status: undefined });
      // the kubelet would report Running; we write the status it would
      await admin.request('PATCH', resourcePath(RESOURCES.pods, ks, name, 'status'), {
        body: { status: { phase: 'Running', containerStatuses: [{ name: container, ready: true, image: 'x', imageID: '', restartCount: 0 }] } },
        contentType: 'application/merge-patch+json',
      });
    };
    const noLeader = await rejection(findOvnCentralLeader(admin, 'nb'));
    assert.ok(noLeader instanceof OvnPodNotFoundError);
    assert.match(noLeader.message, /no NB leader pod \(app=ovn-central,ovn-nb-leader=true\) .*no ovn-central pods at all in kube-system/);
    await mk('ovn-central-a', { app: 'ovn-central', 'ovn-nb-leader': 'true', 'ovn-sb-leader': 'false' }, 'ovn-central', 'node1');
    await mk('ovn-central-b', { app: 'ovn-central', 'ovn-nb-leader': 'false', 'ovn-sb-leader': 'true' }, 'ovn-central', 'node2');
    await mk('ovs-ovn-x', { app: 'ovs' }, 'openvswitch', 'node1');
    await mk('ovs-ovn-y', { app: 'ovs' }, 'openvswitch', 'node2');
    await mk('decoy', { app: 'ovs' }, 'something-else', 'node2');

    assert.deepEqual(await findOvnCentralLeader(admin, 'nb'), { namespace: ks, pod: 'ovn-central-a', container: 'ovn-central', node: 'node1' });
    assert.deepEqual(await findOvnCentralLeader(admin, 'sb'), { namespace: ks, pod: 'ovn-central-b', container: 'ovn-central', node: 'node2' });
    assert.deepEqual(await findOvsPod(admin, 'node2'), { namespace: ks, pod: 'ovs-ovn-y', container: 'openvswitch', node: 'node2' });
    assert.deepEqual([...(await ovsPodsByNode(admin)).keys()], ['node1', 'node2']);
    const unknown = await rejection(findOvsPod(admin, 'node9'));
    assert.match(unknown.message, /node "node9" does not exist: nodes with Open vSwitch pods are node1, node2/);
    const other = await rejection(findOvnCentralLeader(admin, 'nb', { namespace: 'kube-ovn' }));
    assert.match(other.message, /no ovn-central pods at all in kube-ovn/);
    await assert.rejects(findOvsPod(admin, 'node1; rm -rf /'), /invalid node name/);

    // exec goes through the API server to the node's kubelet; there is none here, so the
    // server's refusal must come back as a clear error (not a hang, not a crash)
    const target = await findOvsPod(admin, 'node1');
    const execErr = await rejection(execInPod(admin, target, ['ovs-vsctl', 'show'], { timeoutMs: 15_000 }));
    assert.match(execErr.message, /kube-system\/ovs-ovn-x \(container openvswitch\)/);
  });

  test('the cluster OvnTarget runs each tool in the pod kubectl ko would use (pods real, exec recorded: no kubelet here)', async () => {
    const calls: string[] = [];
    const recorded = new ClusterOvnTarget(admin, {
      exec: async (target, argv) => {
        calls.push(`${target.pod}/${target.container}: ${argv.join(' ')}`);
        const json = JSON.stringify({ headings: ['_uuid', 'name'], data: [[['uuid', '0b5e2a8e-0000-4000-8000-000000000001'], 'ovn-default']] });
        return { stdout: argv[0].endsWith('ctl') && argv.includes('list') ? json : 'ok\n', stderr: '', exitCode: 0 };
      },
    });
    assert.deepEqual(await recorded.nodes(), ['node1', 'node2']);
    const rows = await recorded.listRows('nb', 'Logical_Switch');
    assert.equal(rows[0].name, 'ovn-default');
    await recorded.listRows('sb', 'Chassis');
    await recorded.listOvsRows('node2', 'Bridge');
    await recorded.dumpFlows('node1', 'br-int', { names: true });
    await recorded.ovnTrace('ovn-default', 'inport == "vm1.default" && ip4.dst == 10.16.0.1');
    await recorded.ofprotoTrace('node2', 'br-int', 'in_port=1,ip,nw_dst=10.16.0.1');
    assert.deepEqual(calls, [
      'ovn-central-a/ovn-central: ovn-nbctl --format=json --timeout=10 list Logical_Switch',
      'ovn-central-b/ovn-central: ovn-sbctl --format=json --timeout=10 list Chassis',
      'ovs-ovn-y/openvswitch: ovs-vsctl --format=json --timeout=10 list Bridge',
      'ovs-ovn-x/openvswitch: ovs-ofctl dump-flows --names br-int',
      'ovn-central-b/ovn-central: ovn-trace --detailed --ct=new ovn-default inport == "vm1.default" && ip4.dst == 10.16.0.1',
      'ovs-ovn-y/openvswitch: ovs-appctl ofproto/trace br-int in_port=1,ip,nw_dst=10.16.0.1',
    ]);
    await assert.rejects(recorded.dumpFlows('node1', 'br-int; reboot'), /invalid|bridge/i);
    await assert.rejects(recorded.listRows('nb', 'Logical_Switch --all'), /invalid table name/);
    const failing = new ClusterOvnTarget(admin, { exec: async () => ({ stdout: '', stderr: 'ovs-ofctl: br-nope is not a bridge or a socket', exitCode: 1 }) });
    await assert.rejects(failing.dumpFlows('node1', 'br-nope'), /ovs-ofctl failed in kube-system\/ovs-ovn-x \(container openvswitch, exit 1\): ovs-ofctl: br-nope is not a bridge/);
    // a br-int restricted to OpenFlow 1.3: ovs-ofctl's 1.0 is refused, the dump is asked again allowing 1.3-1.5
    const asked: string[] = [];
    const of13 = new ClusterOvnTarget(admin, {
      exec: async (_t, argv) => {
        asked.push(argv.join(' '));
        return argv.includes('-O')
          ? { stdout: ' cookie=0x0, duration=1.0s, table=0, n_packets=0, n_bytes=0, priority=0 actions=drop\n', stderr: '', exitCode: 0 }
          : { stdout: '', stderr: 'ovs-ofctl: br-int: version negotiation failed (we support version 0x01, peer supports version 0x04)', exitCode: 1 };
      },
    });
    assert.match(await of13.dumpFlows('node1', 'br-int'), /actions=drop/);
    assert.deepEqual(asked, ['ovs-ofctl dump-flows br-int', 'ovs-ofctl -O OpenFlow13,OpenFlow14,OpenFlow15 dump-flows br-int']);
    // the real exec path: the API server cannot reach a kubelet here, and says so
    const real = new ClusterOvnTarget(admin, { timeoutMs: 15_000 });
    await assert.rejects(real.listOvsRows('node1', 'Bridge'), (e: Error) => e.name === 'OvnTargetError' && /ovs-vsctl in kube-system\/ovs-ovn-x/.test(e.message));
  });

  test('Kube-OVN version from the kube-ovn-controller image tag, "unknown" when absent', async () => {
    const none = await detectKubeOvnVersion(admin);
    assert.equal(formatKubeOvnVersion(none), 'unknown (no kube-ovn-controller Deployment in kube-system: Kube-OVN is not installed there)');
    await admin.request('POST', '/apis/apps/v1/namespaces/kube-system/deployments', {
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'kube-ovn-controller' },
        spec: {
          selector: { matchLabels: { app: 'kube-ovn-controller' } },
          template: { metadata: { labels: { app: 'kube-ovn-controller' } }, spec: { containers: [{ name: 'kube-ovn-controller', image: 'docker.io/kubeovn/kube-ovn:v1.13.2' }] } },
        },
      },
    });
    assert.equal(formatKubeOvnVersion(await detectKubeOvnVersion(admin)), 'v1.13.2');
  });

  test('ovnlab get vms / subnets print the joined view from the real server (table and --json)', async () => {
    await ensureNamespace(admin, 'cli');
    await createObject(admin, 'subnets', subnet('cli-net', '10.77.0.0/24', { natOutgoing: true }));
    await createObject(admin, 'virtualmachines', vm('cli', 'web', { pin: '10.77.0.10', subnet: 'cli-net' }));
    await createObject(admin, 'ips', vmIp('cli', 'web', '10.77.0.10', 'cli-net', 'node1'));
    const io = memoryIo();
    assert.equal(await runCli(['get', 'vms', '--kubeconfig', api.kubeconfigPath, '-n', 'cli', '--json'], io, getCommands), 0, io.stderr.join('\n'));
    const out = JSON.parse(io.stdout.join('')) as { items: { name: string; ipMode: string; ip: string; subnet: string; vpc: string; node: string }[] };
    assert.deepEqual(
      out.items.map((r) => [r.name, r.ipMode, r.ip, r.subnet, r.vpc, r.node]),
      [['web', 'pinned', '10.77.0.10', 'cli-net', 'ovn-cluster', 'node1']],
    );
    const table = memoryIo();
    assert.equal(await runCli(['get', 'subnets', '--kubeconfig', api.kubeconfigPath], table, getCommands), 0);
    assert.match(table.stdout.join('\n'), /cli-net\s+ovn-cluster\s+10\.77\.0\.0\/24\s+10\.77\.0\.1\s+1\s+252\s+yes\s+1\s+0/);
  });

  test('context switching stops one store and starts another on the other context', async () => {
    const both = new KubeConfig();
    const adminCfg = JSON.parse(api.kc.exportConfig()) as { clusters: unknown[]; users: unknown[]; contexts: unknown[] };
    const aliceCfg = JSON.parse(api.kubeConfigFor('alice').exportConfig()) as { users: unknown[]; contexts: unknown[] };
    both.loadFromString(JSON.stringify({ ...adminCfg, users: [...adminCfg.users, ...aliceCfg.users], contexts: [...adminCfg.contexts, ...aliceCfg.contexts] }));
    const switcher = new StoreSwitcher(both, { resources: ['virtualmachines'], namespace: 'team-a', backoff: FAST_BACKOFF });
    assert.deepEqual(switcher.contexts().sort(), ['admin@ovnlab-local', 'alice@ovnlab-local']);
    const first = await switcher.switchTo('admin@ovnlab-local');
    await first.ready;
    assert.equal(first.context, 'admin@ovnlab-local');
    const second = await switcher.switchTo('alice@ovnlab-local');
    assert.equal(first.connection.state, 'stopped', 'the old store is stopped');
    await second.ready;
    assert.equal(second.context, 'alice@ovnlab-local');
    assert.ok(second.get('virtualmachines', 'team-a', 'alice-vm'));
    await switcher.close();
    assert.equal(second.connection.state, 'stopped');
  });
});

describe('store resilience against a real kube-apiserver: outage, 410 Gone after etcd compaction, recovery', { skip: unavailable }, () => {
  let api: TestKubeApiServer;
  let admin: KubeClient;
  let proxy: TcpProxy;

  before(async () => {
    // No watch cache: watches are served by etcd itself, so a resourceVersion that etcd has
    // compacted away is answered with 410 Gone, as on a cluster after a long disconnection.
    api = await startTestKubeApiServer({ crds: true, extraArgs: ['--watch-cache=false', '--etcd-compaction-interval=2s'] });
    admin = new KubeClient(api.kc);
    proxy = await startTcpProxy('127.0.0.1', Number(new URL(api.server).port));
    await ensureNamespace(admin, 'r');
  });

  after(async () => {
    await proxy?.close();
    await api?.stop();
  });

  test('an unreachable server gives a clear state; after etcd compacted past our resourceVersion the watch gets 410 and the store relists to the right contents', async () => {
    for (const n of ['keep', 'change', 'gone']) await createObject(admin, 'virtualmachines', vm('r', n));
    const client = new KubeClient(kubeConfigVia(api.kc, `https://127.0.0.1:${proxy.port}`));
    const store = new ClusterStore(client, { resources: ['virtualmachines', 'subnets'], backoff: FAST_BACKOFF }).start();
    try {
      await store.ready;
      assert.equal(store.status('virtualmachines').lists, 1);
      assert.deepEqual([...store.map('virtualmachines').keys()].sort(), ['r/change', 'r/gone', 'r/keep']);
      const listedRv = store.get('virtualmachines', 'r', 'keep')?.metadata.resourceVersion;

      proxy.cut();
      const down = await store.waitFor(() => (store.connection.state === 'unreachable' ? store.connection : undefined), 5000, 'the unreachable state');
      assert.match(down.message, new RegExp(`^cannot reach the API server at https://127\\.0\\.0\\.1:${proxy.port}: `));
      const vmStatus = await store.waitFor(() => (store.status('virtualmachines').state === 'unreachable' ? store.status('virtualmachines') : undefined), 5000, 'virtualmachines unreachable');
      assert.equal(vmStatus.message, down.message);

      // while we are away: changes, a delete, an add, and enough other writes for compaction to pass us
      await mergePatchObject(admin, 'virtualmachines', 'r', 'change', { metadata: { labels: { v: '2' } } });
      await deleteObject(admin, 'virtualmachines', 'r', 'gone');
      await createObject(admin, 'virtualmachines', vm('r', 'new'));
      for (let i = 0; i < 20; i++) await createObject(admin, 'configmaps', { metadata: { name: `filler-${i}`, namespace: 'r' }, data: { i: String(i) } });
      // prove etcd compacted past what the store saw: a watch from there is answered 410
      await eventually(async () => {
        const codes: number[] = [];
        const h = await admin.watch(resourcePath(RESOURCES.virtualmachines), { resourceVersion: listedRv, timeoutSeconds: 1 }, (type, obj) => {
          if (type === 'ERROR') codes.push((obj as { code?: number }).code ?? 0);
        }, () => {});
        await new Promise((r) => setTimeout(r, 300));
        h.stop();
        return codes.includes(410) ? true : undefined;
      }, 15_000, 'etcd compaction past the listed resourceVersion');

      const changes: StoreChange[] = [];
      store.onChange((c) => changes.push(c));
      proxy.restore();
      await store.waitFor(() => (store.status('virtualmachines').gone >= 1 && store.status('virtualmachines').lists >= 2 ? true : undefined), 15_000, 'a relist after 410');
      await store.waitFor(() => (store.connection.state === 'connected' ? true : undefined), 5000, 'connected again');

      const truth = await admin.request<KubeList>('GET', resourcePath(RESOURCES.virtualmachines));
      const want = new Map(truth.items.map((o: KubeObject) => [objectKey(o.metadata.namespace, o.metadata.name), o.metadata.resourceVersion]));
      const have = new Map([...store.map('virtualmachines')].map(([k, o]) => [k, o.metadata.resourceVersion]));
      assert.deepEqual(have, want, 'after the relist the store holds exactly what the server has');
      const summary = changes.filter((c) => c.resource === 'virtualmachines').map((c) => `${c.type} ${c.object.metadata.name}`).sort();
      assert.deepEqual(summary, ['added new', 'deleted gone', 'modified change']);
      assert.equal(store.status('virtualmachines').state, 'synced');

      // and it follows live changes again
      const seen = nextChange(store, (c) => c.type === 'added' && c.object.metadata.name === 'after');
      await createObject(admin, 'virtualmachines', vm('r', 'after'));
      assert.ok((await seen).ms < 1000);
      assert.equal(vmRows(store.snapshot()).length, 4);
    } finally {
      await store.stop();
    }
  });
});

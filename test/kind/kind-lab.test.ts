// `npm run test:kind`: the whole kind lab end to end, for machines with a Docker engine:
// up (preflight, tools, cluster, Kube-OVN, Multus, KubeVirt, external network, sample VMs),
// both VMs Running, vm1 pings vm2, a host outside the cluster reaches vm1 at its EIP on the
// external network, then down removes the cluster and the network.
// Without a Docker engine it skips, saying why. It needs virtctl on PATH (or $OVNLAB_VIRTCTL):
// ovnlab has no published checksum for virtctl and will not download it.
// Never run on the development machines of this project (they have no Docker engine).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KindLab } from '../../src/lab/kind/kind-lab';
import { DEFAULT_KIND_PLAN_OPTIONS } from '../../src/lab/kind/plan';
import { checkDocker } from '../../src/lab/kind/preflight';
import { runCommand } from '../../src/lab/kind/step-runner';

const docker = await checkDocker(process.env.OVNLAB_DOCKER ?? 'docker');
const skip = docker.status === 'ok' ? false : `no Docker engine here, so the kind lab cannot run: ${docker.message}`;
if (skip) console.log(`# kind lab end-to-end test skipped: ${skip}`);

describe('kind lab end to end', { skip, timeout: 60 * 60_000 }, () => {
  let dir: string;
  let lab: KindLab;
  const tools = { docker: process.env.OVNLAB_DOCKER ?? 'docker' };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ovnlab-kind-e2e-'));
    lab = new KindLab(dir, { tools: { virtctl: process.env.OVNLAB_VIRTCTL, docker: tools.docker } });
  });
  after(async () => {
    await lab?.down((l) => console.log(`# down: ${l}`)).catch((e: Error) => console.log(`# down failed: ${e.message}`));
    await rm(dir, { recursive: true, force: true });
  });

  test('up brings the cluster, Kube-OVN, KubeVirt and the sample VMs up', async () => {
    const st = await lab.up({}, (l) => console.log(`# ${l}`));
    assert.equal(st.state, 'up', st.notes.join('\n'));
    assert.equal(st.nodes.length, 3);
    assert.ok(st.nodes.every((n) => n.chassisUp), 'every node Ready');
    assert.deepEqual(st.nodes.filter((n) => n.gateway).map((n) => n.name), ['ovnlab-worker']);
    const running = st.vms.filter((v) => v.phase === 'Running').map((v) => v.name).sort();
    assert.deepEqual(running, ['vm1', 'vm2']);
    for (const vm of st.vms) assert.match(vm.ip ?? '', /^10\.16\./, `${vm.name} has an ovn-default address`);
  });

  test('re-running up resumes: every step is already done', async () => {
    const lines: string[] = [];
    await lab.up({}, (l) => lines.push(l));
    const steps = lines.filter((l) => /^\[\d+\/\d+\]/.test(l));
    assert.ok(steps.length > 0);
    for (const l of steps.filter((x) => !/Write the kind cluster config|Fetch kubevirt-operator|Deploy KubeVirt|Configure the|Start the sample VMs/.test(x))) assert.match(l, /already done$/, l);
  });

  test('vm1 pings vm2 over ovn-default', async () => {
    const st = await lab.status();
    const vm2 = st.vms.find((v) => v.name === 'vm2');
    assert.ok(vm2?.ip);
    const r = await lab.exec('vm1', ['ping', '-c', '3', '-W', '2', vm2.ip], { timeoutMs: 120_000 });
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /3 packets transmitted, 3 (packets )?received/);
  });

  test('a host on the external network reaches vm1 at its EIP', async () => {
    const r = await lab.exec('outside', ['ping', '-c', '3', '-W', '2', DEFAULT_KIND_PLAN_OPTIONS.sampleEip], { timeoutMs: 180_000 });
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  });

  test('down removes the cluster and the external network', async () => {
    await lab.down((l) => console.log(`# ${l}`));
    const clusters = await runCommand(['docker', 'ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster=ovnlab', '--format', '{{.Names}}'], { tools, timeoutMs: 60_000 });
    assert.equal(clusters.stdout.trim(), '');
    const net = await runCommand(['docker', 'network', 'inspect', DEFAULT_KIND_PLAN_OPTIONS.externalNetwork.name], { tools, timeoutMs: 60_000 });
    assert.notEqual(net.exitCode, 0, 'the external network is gone');
    assert.equal((await lab.status()).state, 'down');
  });
});

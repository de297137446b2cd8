// KindLab.down (and status) run against stand-in docker/kind/kubectl processes: it removes a
// cluster only when its nodes carry ovnlab's label or lab.json records that ovnlab asked kind to
// create it (a cancelled `up`, API not answering), and a Docker network only when it carries
// ovnlab's label; anything else is left alone and said so. And `up` on this machine, which has
// a Docker client but no engine, stops at preflight with the message the issue asks for.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KindLab } from '../../src/lab/kind/kind-lab';
import { checkDocker } from '../../src/lab/kind/preflight';
import { runCli } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/command';

const fakeCli = resolve('test/fixtures/kind-runner/fake-cli.mjs');

interface World {
  docker: boolean;
  clusters: string[];
  apiUp: boolean;
  labelledNodes: boolean;
  networks: Record<string, string>;
}

describe('kind lab down removes only what ovnlab made', () => {
  let root: string;
  let binDir: string;
  let labDir: string;
  let worldFile: string;
  let logFile: string;
  let env: NodeJS.ProcessEnv;
  const tools: Record<string, string> = {};

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ovnlab-kind-down-'));
    binDir = join(root, 'bin');
    await mkdir(binDir);
    for (const tool of ['docker', 'kind', 'kubectl']) {
      const p = join(binDir, tool);
      await writeFile(p, `#!${process.execPath}\nimport(${JSON.stringify(fakeCli)}).then((m) => m.main(${JSON.stringify(tool)}));\n`);
      await chmod(p, 0o755);
      tools[tool] = p;
    }
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    labDir = await mkdtemp(join(root, 'lab-'));
    worldFile = join(labDir, '..', `${labDir.split('/').pop()}-world.json`);
    logFile = `${worldFile}.log`;
    await writeFile(logFile, '');
    env = { PATH: '', OVNLAB_FAKE_WORLD: worldFile, OVNLAB_FAKE_LOG: logFile };
  });

  async function world(w: World): Promise<void> {
    await writeFile(worldFile, JSON.stringify(w));
  }
  async function calls(): Promise<string[]> {
    return (await readFile(logFile, 'utf8')).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as string[]).join(' '));
  }
  async function record(created: { kind: string; name: string }[]): Promise<void> {
    await writeFile(
      join(labDir, 'lab.json'),
      JSON.stringify({ backend: 'kind', clusterName: 'ovnlab', context: 'kind-ovnlab', externalNetwork: 'ovnlab-external', gatewayNodes: ['ovnlab-worker'], steps: { cluster: 'cancelled' }, created }),
    );
  }
  function lab(): KindLab {
    return new KindLab(labDir, { tools, env });
  }

  test('a labelled cluster and network are deleted, and the lab state is forgotten', async () => {
    await world({ docker: true, clusters: ['ovnlab'], apiUp: true, labelledNodes: true, networks: { 'ovnlab-external': 'kind', kind: '' } });
    await record([{ kind: 'kind-cluster', name: 'ovnlab' }, { kind: 'docker-network', name: 'ovnlab-external' }]);
    const lines: string[] = [];
    await lab().down((l) => lines.push(l));
    const c = await calls();
    assert.ok(c.includes('kind delete cluster --name ovnlab'), c.join('\n'));
    assert.ok(c.includes('docker network rm ovnlab-external'), c.join('\n'));
    assert.ok(!c.some((x) => x.includes('network rm kind')), 'kind\'s own network is not ours');
    assert.deepEqual(lines, ['Deleting kind cluster ovnlab', 'Removing Docker network ovnlab-external']);
    await assert.rejects(stat(join(labDir, 'lab.json')));
    const w = JSON.parse(await readFile(worldFile, 'utf8')) as World;
    assert.deepEqual(w.clusters, []);
    assert.deepEqual(w.networks, { kind: '' });
  });

  test('a cluster and network that ovnlab did not make are left alone', async () => {
    await world({ docker: true, clusters: ['ovnlab'], apiUp: true, labelledNodes: false, networks: { 'ovnlab-external': '' } });
    const lines: string[] = [];
    await lab().down((l) => lines.push(l));
    const c = await calls();
    assert.ok(!c.some((x) => x.startsWith('kind delete')), c.join('\n'));
    assert.ok(!c.some((x) => x.startsWith('docker network rm')), c.join('\n'));
    assert.match(lines.join('\n'), /kind cluster ovnlab was not created by ovnlab .*left alone/);
    assert.match(lines.join('\n'), /Docker network ovnlab-external was not made by ovnlab .*left alone/);
  });

  test('after a cancelled up (cluster recorded, API not answering) down still removes it', async () => {
    await world({ docker: true, clusters: ['ovnlab'], apiUp: false, labelledNodes: false, networks: {} });
    await record([{ kind: 'kind-cluster', name: 'ovnlab' }]);
    await lab().down();
    assert.ok((await calls()).includes('kind delete cluster --name ovnlab'));
  });

  test('without a Docker engine: a recorded lab cannot be removed (clear message), an empty one is just forgotten', async () => {
    await world({ docker: false, clusters: [], apiUp: false, labelledNodes: false, networks: {} });
    await record([{ kind: 'kind-cluster', name: 'ovnlab' }]);
    await assert.rejects(lab().down(), /Docker is not running: start it, or use the local lab \(`ovnlab lab up`\); lab down needs it to remove kind-cluster ovnlab/);
    await record([]);
    await lab().down();
    await assert.rejects(stat(join(labDir, 'lab.json')));
  });

  test('status: down when nothing is recorded and Docker is not running', async () => {
    await world({ docker: false, clusters: [], apiUp: false, labelledNodes: false, networks: {} });
    const st = await lab().status();
    assert.equal(st.backend, 'kind');
    assert.equal(st.state, 'down');
  });

  test('up on this machine stops at preflight when no Docker engine answers', async (t) => {
    // never bring a real cluster up from this suite: with an engine, `npm run test:kind` does that
    if ((await checkDocker()).status === 'ok') return t.skip('a Docker engine answers here; npm run test:kind covers up');
    const dir = await mkdtemp(join(root, 'real-'));
    const lines: string[] = [];
    await assert.rejects(new KindLab(dir, {}).up({}, (l) => lines.push(l)), /^Error: Docker is (not running: start it, or use the local lab \(`ovnlab lab up`\)|not installed)/);
    assert.ok(lines.some((l) => l.startsWith('FAIL  Docker is not')), lines.join('\n'));
    await assert.rejects(stat(join(dir, 'lab.json')), 'nothing was started or recorded');
  });

  test('the CLI: lab status/down --backend kind reach the kind lab; a bad backend is a usage error', async () => {
    await world({ docker: true, clusters: ['ovnlab'], apiUp: true, labelledNodes: true, networks: { 'ovnlab-external': 'kind' } });
    await record([{ kind: 'kind-cluster', name: 'ovnlab' }]);
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      out: (t) => void out.push(t),
      err: (t) => void err.push(t),
      readStdin: async () => '',
      env: { ...env, OVNLAB_KIND_LAB_DIR: labDir, OVNLAB_KIND: tools.kind, OVNLAB_KUBECTL: tools.kubectl, OVNLAB_DOCKER: tools.docker },
      signal: new AbortController().signal,
    };
    assert.equal(await runCli(['lab', 'down', '--backend', 'kind'], io), 0);
    assert.deepEqual(err, ['Deleting kind cluster ovnlab', 'Removing Docker network ovnlab-external']);
    assert.equal(await runCli(['lab', 'status', '--backend', 'kind'], io), 3);
    assert.match(out.join('\n'), /no kind lab \(run `ovnlab lab up --backend kind`\)/);
    assert.equal(await runCli(['lab', 'status', '--backend', 'vagrant'], io), 2);
    assert.match(err.join('\n'), /--backend takes local or kind, got "vagrant"/);
  });

  test('a directory holding another backend\'s lab is refused, and its lab.json is left alone', async () => {
    await world({ docker: true, clusters: [], apiUp: false, labelledNodes: false, networks: {} });
    const local = JSON.stringify({ backend: 'local', nodes: 3 });
    await writeFile(join(labDir, 'lab.json'), local);
    await assert.rejects(lab().down(), /holds the local lab's state \(lab\.json\).*pass another --dir/);
    await assert.rejects(new KindLab(labDir, { tools, env, skipPreflight: true }).up({}, () => {}), /holds the local lab's state/);
    assert.equal(await readFile(join(labDir, 'lab.json'), 'utf8'), local);
  });
});

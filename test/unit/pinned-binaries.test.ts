// Pinned downloads against a local HTTP server (this machine has no route to the real release
// hosts): a matching digest is accepted, a wrong one refused leaving nothing behind; archives
// unpack their binaries into the cache; and the binary finder's search order.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { downloadPinned, installPinnedArchive, KUBE_APISERVER_VERSION, PINNED_ARTIFACTS, type PinnedArtifact } from '../../src/lab/local/pinned-binaries';
import { controlPlaneUnavailable, findBinary } from '../../src/lab/local/control-plane-binaries';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('pinned downloads', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const files = new Map<string, Buffer>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ovnlab-pinned-'));
    server = createServer((req, res) => {
      const body = files.get(req.url ?? '');
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });

  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  test('a file whose sha256 matches is written to its destination', async () => {
    const body = Buffer.from('#!/bin/sh\necho pretend kube-apiserver\n'.repeat(1000));
    files.set('/good', body);
    const artifact: PinnedArtifact = { label: 'test file', url: 'https://example.invalid/never-used', algorithm: 'sha256', digest: sha256(body) };
    const dest = join(dir, 'good', 'kube-apiserver');
    let progress = 0;
    await downloadPinned(artifact, dest, { url: `${base}/good`, onProgress: (n) => (progress = n) });
    assert.deepEqual(await readFile(dest), body);
    assert.equal(progress, body.length);
    assert.deepEqual(await readdir(join(dir, 'good')), ['kube-apiserver'], 'no temporary file left');
  });

  test('a wrong checksum is refused and leaves nothing', async () => {
    files.set('/tampered', Buffer.from('not what was pinned'));
    const artifact: PinnedArtifact = { label: 'test file', url: 'x', algorithm: 'sha256', digest: sha256(Buffer.from('what was pinned')) };
    const target = join(dir, 'bad');
    await mkdir(target);
    await assert.rejects(downloadPinned(artifact, join(target, 'kube-apiserver'), { url: `${base}/tampered` }), /checksum mismatch for test file.*expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}/);
    assert.deepEqual(await readdir(target), []);
  });

  test('an HTTP error is reported and leaves nothing', async () => {
    const target = join(dir, 'missing');
    await mkdir(target);
    const artifact: PinnedArtifact = { label: 'test file', url: 'x', algorithm: 'sha256', digest: sha256(Buffer.from('anything')) };
    await assert.rejects(downloadPinned(artifact, join(target, 'f'), { url: `${base}/nope` }), /HTTP 404/);
    assert.deepEqual(await readdir(target), []);
  });

  test('a pinned archive puts its binaries into the cache as <name>-<version>', async () => {
    const src = join(dir, 'archive-src');
    await mkdir(join(src, 'controller-tools', 'envtest'), { recursive: true });
    for (const n of ['kube-apiserver', 'etcd', 'kubectl']) await writeFile(join(src, 'controller-tools', 'envtest', n), `binary ${n}\n`);
    const tgz = join(dir, 'envtest.tar.gz');
    await execa('tar', ['-czf', tgz, '-C', src, 'controller-tools']);
    const body = await readFile(tgz);
    files.set('/envtest.tar.gz', body);
    const real = PINNED_ARTIFACTS['envtest-v1.34.1-linux-amd64'];
    const artifact: PinnedArtifact = { ...real, digest: sha256(body) };
    const cache = join(dir, 'cache');
    const got = await installPinnedArchive(artifact, cache, { url: `${base}/envtest.tar.gz` });
    assert.deepEqual(got, { 'kube-apiserver': join(cache, 'kube-apiserver-v1.34.1'), etcd: join(cache, 'etcd-v1.34.1') });
    assert.equal(await readFile(got.etcd, 'utf8'), 'binary etcd\n');
    assert.deepEqual((await readdir(cache)).sort(), ['etcd-v1.34.1', 'kube-apiserver-v1.34.1'], 'only the binaries, no work directory');

    const wrong = { ...artifact, digest: sha256(Buffer.from('other')) };
    const cache2 = join(dir, 'cache2');
    await assert.rejects(installPinnedArchive(wrong, cache2, { url: `${base}/envtest.tar.gz` }), /checksum mismatch/);
    assert.deepEqual(await readdir(cache2), [], 'nothing extracted from an unverified archive');
  });

  test('the pinned kube-apiserver version is the one tools/kube-apiserver/go.mod builds', async () => {
    const gomod = await readFile(new URL('../../tools/kube-apiserver/go.mod', import.meta.url), 'utf8');
    const m = /k8s\.io\/kubernetes (v\d+\.\d+\.\d+)/.exec(gomod);
    assert.equal(m?.[1], KUBE_APISERVER_VERSION);
    const minor = KUBE_APISERVER_VERSION.split('.')[1];
    for (const line of gomod.split('\n').filter((l) => l.includes('=> k8s.io/'))) {
      assert.match(line, new RegExp(`=> k8s\\.io/[a-z-]+ v0\\.${minor}\\.`), `staging module pinned to the same minor: ${line.trim()}`);
    }
  });
});

describe('findBinary search order', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ovnlab-find-'));
    for (const p of ['cache/kube-apiserver-v1.33.1', 'cache/kube-apiserver-v1.34.12', 'cache/kube-apiserver-v1.34.2', 'path/kube-apiserver', 'env/kapi', 'path/etcd']) {
      await mkdir(join(dir, p, '..'), { recursive: true });
      await writeFile(join(dir, p), '#!/bin/sh\n');
      await chmod(join(dir, p), 0o755);
    }
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('configured path, then $OVNLAB_KUBE_APISERVER, then the cache (exact, then newest), then PATH', async () => {
    const env = { PATH: join(dir, 'path') };
    const cacheDir = join(dir, 'cache');
    assert.deepEqual(await findBinary('kube-apiserver', { configured: join(dir, 'env/kapi'), cacheDir, env }), { path: join(dir, 'env/kapi'), source: 'configured' });
    assert.deepEqual(await findBinary('kube-apiserver', { cacheDir, env: { ...env, OVNLAB_KUBE_APISERVER: join(dir, 'env/kapi') } }), { path: join(dir, 'env/kapi'), source: 'env' });
    assert.deepEqual(await findBinary('kube-apiserver', { cacheDir, env, version: 'v1.34.2' }), { path: join(cacheDir, 'kube-apiserver-v1.34.2'), source: 'cache' });
    assert.deepEqual(await findBinary('kube-apiserver', { cacheDir, env, version: 'v9.9.9' }), { path: join(cacheDir, 'kube-apiserver-v1.34.12'), source: 'cache' }, 'newest by version, not by name');
    assert.deepEqual(await findBinary('etcd', { cacheDir, env }), { path: join(dir, 'path/etcd'), source: 'path' });
    assert.equal(await findBinary('etcd', { cacheDir, env: { PATH: '' } }), undefined);
  });

  test('a configured path that is not executable is an error saying what to fix', async () => {
    await assert.rejects(findBinary('etcd', { configured: join(dir, 'nope') }), /configured etcd path .*nope is not an executable file: fix the setting or clear it/);
  });

  test('with nothing installed and no way to build, the reason says what to install and run', async () => {
    const why = await controlPlaneUnavailable({ cacheDir: join(dir, 'empty'), env: { PATH: '' }, allowBuild: false });
    assert.match(why ?? '', /^kube-apiserver and etcd not found .*: install etcd \(apt-get install etcd-server\) and run scripts\/build-kube-apiserver\.sh/);
    assert.equal(await controlPlaneUnavailable({ cacheDir: join(dir, 'cache'), env: { PATH: join(dir, 'path') } }), undefined);
  });
});

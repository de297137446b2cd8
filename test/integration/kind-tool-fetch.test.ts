// Tool fetching against a real HTTP server on 127.0.0.1 (with Range support and a mode that
// cuts the connection mid-file): the right checksum installs a binary that runs, a wrong one is
// refused leaving nothing, an interrupted download resumes from its .part file, an unpinned
// tool is refused without a request, a helm-style archive is verified then unpacked; and the
// local lab's downloadPinned (same implementation, no resume) still leaves nothing on failure.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ChecksumMismatchError, UnpinnedDownloadError, partialPath } from '../../src/lab/pinned-download';
import { downloadPinned } from '../../src/lab/local/pinned-binaries';
import { cachedToolPath, ensureTool, fetchTool, findTool } from '../../src/lab/kind/tool-fetch';
import { TOOL_PINS, type KindTool, type ToolPin } from '../../src/lab/kind/versions';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Served {
  body: Buffer;
  /** close the connection after this many bytes (once), to simulate an interrupted download */
  cutAfter?: number;
  /** with cutAfter: wait until this file holds the bytes before cutting (Linux drops unread bytes on a reset) */
  cutWhenFile?: string;
  /** send this many bytes, then stall (once), so the client can cancel mid-transfer */
  stallAfter?: number;
}

describe('kind tool fetching from 127.0.0.1', () => {
  let server: Server;
  let base: string;
  let dir: string;
  const files = new Map<string, Served>();
  const requests: { path: string; range?: string }[] = [];
  const stalled: ServerResponse[] = [];
  // a "kind" binary: a node script that prints its version
  const kindBin = Buffer.from(`#!${process.execPath}\nconsole.log('kind v9.9.9-test go1.26 linux/amd64');\n${'// padding\n'.repeat(4000)}`);
  let helmTgz: Buffer;

  function pins(overrides: Partial<Record<KindTool, { url: string; sha256: string | undefined; member?: string }>>): Record<KindTool, ToolPin> {
    const p = structuredClone(TOOL_PINS);
    for (const [tool, a] of Object.entries(overrides) as [KindTool, { url: string; sha256: string | undefined; member?: string }][]) {
      p[tool] = { ...p[tool], version: 'v9.9.9-test', assets: { ...p[tool].assets, 'linux/amd64': { ...a, source: 'test server' } } };
    }
    return p;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ovnlab-kind-fetch-'));
    const work = join(dir, 'tar');
    await mkdir(join(work, 'linux-amd64'), { recursive: true });
    await writeFile(join(work, 'linux-amd64', 'helm'), `#!${process.execPath}\nconsole.log('helm v9.9.9-test');\n`);
    await writeFile(join(work, 'linux-amd64', 'README.md'), 'not extracted');
    await execa('tar', ['-czf', join(dir, 'helm.tgz'), '-C', work, 'linux-amd64']);
    helmTgz = await readFile(join(dir, 'helm.tgz'));
    server = createServer((req, res) => {
      const f = files.get(req.url ?? '');
      requests.push({ path: req.url ?? '', range: req.headers.range });
      if (!f) {
        res.writeHead(404).end('no such file');
        return;
      }
      let start = 0;
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (m) {
        start = Number(m[1]);
        if (start >= f.body.length) {
          res.writeHead(416, { 'content-range': `bytes */${f.body.length}` }).end();
          return;
        }
        res.writeHead(206, { 'content-length': f.body.length - start, 'content-range': `bytes ${start}-${f.body.length - 1}/${f.body.length}` });
      } else {
        res.writeHead(200, { 'content-length': f.body.length });
      }
      const chunk = f.body.subarray(start);
      if (f.stallAfter !== undefined) {
        const n = f.stallAfter;
        f.stallAfter = undefined;
        res.write(chunk.subarray(0, n));
        stalled.push(res);
        return;
      }
      if (f.cutAfter !== undefined) {
        const n = f.cutAfter;
        f.cutAfter = undefined;
        // the connection is torn down right after the bytes: the client must keep what it got
        const file = f.cutWhenFile;
        res.write(chunk.subarray(0, n), () => {
          if (!file) return void res.destroy();
          // cut only once the client wrote what it got, so a loaded machine cannot lose the bytes in flight
          const t0 = Date.now();
          const poll = setInterval(() => {
            stat(file).then((st) => st.size, () => 0).then((size) => {
              if (size >= n || Date.now() - t0 > 10_000) {
                clearInterval(poll);
                res.destroy();
              }
            });
          }, 20);
        });
        return;
      }
      res.end(chunk);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const r of stalled) r.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  test('the right checksum installs an executable that runs', async () => {
    files.set('/good/kind', { body: kindBin });
    const cacheDir = join(dir, 'cache-good');
    const p = pins({ kind: { url: `${base}/good/kind`, sha256: sha256(kindBin) } });
    const progress: number[] = [];
    const loc = await fetchTool('kind', { pins: p, cacheDir, platform: 'linux/amd64', env: { PATH: '' }, onProgress: (got) => progress.push(got) });
    assert.equal(loc.source, 'download');
    assert.equal(loc.path, cachedToolPath('kind', cacheDir, p));
    assert.equal(progress.at(-1), kindBin.length);
    const r = await execa(loc.path, ['version']);
    assert.equal(r.stdout, 'kind v9.9.9-test go1.26 linux/amd64');
    assert.deepEqual(await readdir(cacheDir), ['kind-v9.9.9-test']);
    // found in the cache next time, no request
    const before = requests.length;
    const again = await ensureTool('kind', { pins: p, cacheDir, platform: 'linux/amd64', env: { PATH: '' } });
    assert.equal(again.source, 'cache');
    assert.equal(requests.length, before);
  });

  test('a wrong checksum is refused and leaves nothing behind', async () => {
    files.set('/bad/kind', { body: kindBin });
    const cacheDir = join(dir, 'cache-bad');
    const p = pins({ kind: { url: `${base}/bad/kind`, sha256: sha256(Buffer.from('something else')) } });
    await assert.rejects(fetchTool('kind', { pins: p, cacheDir, platform: 'linux/amd64', env: { PATH: '' } }), (e: unknown) => {
      assert.ok(e instanceof ChecksumMismatchError);
      assert.match(e.message, /checksum mismatch for kind v9\.9\.9-test linux\/amd64/);
      assert.match(e.message, new RegExp(`got ${sha256(kindBin)}`));
      return true;
    });
    assert.deepEqual(await readdir(cacheDir), [], 'neither the binary nor a .part file');
    assert.equal(await findTool('kind', { pins: p, cacheDir, env: { PATH: '' } }), undefined);
  });

  test('an interrupted download keeps its .part and the next fetch resumes it with a Range request', async () => {
    const cut = 10_000;
    const cacheDir = join(dir, 'cache-resume');
    const p = pins({ kind: { url: `${base}/cut/kind`, sha256: sha256(kindBin) } });
    const dest = cachedToolPath('kind', cacheDir, p);
    files.set('/cut/kind', { body: kindBin, cutAfter: cut, cutWhenFile: partialPath(dest) });
    await assert.rejects(fetchTool('kind', { pins: p, cacheDir, platform: 'linux/amd64', env: { PATH: '' } }));
    const partSize = (await stat(partialPath(dest))).size;
    assert.ok(partSize > 0 && partSize <= cut, `the .part holds the ${partSize} bytes received`);
    await assert.rejects(stat(dest), 'nothing under the final name');
    const n = requests.length;
    const loc = await fetchTool('kind', { pins: p, cacheDir, platform: 'linux/amd64', env: { PATH: '' } });
    assert.deepEqual(requests.slice(n), [{ path: '/cut/kind', range: `bytes=${partSize}-` }]);
    assert.equal(sha256(await readFile(loc.path)), sha256(kindBin));
    assert.equal((await execa(loc.path)).stdout, 'kind v9.9.9-test go1.26 linux/amd64');
    assert.deepEqual(await readdir(cacheDir), ['kind-v9.9.9-test']);
  });

  test('cancelling a download (AbortSignal) mid-transfer keeps a resumable .part and installs nothing', async () => {
    files.set('/stall/kind', { body: kindBin, stallAfter: 8000 });
    const cacheDir = join(dir, 'cache-abort');
    const p = pins({ kind: { url: `${base}/stall/kind`, sha256: sha256(kindBin) } });
    const dest = cachedToolPath('kind', cacheDir, p);
    const ac = new AbortController();
    await assert.rejects(
      fetchTool('kind', { pins: p, cacheDir, platform: 'linux/amd64', env: { PATH: '' }, signal: ac.signal, onProgress: (got) => { if (got >= 8000) ac.abort(); } }),
      (e: unknown) => e instanceof Error && /abort/i.test(`${e.name} ${e.message}`),
    );
    assert.equal((await stat(partialPath(dest))).size, 8000);
    await assert.rejects(stat(dest));
    const loc = await fetchTool('kind', { pins: p, cacheDir, platform: 'linux/amd64', env: { PATH: '' } });
    assert.equal(requests.at(-1)?.range, 'bytes=8000-');
    assert.equal(sha256(await readFile(loc.path)), sha256(kindBin));
  });

  test('a tool without a pinned checksum is refused before any request', async () => {
    const cacheDir = join(dir, 'cache-unpinned');
    const p = pins({ virtctl: { url: `${base}/virtctl`, sha256: undefined } });
    const n = requests.length;
    await assert.rejects(fetchTool('virtctl', { pins: p, cacheDir, platform: 'linux/amd64', env: { PATH: '' } }), (e: unknown) => e instanceof UnpinnedDownloadError && /will not download it unverified/.test(e.message));
    assert.equal(requests.length, n);
    // the real pins say so too: no virtctl checksum was found
    assert.equal(TOOL_PINS.virtctl.assets['linux/amd64'].sha256, undefined);
  });

  test('an archive (helm) is verified, then only its binary is unpacked', async () => {
    files.set('/helm.tar.gz', { body: helmTgz });
    const cacheDir = join(dir, 'cache-helm');
    const p = pins({ helm: { url: `${base}/helm.tar.gz`, sha256: sha256(helmTgz), member: 'linux-amd64/helm' } });
    const loc = await fetchTool('helm', { pins: p, cacheDir, platform: 'linux/amd64', env: { PATH: '' } });
    assert.equal((await execa(loc.path, ['version'])).stdout, 'helm v9.9.9-test');
    assert.deepEqual(await readdir(cacheDir), ['helm-v9.9.9-test']);
  });

  test('the local lab downloadPinned shares the implementation and keeps nothing after a failed transfer', async () => {
    files.set('/envtest.tgz', { body: kindBin, cutAfter: 5000 });
    const dest = join(dir, 'pinned', 'envtest.tgz');
    const artifact = { label: 'test archive', url: `${base}/envtest.tgz`, algorithm: 'sha256' as const, digest: sha256(kindBin) };
    await assert.rejects(downloadPinned(artifact, dest));
    assert.deepEqual(await readdir(join(dir, 'pinned')), []);
    assert.equal(await downloadPinned(artifact, dest), dest);
    assert.equal(sha256(await readFile(dest)), sha256(kindBin));
  });
});

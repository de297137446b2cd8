// The kind lab's preflight answers: thresholds, /dev/kvm → emulation, inotify limits, a port in
// use, an external subnet that overlaps the host, and where each tool comes from.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSshKeygen, checkCpus, checkInotify, checkKvm, checkMemory, checkPort, checkSubnetFree, checkTools } from '../../src/lab/kind/preflight';

const GiB = 1024 ** 3;

describe('kind lab preflight', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ovnlab-kind-preflight-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('memory and CPUs: ok, warn, fail', () => {
    assert.equal(checkMemory(16 * GiB).status, 'ok');
    assert.match(checkMemory(6 * GiB).message, /wants 8 GiB/);
    assert.equal(checkMemory(6 * GiB).status, 'warn');
    assert.equal(checkMemory(2 * GiB).status, 'fail');
    assert.match(checkMemory(2 * GiB).message, /use the local lab/);
    assert.equal(checkCpus(8).status, 'ok');
    assert.equal(checkCpus(2).status, 'warn');
    assert.equal(checkCpus(1).status, 'fail');
  });

  test('no /dev/kvm means KubeVirt emulation; a usable device means KVM', async () => {
    const missing = await checkKvm(join(dir, 'no-kvm'));
    assert.equal(missing.kvm, false);
    assert.match(missing.message, /software emulation \(useEmulation\)/);
    const dev = join(dir, 'kvm');
    await writeFile(dev, '');
    assert.equal((await checkKvm(dev)).kvm, true);
  });

  test('inotify limits below kind\'s recommendation warn with the sysctl to run', async () => {
    const proc = join(dir, 'inotify');
    await mkdir(proc);
    await writeFile(join(proc, 'max_user_watches'), '8192\n');
    await writeFile(join(proc, 'max_user_instances'), '128\n');
    const low = await checkInotify(proc, 'linux');
    assert.equal(low.status, 'warn');
    assert.match(low.message, /sysctl fs\.inotify\.max_user_watches=524288 fs\.inotify\.max_user_instances=512/);
    await writeFile(join(proc, 'max_user_watches'), '1048576\n');
    await writeFile(join(proc, 'max_user_instances'), '8192\n');
    assert.equal((await checkInotify(proc, 'linux')).status, 'ok');
    assert.equal((await checkInotify(join(dir, 'nowhere'), 'darwin')).status, 'ok');
  });

  test('a fixed port in use fails; port 0 (Docker picks) is fine', async () => {
    const srv: Server = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    try {
      const used = await checkPort(port);
      assert.equal(used.status, 'fail');
      assert.match(used.message, new RegExp(`127\\.0\\.0\\.1:${port} is in use`));
    } finally {
      await new Promise<void>((r) => srv.close(() => r()));
    }
    assert.equal((await checkPort(port)).status, 'ok');
    assert.equal((await checkPort(0)).status, 'ok');
  });

  test('an external subnet overlapping a host address fails', () => {
    const ifaces = { eth0: [{ address: '192.168.100.7', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '00:00:00:00:00:01', internal: false, cidr: '192.168.100.7/24' }] };
    const r = checkSubnetFree('192.168.100.0/24', ifaces);
    assert.equal(r.status, 'fail');
    assert.match(r.message, /overlaps eth0 \(192\.168\.100\.7\)/);
    assert.equal(checkSubnetFree('192.168.200.0/24', ifaces).status, 'ok');
  });

  test('tools: configured, on PATH, cached, to be fetched, or not fetchable', async () => {
    const pathDir = join(dir, 'path');
    const cache = join(dir, 'cache');
    await mkdir(pathDir);
    await mkdir(cache);
    const exe = async (p: string) => {
      await writeFile(p, `#!${process.execPath}\n`);
      await chmod(p, 0o755);
    };
    await exe(join(pathDir, 'kubectl'));
    await exe(join(cache, 'helm-v3.22.0'));
    const configuredKind = join(dir, 'my-kind');
    await exe(configuredKind);
    const r = await checkTools({ configured: { kind: configuredKind }, env: { PATH: pathDir }, cacheDir: cache, platform: 'linux/amd64' });
    const byId = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    assert.equal(r.found.kind?.source, 'configured');
    assert.equal(r.found.kubectl?.source, 'path');
    assert.equal(r.found.helm?.source, 'cache');
    assert.equal(byId['tool-virtctl']?.status, 'warn', 'virtctl is only needed for lab exec');
    assert.match(byId['tool-virtctl']?.message ?? '', /no published checksum/);
    const none = await checkTools({ env: { PATH: '' }, cacheDir: join(dir, 'empty'), platform: 'darwin/amd64' });
    const n = Object.fromEntries(none.checks.map((c) => [c.id, c]));
    assert.match(n['tool-kind']?.message ?? '', /will fetch v0\.33\.0 for darwin\/amd64/);
    assert.equal(n['tool-kubectl']?.status, 'fail', 'kubectl darwin/amd64 has no pinned checksum');
    const bad = await checkTools({ configured: { helm: join(dir, 'nope') }, env: { PATH: '' }, cacheDir: cache, platform: 'linux/amd64' });
    assert.match(bad.checks.find((c) => c.id === 'tool-helm')?.message ?? '', /configured helm .* is not an executable file/);
  });

  test('ssh-keygen missing fails with what to install', async () => {
    const r = await checkSshKeygen(join(dir, 'no-ssh-keygen'));
    assert.equal(r.status, 'fail');
    assert.match(r.message, /install the OpenSSH client/);
  });
});

// `ovnlab vm lint|pin-ip|enable-migration --kubeconfig`: the cluster-backed checks, against a
// small local HTTP server that answers the Kubernetes API paths the CLI reads (Subnets, IPs,
// Vpcs, the kube-ovn-controller Deployment). It runs in-process and is closed after the tests.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/main';
import type { CliIo } from '../../../src/cli/command';
import { CORPUS } from './corpus';

function memoryIo(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), readStdin: async () => '', env: {}, signal: new AbortController().signal };
}

const list = (kind: string, items: unknown[]) => ({ kind: `${kind}List`, apiVersion: 'kubeovn.io/v1', metadata: {}, items });
const API: Record<string, unknown> = {
  '/apis/kubeovn.io/v1/subnets': list('Subnet', [
    { metadata: { name: 'ovn-default' }, spec: { cidrBlock: '10.16.0.0/16', gateway: '10.16.0.1', excludeIps: ['10.16.0.1..10.16.0.10'], vpc: 'ovn-cluster', default: true, provider: 'ovn' } },
    { metadata: { name: 'vpc1-subnet' }, spec: { cidrBlock: '192.168.10.0/24', gateway: '192.168.10.1', vpc: 'vpc1', namespaces: ['tenant1'] } },
  ]),
  '/apis/kubeovn.io/v1/ips': list('IP', [
    { metadata: { name: 'nginx.default' }, spec: { ipAddress: '10.16.0.11', subnet: 'ovn-default', podName: 'nginx', namespace: 'default' } },
    { metadata: { name: 'db.default' }, spec: { ipAddress: '10.16.0.20', subnet: 'ovn-default', podName: 'db', namespace: 'default' } },
  ]),
  '/apis/kubeovn.io/v1/vpcs': list('Vpc', [{ metadata: { name: 'ovn-cluster' }, spec: {} }, { metadata: { name: 'vpc1' }, spec: { namespaces: ['tenant1'] } }]),
  '/apis/apps/v1/namespaces/kube-system/deployments/kube-ovn-controller': {
    kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'kube-ovn-controller', namespace: 'kube-system' },
    spec: { template: { spec: { containers: [{ name: 'kube-ovn-controller', image: 'docker.io/kubeovn/kube-ovn:v1.12.22' }] } } },
  },
};

describe('ovnlab vm with --kubeconfig (cluster-backed checks)', () => {
  let server: Server;
  let dir: string;
  let kubeconfig: string;
  const requests: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      requests.push(`${req.method} ${path}`);
      const body = API[path];
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), 'ovnlab-vmk-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: fake',
      // plain HTTP is only accepted by client-node with TLS verification off
      'clusters:', '- name: fake', '  cluster:', `    server: http://127.0.0.1:${port}`, '    insecure-skip-tls-verify: true',
      'contexts:', '- name: fake', '  context:', '    cluster: fake', '    user: fake',
      'users:', '- name: fake', '  user: {}', '',
    ].join('\n'));
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('lint reads Subnets, IPs, Vpcs and the version from the cluster and checks against them', async () => {
    const io = memoryIo();
    assert.equal(await runCli(['vm', 'lint', join(CORPUS, '10-ip-problems.yaml'), join(CORPUS, '15-subnets.yaml'), '--kubeconfig', kubeconfig], io), 1);
    const out = io.stdout.join('\n');
    assert.match(out, /error ip-in-use: 10\.16\.0\.11 is already used by IP nginx\.default \(default\/nginx\)/);
    assert.match(out, /error ip-gateway: 10\.16\.0\.1 is the gateway of subnet ovn-default/);
    assert.match(out, /error subnet-missing: Subnet "ovn-defualt" does not exist: did you mean "ovn-default"\?/);
    assert.match(out, /warning subnet-other-vpc: Subnet ovn-default belongs to VPC ovn-cluster, but namespace tenant1 is bound to VPC vpc1/);
    assert.doesNotMatch(out, /cluster-checks-off/);
    for (const p of ['/apis/kubeovn.io/v1/subnets', '/apis/kubeovn.io/v1/ips', '/apis/kubeovn.io/v1/vpcs']) assert.ok(requests.includes(`GET ${p}`), p);
  });

  test('enable-migration takes the cluster\'s Kube-OVN version (v1.12 here: the attachment recipe)', async () => {
    const file = join(dir, 'bridge.yaml');
    copyFileSync(join(CORPUS, '13-bridge-evict.yaml'), file);
    const io = memoryIo();
    assert.equal(await runCli(['vm', 'enable-migration', file, '--vm', 'bridge-migrate', '--kubeconfig', kubeconfig], io), 0);
    assert.equal(readFileSync(file, 'utf8'), readFileSync(join(CORPUS, 'edits', '13-bridge-evict.migration-legacy-recipe.yaml'), 'utf8'));
  });

  test('pin-ip --next-free skips the cluster\'s IP objects', async () => {
    const file = join(dir, 'frontend.yaml');
    copyFileSync(join(CORPUS, '03-multi-doc.yaml'), file);
    const io = memoryIo();
    assert.equal(await runCli(['vm', 'pin-ip', file, '--vm', 'shop/frontend', '--next-free', '--kubeconfig', kubeconfig], io), 0);
    // .1-.10 excluded, .11 nginx; .12 is free (.20 db, .21 pinned by backend in the file)
    assert.match(readFileSync(file, 'utf8'), /frontend[\s\S]*ovn\.kubernetes\.io\/ip_address: 10\.16\.0\.12/);
    const bad = memoryIo();
    assert.equal(await runCli(['vm', 'pin-ip', file, '--vm', 'shop/frontend', '--ip', '10.16.0.11', '--kubeconfig', kubeconfig], bad), 1);
    assert.match(bad.stderr.join(''), /not pinned: 10\.16\.0\.11 is already used by IP nginx\.default/);
  });

  test('an unreachable cluster or a missing kubeconfig says what to do', async () => {
    const io = memoryIo();
    assert.equal(await runCli(['vm', 'lint', join(CORPUS, '02-pinned-ok.yaml'), '--kubeconfig', join(dir, 'missing')], io), 2);
    assert.match(io.stderr.join(''), /no kubeconfig found .*pass --kubeconfig FILE or set KUBECONFIG/);
  });
});

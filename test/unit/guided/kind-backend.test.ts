// The guided checks on the kind backend, as far as a machine without Docker can test them: the
// context resolves the kind lab (its status, its kubeconfig context → the cluster OvnTarget), and
// a kind lab that is not running is reported as such, saying how to start it. The checks against
// a running kind cluster are not exercised here (no Docker engine on these machines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeClient } from '../../../src/k8s/kube-client';
import type { LabStatus } from '../../../src/lab/lab-backend';
import { findLab } from '../../../src/lab/guided/catalogue';
import { guidedContextFor, type KindGuidedLab } from '../../../src/lab/guided/guided-context';
import { runCheck } from '../../../src/lab/guided/step-runner';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ovnlab-guided-kind-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const LABS = fileURLToPath(new URL('../../../labs', import.meta.url));
const step = (lab: string, id: string) => {
  const l = findLab(lab)!;
  return { lab: l, step: l.steps.find((s) => s.id === id)! };
};

function fakeKindLab(dir: string, st: Partial<LabStatus>, context?: string): KindGuidedLab {
  return {
    kind: 'kind', dir,
    status: async () => ({ backend: 'kind', dir, state: 'up', nodes: [], vms: [], notes: [], ...st }),
    kubeContext: async () => context,
    up: async () => { throw new Error('not in this test'); },
    down: async () => undefined,
    exec: async () => { throw new Error('not in this test'); },
    apply: async () => { throw new Error('not in this test'); },
  } as KindGuidedLab;
}

test('kind backend with no kind lab recorded (real KindLab, no kind/Docker on PATH): the lab-up check and an OVN check say "kind lab not running" and how to start it', async (t) => {
  const dir = tmp(t);
  const ctx = await guidedContextFor({
    backend: 'kind', localLabDir: join(dir, 'lab'), kindLabDir: join(dir, 'kind-lab'), labsDir: LABS,
    env: { PATH: join(dir, 'no-bin'), HOME: dir, XDG_CACHE_HOME: join(dir, 'cache') },
  });
  assert.equal(ctx.backend.kind, 'kind');
  const up = step('4', 'up');
  const r = await runCheck(ctx, up.lab, up.step);
  assert.equal(r.ok, false);
  assert.match(r.message, /^kind lab not running: nothing recorded in .*kind-lab; start it with `ovnlab lab up --backend kind`$/);
  // an NB check goes through the kind lab's OvnTarget, which refuses with the same reason
  const vpcs = step('4', 'vpcs');
  const nb = await runCheck(ctx, vpcs.lab, vpcs.step);
  assert.equal(nb.ok, false);
  assert.match(nb.message, /^kind lab not running: .*ovnlab lab up --backend kind/);
  assert.match(ctx.workDir, /guided-kind$/, 'the kind lab keeps its own memo and file copies');
});

test('kind backend, kind lab broken (Docker stopped): the check names the reason from the lab status and how to resume', async (t) => {
  const dir = tmp(t);
  const lab = fakeKindLab(dir, { state: 'broken', notes: ['Docker is not running: start it, or use the local lab'] }, 'kind-ovnlab');
  const ctx = await guidedContextFor({ backend: 'kind', localLabDir: join(dir, 'lab'), kindLabDir: dir, labsDir: LABS, kindLab: lab });
  const up = step('5', 'up');
  const r = await runCheck(ctx, up.lab, up.step);
  assert.equal(r.ok, false);
  assert.match(r.message, /^kind lab not running: it is broken \(Docker is not running: start it, or use the local lab\); run `ovnlab lab up --backend kind` to resume/);
  await assert.rejects(ctx.target(), /kind lab not running: it is broken/);
});

test('kind backend, kind lab up: the OVN checks get the cluster OvnTarget on the lab\'s kubeconfig context (resolution only, no cluster contacted)', async (t) => {
  const dir = tmp(t);
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'other',
    clusters: [{ name: 'kind-ovnlab', cluster: { server: 'https://127.0.0.1:1' } }, { name: 'other', cluster: { server: 'https://127.0.0.1:2' } }],
    users: [{ name: 'u', user: { token: 'not-a-real-token' } }],
    contexts: [{ name: 'kind-ovnlab', context: { cluster: 'kind-ovnlab', user: 'u' } }, { name: 'other', context: { cluster: 'other', user: 'u' } }],
  }));
  const asked: string[] = [];
  const lab = fakeKindLab(dir, { state: 'up', notes: ['kubectl context kind-ovnlab'] }, 'kind-ovnlab');
  const ctx = await guidedContextFor({
    backend: 'kind', localLabDir: join(dir, 'lab'), kindLabDir: dir, labsDir: LABS, kindLab: lab,
    kubeClient: (context) => { asked.push(context); return KubeClient.fromKubeconfig({ kubeconfig, context }); },
  });
  const target = await ctx.target();
  assert.ok(target);
  assert.deepEqual(asked, ['kind-ovnlab']);
  assert.equal(target.describe(), 'cluster context kind-ovnlab (https://127.0.0.1:1)');
  await target.close();
  // and the lab-up check passes on the status alone
  const up = step('1', 'up');
  assert.equal((await runCheck(ctx, up.lab, up.step)).ok, true);
});

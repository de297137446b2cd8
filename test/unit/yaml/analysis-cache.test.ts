// The editor's per-file cache must never change what the analysis says: after any edit, the
// cached analysis equals a fresh one (offsets, positions, fixes, file-wide suggestions and
// duplicate pins), and only the edited document is read again.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeVmDocuments, VmAnalysisCache } from '../../../src/yaml/vm-analysis';
import type { AnalysisContext } from '../../../src/yaml/cluster-facts';
import { lineIndex } from '../../../src/yaml/line-index';
import { contexts, fixtureNames, readFixture } from './corpus';

const ALL = fixtureNames().map(readFixture).join('---\n');

/** Small deterministic PRNG, so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const INSERTS = ['x', '\n', '# note\n', '---\n', '  ', 'ovn.kubernetes.io/ip_address: 10.16.0.12\n', ': ', '"'];

function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v));
}

describe('VmAnalysisCache', () => {
  for (const [name, ctx] of Object.entries(contexts())) {
    test(`random edits over the whole corpus give the fresh analysis (${name})`, () => {
      const rand = rng(name.length * 7919);
      const cache = new VmAnalysisCache();
      let text = ALL;
      analyzeVmDocuments(text, ctx, { cache });
      for (let step = 0; step < 40; step++) {
        const at = Math.floor(rand() * text.length);
        // insert or delete, like typing and backspace, anywhere (including inside markers and keys)
        text = rand() < 0.7
          ? text.slice(0, at) + INSERTS[Math.floor(rand() * INSERTS.length)] + text.slice(at)
          : text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 20));
        const cached = analyzeVmDocuments(text, ctx, { cache });
        const fresh = analyzeVmDocuments(text, ctx);
        assert.deepEqual(plain(cached), plain(fresh), `step ${step}: edit at ${at}`);
        // positions are counted per document: they must match the whole file's line index
        const lines = lineIndex(text);
        for (const r of [...cached.diagnostics, ...cached.lenses].map((x) => x.range)) {
          assert.deepEqual([r.startPos, r.endPos], [lines.positionAt(r.start), lines.positionAt(r.end)], `step ${step}: position of ${r.start}`);
        }
      }
    });
  }

  test('an edit in one document re-reads only that document; other VMs keep their places right', () => {
    const ctx: AnalysisContext = contexts().cluster;
    const cache = new VmAnalysisCache();
    const before = analyzeVmDocuments(ALL, ctx, { cache });
    assert.equal(cache.stats.reused, 0);
    // a line added in the first document moves every later VM one line down
    const firstNl = ALL.indexOf('\n');
    const text = ALL.slice(0, firstNl + 1) + '# a new comment line\n' + ALL.slice(firstNl + 1);
    const after = analyzeVmDocuments(text, ctx, { cache });
    assert.equal(cache.stats.analysed, 1);
    assert.ok(cache.stats.reused > 15, `reused ${cache.stats.reused}`);
    const last = before.vms.length - 1;
    assert.equal(after.vms[last].range.start, before.vms[last].range.start + '# a new comment line\n'.length);
    const lensBefore = before.lenses.find((l) => l.args[0].vm.name === before.vms[last].name)!;
    const lensAfter = after.lenses.find((l) => l.args[0].vm.name === before.vms[last].name)!;
    assert.equal(lensAfter.range.startPos.line, lensBefore.range.startPos.line + 1);
    assert.deepEqual(plain(after), plain(analyzeVmDocuments(text, ctx)));
  });

  test('a pin in one document changes the next free IP shown on the others', () => {
    const ctx: AnalysisContext = contexts().cluster;
    const cache = new VmAnalysisCache();
    const vm = (name: string, ann = '') => `apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: ${name}\nspec:\n  template:\n    metadata:\n      annotations:\n        ovn.kubernetes.io/logical_switch: ovn-default\n${ann}    spec: {}\n`;
    const a = [vm('a'), vm('b')].join('---\n');
    const first = analyzeVmDocuments(a, ctx, { cache }).lenses.find((l) => l.args[0].vm.name === 'a' && l.kind === 'pin-ip')!.args[0].suggestedIp;
    assert.ok(first);
    const b = [vm('a'), vm('b', `        ovn.kubernetes.io/ip_address: ${first}\n`)].join('---\n');
    const again = analyzeVmDocuments(b, ctx, { cache });
    assert.equal(cache.stats.analysed, 1, 'only b was read again');
    const next = again.lenses.find((l) => l.args[0].vm.name === 'a' && l.kind === 'pin-ip')!.args[0].suggestedIp;
    assert.notEqual(next, first, 'a no longer suggests the IP b pinned');
    assert.deepEqual(plain(again), plain(analyzeVmDocuments(b, ctx)));
  });

  test('another context starts afresh', () => {
    const cache = new VmAnalysisCache();
    analyzeVmDocuments(ALL, contexts().offline, { cache });
    const withCluster = analyzeVmDocuments(ALL, contexts().cluster, { cache });
    assert.equal(cache.stats.reused, 0);
    assert.equal(withCluster.clusterChecks, 'on');
  });
});

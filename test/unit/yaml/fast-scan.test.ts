import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { scanDocument, splitDocuments } from '../../../src/yaml/fast-scan';
import { parseRegionWithYaml } from '../../../src/yaml/tree-from-yaml';
import { parseYamlStream } from '../../../src/yaml/yaml-stream';
import { toPlain, type YNode } from '../../../src/yaml/yaml-tree';
import { contexts, fixtureNames, readFixture } from './corpus';
import { analyzeVmDocuments } from '../../../src/yaml/vm-analysis';

/** Every scalar with its offsets and value, in order (block scalar values are compared separately). */
function scalars(n: YNode | null, out: string[] = []): string[] {
  if (!n || n.kind === 'opaque') return out;
  if (n.kind === 'scalar') out.push(`${n.start}-${n.end}:${n.style}:${n.style === 'block' ? '' : n.value}`);
  else if (n.kind === 'map') for (const p of n.pairs) { scalars(p.key, out); out.push(`:${p.colonEnd}`); scalars(p.value, out); }
  else for (const i of n.items) scalars(i, out);
  return out;
}

function starts(n: YNode | null, out: string[] = []): string[] {
  if (!n || n.kind === 'scalar' || n.kind === 'opaque') return out;
  out.push(`${n.kind}@${n.start}${n.flow ? 'f' : ''}-${n.end}`);
  if (n.kind === 'map') for (const p of n.pairs) starts(p.value, out);
  else for (const i of n.items) starts(i, out);
  return out;
}

describe('the fast scanner agrees with the yaml package', () => {
  for (const name of fixtureNames()) {
    test(name, () => {
      const text = readFixture(name);
      const regions = splitDocuments(text)!;
      let fast = 0;
      for (const r of regions) {
        const mine = scanDocument(text, r);
        if (!mine) continue;
        fast++;
        const ref = parseRegionWithYaml(text, r);
        assert.deepEqual(ref.errors, []);
        assert.deepEqual(toPlain(mine.root), toPlain(ref.root));
        assert.deepEqual(scalars(mine.root), scalars(ref.root));
        assert.deepEqual(starts(mine.root), starts(ref.root));
      }
      assert.ok(fast > 0 || /anchors|flow/.test(name), `${name}: no document took the fast path`);
    });
  }
});

describe('the fast scanner declines what it does not handle', () => {
  const declines: Record<string, string> = {
    anchor: 'a: &x 1\nb: *x\n',
    tag: 'a: !!str 1\n',
    'multi-line flow': 'a: {b: 1,\n  c: 2}\n',
    'plain continuation': 'a: one\n  two\n',
    'multi-line quoted': 'a: "one\n  two"\n',
    'complex key': '? a\n: b\n',
    'bad indentation': 'a:\n    b: 1\n  c: 2\n',
    'tab indentation': 'a:\n\tb: 1\n',
    'scalar document': 'just text\n',
    'key: value: value': 'a: b: c\n',
  };
  for (const [what, text] of Object.entries(declines)) {
    test(what, () => {
      assert.equal(scanDocument(text, { start: 0, end: text.length }), undefined);
      // and the stream still reads it (or reports the error) through the yaml package
      const docs = parseYamlStream(text);
      assert.ok(docs.length === 1 && docs[0].viaYamlPackage);
    });
  }
});

test('block scalars, CRLF, indentless sequences and comments read like the yaml package reads them', () => {
  const text = 'a: |\r\n  one\r\n\r\n  two\r\nb: >-\r\n  x\r\n  y\r\nc:\r\n- 1 # one\r\n- [2, "3"]\r\nd: keep # comment\r\n';
  const mine = scanDocument(text, { start: 0, end: text.length })!;
  assert.deepEqual(toPlain(mine.root), { a: 'one\n\ntwo\n', b: 'x y', c: ['1', ['2', '3']], d: 'keep' });
  assert.deepEqual(toPlain(mine.root), toPlain(parseRegionWithYaml(text, { start: 0, end: text.length }).root));
});

test('documents are split at --- and ... lines only', () => {
  const text = 'a: 1\n---\nb: "---"\n--- # c\nc: 3\n...\n';
  assert.deepEqual(parseYamlStream(text).map((d) => toPlain(d.root)), [{ a: '1' }, { b: '---' }, { c: '3' }]);
  assert.equal(splitDocuments('%YAML 1.2\n---\na: 1\n'), undefined, 'directives go to the yaml package');
  assert.deepEqual(parseYamlStream('%YAML 1.2\n---\na: 1\n').map((d) => toPlain(d.root)), [{ a: '1' }]);
});

test('a syntax error is reported with its place, not thrown', () => {
  const text = 'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata:\n  name: x\n   bad: indent\n';
  const [doc] = parseYamlStream(text);
  assert.ok(doc.errors.length > 0);
  assert.ok(doc.errors[0].start > text.indexOf('name'), 'the error points into the broken mapping');
});

describe('selective scanning gives the same VMs, lenses, diagnostics and fixes as full trees', () => {
  for (const name of fixtureNames()) {
    test(name, () => {
      const text = readFixture(name);
      for (const ctx of Object.values(contexts())) {
        const full = analyzeVmDocuments(text, ctx, { fullTrees: true });
        const sel = analyzeVmDocuments(text, ctx);
        assert.deepEqual(JSON.parse(JSON.stringify(sel)), JSON.parse(JSON.stringify(full)));
      }
    });
  }
});

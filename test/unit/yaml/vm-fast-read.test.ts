// The direct VM reader (vm-fast-read.ts) must say exactly what describeVm says on the selective
// scanner's tree, for every document it accepts: the corpus, the bench's generated documents,
// and random edits of both (typing and deleting anywhere, as in the cache test).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentScanner, splitDocuments, VM_SELECTION } from '../../../src/yaml/fast-scan';
import { findVms } from '../../../src/yaml/vm-documents';
import { VmFastReader } from '../../../src/yaml/vm-fast-read';
import { vmDoc } from '../../../bench/yaml.bench';
import { fixtureNames, readFixture } from './corpus';

/** splitDocuments as it was, line by line: the regions between marker lines. */
function splitLineByLine(text: string): { start: number; end: number }[] | undefined {
  const regions: { start: number; end: number }[] = [];
  let start = 0;
  for (let pos = 0; pos < text.length;) {
    if (text[pos] === '%') return undefined;
    if (pos > start && /^(---|\.\.\.)([ \t\r\n]|$)/.test(text.slice(pos, pos + 4))) {
      regions.push({ start, end: pos });
      start = pos;
    }
    const nl = text.indexOf('\n', pos);
    pos = nl < 0 ? text.length : nl + 1;
  }
  regions.push({ start, end: text.length });
  return regions;
}

/** Documents the reader accepted, and how many it declined. */
function compare(text: string, label: string): { accepted: number; declined: number } {
  const regions = splitDocuments(text);
  assert.deepStrictEqual(regions, splitLineByLine(text), `${label}: document regions`);
  if (!regions) return { accepted: 0, declined: 0 };
  const reader = new VmFastReader(text);
  const scanner = new DocumentScanner(text, VM_SELECTION);
  let accepted = 0;
  let declined = 0;
  regions.forEach((region, i) => {
    const fast = reader.read(region, i);
    if (!fast) { declined++; return; }
    accepted++;
    const tree = scanner.scan(region);
    assert.ok(tree, `${label}: region ${i} read directly but the scanner declines it`);
    assert.equal(fast.hasRoot, tree.root !== null, `${label}: region ${i} content`);
    assert.equal(fast.newlines, text.slice(region.start, region.end).split('\n').length - 1, `${label}: region ${i} line breaks`);
    const vms = tree.root ? findVms([{ start: region.start, end: region.end, root: tree.root, errors: [], viaYamlPackage: false }], i).map((f) => f.info) : [];
    assert.deepStrictEqual(fast.vms, vms, `${label}: region ${i}`);
  });
  return { accepted, declined };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const INSERTS = ['x', '\n', '# note\n', '---\n', '  ', '- ', ': ', '"', '{}', ' #', '\t', '|\n', 'name: y\n', '\n...\n', '\n---x', '\n%YAML 1.2\n', '\r\n---\r\n'];

describe('direct VM reader = describeVm on the scanner tree', () => {
  test('corpus fixtures', () => {
    let accepted = 0;
    for (const name of fixtureNames()) accepted += compare(readFixture(name), name).accepted;
    assert.ok(accepted >= 20, `only ${accepted} corpus documents read directly`);
  });

  test('the bench documents are all read directly', () => {
    const text = Array.from({ length: 100 }, (_, i) => vmDoc(i)).join('---\n');
    assert.deepEqual(compare(text, 'bench'), { accepted: 100, declined: 0 });
  });

  test('random edits of the corpus and the bench documents', () => {
    const base = [...fixtureNames().map(readFixture), ...Array.from({ length: 20 }, (_, i) => vmDoc(i * 5))];
    const rand = rng(4242);
    let accepted = 0;
    for (let step = 0; step < 3000; step++) {
      let doc = base[Math.floor(rand() * base.length)];
      for (let k = 0; k < 3; k++) {
        const at = Math.floor(rand() * doc.length);
        doc = rand() < 0.7
          ? doc.slice(0, at) + INSERTS[Math.floor(rand() * INSERTS.length)] + doc.slice(at)
          : doc.slice(0, at) + doc.slice(at + 1 + Math.floor(rand() * 20));
      }
      accepted += compare(doc, `step ${step}`).accepted;
    }
    assert.ok(accepted > 1000, `only ${accepted} edited documents read directly`);
  });
});

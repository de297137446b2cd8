// Runs the test suites with node's test runner (TypeScript through tsx) and ends with
// one line "N passed, N failed[, N skipped]" that CI reads.
// usage: node scripts/test.mjs [all|unit|integration|e2e] [extra files…]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const suites = { unit: ['test/unit'], integration: ['test/integration'], e2e: ['test/e2e'] };
const which = process.argv[2] ?? 'all';
const dirs = which === 'all' ? Object.values(suites).flat() : suites[which];
if (!dirs) {
  console.error(`unknown suite "${which}": use all, unit, integration or e2e`);
  process.exit(2);
}

function findTests(dir) {
  let out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    // test/e2e/suite/ holds the mocha suite that runs inside the editor, started by an e2e test
    if (statSync(p).isDirectory()) { if (name !== 'suite') out = out.concat(findTests(p)); }
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const named = process.argv.slice(3);
// files named on the command line run alone; otherwise every test of the suite
const files = named.length > 0 ? named : dirs.flatMap(findTests);
if (files.length === 0) {
  console.log('no test files found');
  console.log('0 passed, 0 failed');
  process.exit(1);
}
const args = [
  '--import', 'tsx',
  '--test',
  '--test-concurrency=1',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/summary-reporter.mjs', '--test-reporter-destination=stdout',
  ...files,
];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);

// Runs the test suites with node's test runner (TypeScript through tsx) and ends with
// one line "N passed, N failed[, N skipped]" that CI reads.
// usage: node scripts/test.mjs [all|unit|integration|e2e] [--list] [extra files…]
//   --list                 print the test files that would run, one a line, and exit
//   OVNLAB_TEST_SUITES=unit[,integration,e2e]   limit `all` to these suites (e.g. `npm test` in a
//                          scripted check that must not start daemons or an editor)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const suites = { unit: ['test/unit'], integration: ['test/integration'], e2e: ['test/e2e'] };
const argv = process.argv.slice(2);
const list = argv.includes('--list');
const rest = argv.filter((a) => a !== '--list');
const which = rest[0] ?? 'all';
const only = (process.env.OVNLAB_TEST_SUITES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const unknown = only.filter((s) => !suites[s]);
if (unknown.length > 0) {
  console.error(`OVNLAB_TEST_SUITES names unknown suites: ${unknown.join(', ')} (use unit, integration, e2e)`);
  process.exit(2);
}
const dirs = which === 'all' ? (only.length > 0 ? only : Object.keys(suites)).flatMap((s) => suites[s]) : suites[which];
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

const named = rest.slice(1);
// files named on the command line run alone; otherwise every test of the suite
const files = named.length > 0 ? named : dirs.flatMap(findTests);
if (list) {
  console.log(files.join('\n'));
  process.exit(files.length > 0 ? 0 : 1);
}
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

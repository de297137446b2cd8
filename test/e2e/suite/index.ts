// Entry of the in-editor suite: VS Code require()s this file and awaits run(); a rejection makes
// the test run exit non-zero. Bundled to out/test/suite/index.cjs by scripts/build-e2e-suite.mjs.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000 });
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.test.cjs')).sort();
  if (files.length === 0) return Promise.reject(new Error(`no *.test.cjs next to ${__dirname}: run scripts/build-e2e-suite.mjs`));
  for (const f of files) mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}

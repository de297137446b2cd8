// Entry of the in-editor suite: VS Code require()s this file and awaits run(); a rejection makes
// the test run exit non-zero. Bundled to out/test/suite/index.cjs by scripts/build-e2e-suite.mjs.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000 });
  // OVNLAB_E2E_SUITE=extension,sidebar runs only those files: each node-side test picks the
  // in-editor tests it set the scene for (another file may need an API server it did not start)
  const only = (process.env.OVNLAB_E2E_SUITE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.cjs') && (only.length === 0 || only.includes(f.slice(0, -'.test.cjs'.length))))
    .sort();
  if (files.length === 0) {
    return Promise.reject(new Error(`no *.test.cjs${only.length ? ` named ${only.join(', ')}` : ''} next to ${__dirname}: run scripts/build-e2e-suite.mjs`));
  }
  for (const f of files) mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}

// Bundles the in-editor mocha suite (test/e2e/suite/*.ts) to out/test/suite/*.cjs: index.cjs is the
// extensionTestsPath that VS Code require()s; it adds the *.test.cjs beside it to mocha. `.cjs`
// because package.json says "type": "module". vscode and mocha stay external: the editor provides
// the first, and the second resolves from node_modules/ next to out/.
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const dir = 'test/e2e/suite';
const entryPoints = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => `${dir}/${f}`);
rmSync('out/test/suite', { recursive: true, force: true });
await build({
  entryPoints,
  outdir: 'out/test/suite',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});

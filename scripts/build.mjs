// Bundles the extension (one CommonJS file for the extension host) and the CLI (one ESM file).
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  build({
    ...common, entryPoints: ['src/extension/activate.ts'], outfile: 'dist/extension.cjs', format: 'cjs', external: ['vscode'],
    // modules that find files next to themselves (labs/, deploy/crds) read import.meta.url, which
    // a CommonJS bundle does not have: give them the bundle's own file URL
    define: { 'import.meta.url': '__ovnlabModuleUrl' },
    banner: { js: "const __ovnlabModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
  build({
    ...common,
    entryPoints: ['src/cli/entry.ts'],
    outfile: 'dist/cli.mjs',
    format: 'esm',
    // some CommonJS dependencies call require(); give the ESM bundle one
    banner: { js: "import { createRequire as __ovnlabRequire } from 'node:module'; const require = __ovnlabRequire(import.meta.url);" },
  }),
]);

// webview assets: the panels' scripts and styles, and @vscode-elements/elements' one-file bundle
mkdirSync('dist/media', { recursive: true });
for (const f of ['panel-bridge.js', 'flows.js', 'trace.js', 'panels.css']) cpSync(`media/${f}`, `dist/media/${f}`);
cpSync('node_modules/@vscode-elements/elements/dist/bundled.js', 'dist/media/vscode-elements.js');

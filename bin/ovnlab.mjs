#!/usr/bin/env node
// Thin launcher: the CLI is bundled to dist/cli.mjs by `npm run build` (run by `npm ci`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(bundle)) {
  console.error('ovnlab: dist/cli.mjs is missing; run `npm ci` (or `npm run build`) in the ovnlab checkout first.');
  process.exit(2);
}
await import(bundle);

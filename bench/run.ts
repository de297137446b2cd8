// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line), prints each
// figure with its same-run baseline and ratio, and writes bench/results.json.
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { meetsTarget, type Bench, type BenchResult } from './result';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const all: BenchResult[] = [];
let failed = 0;
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: Bench };
  try {
    const results = await mod.default();
    for (const r of results) {
      all.push(r);
      const ok = meetsTarget(r) ? 'ok' : 'OVER TARGET';
      const target = r.targetOn === 'value' ? `target ≤ ${r.target} ${r.unit}` : `target ratio ≤ ${r.target}`;
      console.log(`${r.name}: ${r.value.toFixed(2)} ${r.unit} (baseline ${r.baseline.toFixed(2)} ${r.unit}, ratio ${r.ratio.toFixed(3)}, ${target}) ${ok}`);
    }
  } catch (e) {
    failed++;
    console.error(`${f}: failed: ${(e as Error).message}`);
  }
}
writeFileSync(join(here, 'results.json'), JSON.stringify(all, null, 2) + '\n');
console.log(`wrote bench/results.json (${all.length} figures${failed ? `, ${failed} bench files failed` : ''})`);
process.exitCode = failed ? 1 : 0;

// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line), prints each
// figure with its same-run baseline and ratio, and writes bench/results.json.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { meetsTarget, type Bench, type BenchResult } from './result';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

/** Idle share of all CPUs over `ms`, from /proc/stat (idle + iowait over the total). */
async function idleShare(ms: number): Promise<number> {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  return b.total > a.total ? (b.idle - a.idle) / (b.total - a.total) : 1;
}

/**
 * Waits (20 s at most) until the machine is mostly idle: a bench file's teardown (an API server
 * with 10k objects, a vswitchd with 100k flows) goes on working after it returns, and the next
 * file's figures would carry that load.
 */
async function settle(): Promise<void> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) if ((await idleShare(500)) >= 0.85) return;
  console.error('bench: the machine did not go idle within 20 s; the next figures carry that load');
}

const all: BenchResult[] = [];
let failed = 0;
for (const f of files) {
  await settle();
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

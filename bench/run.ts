// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line), prints each
// figure with its same-run baseline and ratio, and writes bench/results.json.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { meetsTarget, type Bench, type BenchResult } from './result';

const here = dirname(fileURLToPath(import.meta.url));
const RESULTS_LINE = 'bench-results ';

// `run.ts --one FILE`: one bench file in a process of its own, its results as one JSON line.
// Each file gets a fresh process: what one leaves behind (a heap of 10k objects, a client still
// retrying a server it tore down) must not slow the next one's figures.
if (process.argv[2] === '--one') {
  const mod = (await import(pathToFileURL(join(here, process.argv[3])).href)) as { default: Bench };
  const results = await mod.default();
  console.log(RESULTS_LINE + JSON.stringify(results));
  process.exit(0);
}

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
  try {
    const child = await execa(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--one', f], { stderr: 'inherit', reject: false });
    const line = child.stdout.split('\n').find((l) => l.startsWith(RESULTS_LINE));
    for (const l of child.stdout.split('\n')) if (!l.startsWith(RESULTS_LINE) && l) console.log(l);
    if (child.exitCode !== 0 || !line) throw new Error(`exit ${child.exitCode ?? child.signal}`);
    const results = JSON.parse(line.slice(RESULTS_LINE.length)) as BenchResult[];
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

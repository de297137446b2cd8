// One benchmark figure: `value` measured by us, `baseline` measured in the same run by the
// reference tool, `ratio` = value / baseline, `target` what we aim to stay under: the ratio, or
// (targetOn 'value') the value itself in `unit`, for budgets the issues give in milliseconds.
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  target: number;
  /** what `target` bounds; absent: the ratio */
  targetOn?: 'ratio' | 'value';
}

export type Bench = () => Promise<BenchResult[]>;

export function result(name: string, value: number, baseline: number, unit: string, target: number, targetOn: 'ratio' | 'value' = 'ratio'): BenchResult {
  return { name, value, unit, baseline, ratio: baseline > 0 ? value / baseline : Number.NaN, target, targetOn };
}

/** True when the figure meets its target. */
export function meetsTarget(r: BenchResult): boolean {
  return (r.targetOn === 'value' ? r.value : r.ratio) <= r.target;
}

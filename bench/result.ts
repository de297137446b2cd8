// One benchmark figure: `value` measured by us, `baseline` measured in the same run by the
// reference tool, `ratio` = value / baseline, `target` the ratio (or value) we aim to stay under.
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  target: number;
}

export type Bench = () => Promise<BenchResult[]>;

export function result(name: string, value: number, baseline: number, unit: string, target: number): BenchResult {
  return { name, value, unit, baseline, ratio: baseline > 0 ? value / baseline : Number.NaN, target };
}

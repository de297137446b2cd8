// The shape every `ovnlab` verb has. Verbs live in src/cli/commands/, one file per topic,
// and are listed in src/cli/main.ts.
import type { ParseArgsConfig } from 'node:util';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** stdin as text, for `-` file arguments */
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
  /** aborted on SIGINT so long verbs (watch, lab up) can stop cleanly */
  signal: AbortSignal;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CliCommand {
  /** words after `ovnlab`, e.g. ['nb', 'show'] */
  path: string[];
  summary: string;
  usage: string;
  options: OptionSpec;
  run(values: Record<string, string | boolean | string[] | boolean[] | undefined>, positionals: string[], io: CliIo): Promise<number>;
}

/** An error the user can act on: printed without a stack, exit code 2 unless given. */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'UsageError';
  }
}

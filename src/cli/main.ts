// `ovnlab`: the command-line twin of the extension. Finds the verb, parses its options,
// runs it, and turns errors into one clear line and an exit code.
import { parseArgs } from 'node:util';
import { type CliCommand, type CliIo, UsageError } from './command';
import { commands } from './commands/index';

export function findCommand(argv: string[], list: CliCommand[] = commands): { cmd: CliCommand; rest: string[] } | undefined {
  let best: { cmd: CliCommand; rest: string[] } | undefined;
  for (const cmd of list) {
    if (cmd.path.every((w, i) => argv[i] === w) && (!best || cmd.path.length > best.cmd.path.length)) {
      best = { cmd, rest: argv.slice(cmd.path.length) };
    }
  }
  return best;
}

export function helpText(list: CliCommand[] = commands): string {
  const lines = ['usage: ovnlab <command> [options]   (every command takes --json)', ''];
  for (const c of list) lines.push(`  ${c.usage.padEnd(60)} ${c.summary}`);
  return lines.join('\n');
}

export async function runCli(argv: string[], io: CliIo, list: CliCommand[] = commands): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(helpText(list));
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv, list);
  if (!found) {
    io.err(`ovnlab: unknown command "${argv.join(' ')}"\n\n${helpText(list)}`);
    return 2;
  }
  const { cmd, rest } = found;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...cmd.options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.out(`usage: ovnlab ${cmd.usage}\n${cmd.summary}`);
      return 0;
    }
    return await cmd.run(values, positionals, io);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err instanceof UsageError) {
      io.err(`ovnlab: ${err.message}`);
      return err.exitCode;
    }
    if (err.code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`ovnlab ${cmd.path.join(' ')}: ${err.message}\nusage: ovnlab ${cmd.usage}`);
      return 2;
    }
    io.err(`ovnlab ${cmd.path.join(' ')}: ${err.message}`);
    if (io.env.OVNLAB_DEBUG) io.err(String(err.stack));
    return 1;
  }
}

// `ovnlab flows parse [FILE|-]`: reads `ovs-ofctl dump-flows` output (a file, or stdin) and prints
// the flows as a table or, with --json, as an array of objects. Lines that are not flows are
// reported on stderr with their line number and make the exit code 1.
import { readFile } from 'node:fs/promises';
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { FlowDumpReader } from '../../ovn/flow-dump';
import { formatFlows, formatParseErrors } from '../../ovn/flow-format';

async function readInput(file: string | undefined, readStdin: () => Promise<string>): Promise<{ text: string; source: string }> {
  if (file === undefined || file === '-') return { text: await readStdin(), source: '<stdin>' };
  try {
    return { text: await readFile(file, 'utf8'), source: file };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no such file "${file}": give the path of a saved dump-flows output, or - for stdin`);
    if (code === 'EISDIR') throw new UsageError(`"${file}" is a directory: give the path of a saved dump-flows output`);
    throw e;
  }
}

export const flowsCommands: CliCommand[] = [
  {
    path: ['flows', 'parse'],
    summary: 'parse `ovs-ofctl dump-flows` output (FILE or - for stdin); bad lines go to stderr with their line number',
    usage: 'flows parse [FILE|-] [--json]',
    options: {},
    async run(v, positionals, io) {
      if (positionals.length > 1) throw new UsageError(`flows parse takes one FILE (or -), got ${positionals.length}: ${positionals.join(' ')}`);
      const { text, source } = await readInput(positionals[0], io.readStdin);
      const reader = new FlowDumpReader();
      reader.push(text);
      const { flows, errors } = reader.end();
      io.out(v.json ? JSON.stringify(flows, null, 2) : formatFlows(flows));
      if (errors.length > 0) {
        io.err(formatParseErrors(errors, source));
        io.err(`${errors.length} line(s) of ${source} could not be read as flows (${flows.length} flows parsed)`);
        return 1;
      }
      return 0;
    },
  },
];

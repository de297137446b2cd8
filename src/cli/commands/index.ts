// Every `ovnlab` verb. Add a topic's commands here, one import per topic file.
import type { CliCommand } from '../command';
import { traceCommands } from './trace';
import { flowsCommands } from './flows';

export const commands: CliCommand[] = [
  ...traceCommands,
  ...flowsCommands,
];

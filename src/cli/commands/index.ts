// Every `ovnlab` verb. Add a topic's commands here, one import per topic file.
import type { CliCommand } from '../command';
import { nbCommands } from './nb';
import { traceCommands } from './trace';
import { flowsLiveCommands } from './flows-live';
import { flowsCommands } from './flows';
import { labCommands } from './lab';
import { getCommands } from './get';
import { vmCommands } from './vm';
import { labsCommands } from './labs';

export const commands: CliCommand[] = [
  ...nbCommands,
  ...traceCommands,
  ...flowsLiveCommands,
  ...flowsCommands,
  ...labCommands,
  ...getCommands,
  ...vmCommands,
  ...labsCommands,
];

// Every `ovnlab` verb. Add a topic's commands here, one import per topic file.
import type { CliCommand } from '../command';

export const commands: CliCommand[] = [
];

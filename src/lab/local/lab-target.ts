// The OvnTarget of a running local lab: its central databases and every node's OVS run dir,
// read from the lab's state file, so the CLI and the panels inspect the lab by name alone.
import { join } from 'node:path';
import { LocalOvnTarget } from '../../ovn/local-target';
import { readLabState } from './lab-state';

export async function localLabTarget(dir: string): Promise<LocalOvnTarget | undefined> {
  const state = await readLabState(dir);
  if (!state || state.phase !== 'up') return undefined;
  const run = join(state.centralDir, 'run');
  return new LocalOvnTarget({
    nbRemote: `unix:${join(run, 'ovnnb_db.sock')}`,
    sbRemote: `unix:${join(run, 'ovnsb_db.sock')}`,
    nodes: state.nodes.map((n) => ({ name: n.name, runDir: join(n.dir, 'run') })),
    label: `local lab at ${dir}`,
  });
}

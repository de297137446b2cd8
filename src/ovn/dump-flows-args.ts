// The `ovs-ofctl dump-flows` command line, for every target. ovs-ofctl speaks only OpenFlow 1.0
// unless told otherwise, and a bridge restricted to newer versions (`protocols=OpenFlow13`, as
// some deployments set on br-int) refuses the connection with "version negotiation failed"; the
// targets then ask again allowing 1.3 to 1.5, whose output the parser reads the same way.
import type { FlowDumpOptions } from './ovn-target';

const VERSION_NEGOTIATION_FAILED = /version negotiation failed/;

export function dumpFlowsArgs(bridge: string, opts: FlowDumpOptions = {}, newerOpenFlow = false): string[] {
  const t = opts.table;
  if (t !== undefined && !(Number.isInteger(t) && t >= 0 && t < 255)) throw new RangeError(`flow table ${t} is not a table number (0-254)`);
  return [
    ...(newerOpenFlow ? ['-O', 'OpenFlow13,OpenFlow14,OpenFlow15'] : []),
    'dump-flows', ...(opts.names ? ['--names'] : []), ...(opts.noStats ? ['--no-stats'] : []), bridge,
    ...(t !== undefined ? [`table=${t}`] : []),
  ];
}

/** Runs a dump with `run` (the target's way to run ovs-ofctl), asking again with 1.3-1.5 when 1.0 is refused. */
export async function dumpFlowsNegotiating(run: (args: string[]) => Promise<string>, bridge: string, opts: FlowDumpOptions = {}): Promise<string> {
  try {
    return await run(dumpFlowsArgs(bridge, opts));
  } catch (e) {
    if (!VERSION_NEGOTIATION_FAILED.test((e as Error).message)) throw e;
    return run(dumpFlowsArgs(bridge, opts, true));
  }
}

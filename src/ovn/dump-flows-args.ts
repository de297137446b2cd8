// The `ovs-ofctl dump-flows` command line, for every target. ovs-ofctl speaks only OpenFlow 1.0
// unless told otherwise, and a bridge restricted to newer versions (`protocols=OpenFlow13`, as
// some deployments set on br-int) refuses the connection with "version negotiation failed"; the
// targets then ask again allowing 1.3 to 1.5, whose output the parser reads the same way.
import type { FlowDumpOptions } from './ovn-target';

export const VERSION_NEGOTIATION_FAILED = /version negotiation failed/;

export function dumpFlowsArgs(bridge: string, opts: FlowDumpOptions = {}, newerOpenFlow = false): string[] {
  return [
    ...(newerOpenFlow ? ['-O', 'OpenFlow13,OpenFlow14,OpenFlow15'] : []),
    'dump-flows', ...(opts.names ? ['--names'] : []), ...(opts.noStats ? ['--no-stats'] : []), bridge,
  ];
}

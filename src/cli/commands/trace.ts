// `ovnlab trace --from PORT --to IP [--icmp|--tcp N|--udp N]`: ovn-trace + ofproto/trace +
// detrace in one answer.
import type { CliCommand } from '../command';
import { UsageError } from '../command';
import { runTrace, formatTrace } from '../../ovn/trace-run';
import type { TraceProtocol } from '../../ovn/trace-request';
import { targetFrom, targetOptions, TARGET_USAGE } from '../target-options';

function protocolFrom(v: Record<string, unknown>): TraceProtocol {
  const chosen = ['icmp', 'tcp', 'udp'].filter((k) => v[k] !== undefined);
  if (chosen.length > 1) throw new UsageError('choose one of --icmp, --tcp PORT, --udp PORT');
  if (v.tcp !== undefined || v.udp !== undefined) {
    const kind = v.tcp !== undefined ? 'tcp' : 'udp';
    const port = Number(v[kind]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--${kind} takes a port 1-65535, got "${String(v[kind])}"`);
    return { kind, port };
  }
  return { kind: 'icmp' };
}

export const traceCommands: CliCommand[] = [
  {
    path: ['trace'],
    summary: 'trace a packet from a logical port to an IP: ovn-trace, ofproto/trace and detrace in one answer',
    usage: `trace --from PORT --to IP [--icmp|--tcp N|--udp N] ${TARGET_USAGE}`,
    options: { ...targetOptions, from: { type: 'string' }, to: { type: 'string' }, icmp: { type: 'boolean' }, tcp: { type: 'string' }, udp: { type: 'string' } },
    async run(v, _p, io) {
      if (typeof v.from !== 'string' || typeof v.to !== 'string') {
        throw new UsageError('trace needs --from PORT (e.g. vm1.default) and --to IP');
      }
      const target = await targetFrom(v, io.env);
      try {
        const r = await runTrace(target, v.from, v.to, protocolFrom(v));
        io.out(v.json ? JSON.stringify(r, null, 2) : formatTrace(r));
        return 0;
      } finally {
        await target.close();
      }
    },
  },
];

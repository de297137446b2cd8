// `ovnlab nb show` and `ovnlab nat list ROUTER`: the Northbound database read over OVSDB (not by
// running ovn-nbctl), printed like `ovn-nbctl show` / `lr-nat-list`, or as JSON with --json.
// The database comes from --db, else $OVN_NB_DB, else the local lab's default socket.
import type { CliCommand, CliIo } from '../command';
import { UsageError } from '../command';
import { DEFAULT_NB_REMOTE, formatNatList, formatNbShow, natRulesOf, openNorthbound, readNbTopology, type NbTopology } from '../../ovn/nb-reader';
import { OvsdbConnectionError, parseRemote } from '../../ovn/ovsdb/index';

function nbRemote(v: Record<string, unknown>, io: CliIo): string {
  const remote = (typeof v.db === 'string' && v.db) || io.env.OVN_NB_DB || DEFAULT_NB_REMOTE;
  try {
    parseRemote(remote);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return remote;
}

async function readTopology(remote: string): Promise<NbTopology> {
  // one snapshot: no reconnecting, no keepalive
  const client = await openNorthbound(remote, { reconnect: false, probeIntervalMs: 0, connectTimeoutMs: 5000 }).catch((e: unknown) => {
    if (e instanceof OvsdbConnectionError) throw new UsageError(e.message, 1);
    throw e;
  });
  try {
    return await readNbTopology(client);
  } finally {
    client.close();
  }
}

export const nbCommands: CliCommand[] = [
  {
    path: ['nb', 'show'],
    summary: 'the OVN Northbound topology (like `ovn-nbctl show`), read over OVSDB',
    usage: 'nb show [--db REMOTE] [--json]',
    options: { db: { type: 'string' } },
    async run(v, positionals, io) {
      if (positionals.length > 0) throw new UsageError(`nb show takes no arguments, got: ${positionals.join(' ')}`);
      const topo = await readTopology(nbRemote(v, io));
      io.out(v.json ? JSON.stringify(topo, null, 2) : formatNbShow(topo));
      return 0;
    },
  },
  {
    path: ['nat', 'list'],
    summary: "a logical router's NAT rules (like `ovn-nbctl lr-nat-list`), read over OVSDB",
    usage: 'nat list ROUTER [--db REMOTE] [--json]',
    options: { db: { type: 'string' } },
    async run(v, positionals, io) {
      if (positionals.length !== 1) throw new UsageError('nat list takes one ROUTER (a logical router name or uuid), e.g. `ovnlab nat list ovn-cluster`');
      const topo = await readTopology(nbRemote(v, io));
      const rules = natRulesOf(topo, positionals[0]);
      if (!rules) {
        const names = topo.routers.map((r) => r.name).join(', ') || 'none';
        throw new UsageError(`no logical router "${positionals[0]}" in the Northbound database (routers: ${names})`, 1);
      }
      io.out(v.json ? JSON.stringify(rules, null, 2) : formatNatList(rules));
      return 0;
    },
  },
];

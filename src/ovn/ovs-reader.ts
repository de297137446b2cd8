// Reads a chassis' Open_vSwitch database over OVSDB: which Interface an OpenFlow port number is on
// a bridge, and which logical port (external_ids:iface-id) it carries — what detrace needs to name
// `in_port=5` — from a monitored cache.
import { OvsdbClient, OvsdbConnectionError, type OvsdbClientOptions } from './ovsdb/index';
import type { OvsBridge, OvsInterface, OvsTables } from './ovsdb/models/vswitch';

export const DEFAULT_OVS_REMOTE = 'unix:/var/run/openvswitch/db.sock';

export async function openVswitchDb(remote: string, opts: Partial<OvsdbClientOptions> = {}): Promise<OvsdbClient<OvsTables>> {
  try {
    return await OvsdbClient.connect<OvsTables>({ requestTimeoutMs: 10_000, ...opts, remote, database: 'Open_vSwitch' });
  } catch (e) {
    if (e instanceof OvsdbConnectionError) {
      throw new OvsdbConnectionError(
        `cannot reach the Open vSwitch database at ${remote}: start the lab (\`ovnlab lab up\`) or pass --ovs (${e.message})`,
        remote,
        e,
      );
    }
    throw e;
  }
}

/** Monitors Open_vSwitch, Bridge, Port and Interface unless already monitored. */
export async function monitorVswitch(client: OvsdbClient<OvsTables>): Promise<void> {
  const tracked = new Set(client.cache.trackedTables());
  const missing = (['Open_vSwitch', 'Bridge', 'Port', 'Interface'] as const).filter((t) => !tracked.has(t));
  if (missing.length > 0) await client.monitor([...missing]);
}

export function bridgeByName(client: OvsdbClient<OvsTables>, name: string): OvsBridge | undefined {
  for (const b of client.rows('Bridge').values()) if (b.name === name) return b;
  return undefined;
}

/** The interfaces of a bridge (through its ports). */
export function interfacesOf(client: OvsdbClient<OvsTables>, bridge: OvsBridge): OvsInterface[] {
  return bridge.ports.flatMap((p) => client.row('Port', p)?.interfaces ?? []).flatMap((i) => {
    const row = client.row('Interface', i);
    return row ? [row] : [];
  });
}

/** The Interface with OpenFlow port number `ofport` on `bridge` (e.g. br-int). */
export function interfaceByOfport(client: OvsdbClient<OvsTables>, bridge: string, ofport: number): OvsInterface | undefined {
  const b = bridgeByName(client, bridge);
  return b ? interfacesOf(client, b).find((i) => i.ofport === ofport) : undefined;
}

/** The Interface bound to an OVN logical port (external_ids:iface-id). */
export function interfaceByIfaceId(client: OvsdbClient<OvsTables>, logicalPort: string): OvsInterface | undefined {
  for (const i of client.rows('Interface').values()) if (i.external_ids['iface-id'] === logicalPort) return i;
  return undefined;
}

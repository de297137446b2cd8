// Reads the OVN Southbound database over OVSDB: the lookups detrace and the views need
// (a flow cookie → the Logical_Flow / Port_Binding / MAC_Binding whose uuid starts with it, a
// datapath or port by tunnel key, a chassis by name), from a monitored cache.
import { OvsdbClient, OvsdbConnectionError, type OvsdbClientOptions } from './ovsdb/index';
import type { SbChassis, SbDatapathBinding, SbLogicalFlow, SbPortBinding, SbTables } from './ovsdb/models/sb';
import { CookieIndex } from './cookie-index';

export const DEFAULT_SB_REMOTE = 'unix:/var/run/ovn/ovnsb_db.sock';

export const SB_DETRACE_TABLES = [
  'Logical_Flow', 'Port_Binding', 'Datapath_Binding', 'Chassis', 'Encap', 'MAC_Binding', 'Multicast_Group',
] as const satisfies ReadonlyArray<keyof SbTables>;

export async function openSouthbound(remote: string, opts: Partial<OvsdbClientOptions> = {}): Promise<OvsdbClient<SbTables>> {
  try {
    return await OvsdbClient.connect<SbTables>({ requestTimeoutMs: 10_000, ...opts, remote, database: 'OVN_Southbound' });
  } catch (e) {
    if (e instanceof OvsdbConnectionError) {
      throw new OvsdbConnectionError(
        `cannot reach the OVN Southbound database at ${remote}: start the lab (\`ovnlab lab up\`) or pass --sb-db (${e.message})`,
        remote,
        e,
      );
    }
    throw e;
  }
}

/** Starts monitoring the given tables (default: those detrace needs) unless already monitored. */
export async function monitorSouthbound(client: OvsdbClient<SbTables>, tables: ReadonlyArray<keyof SbTables> = SB_DETRACE_TABLES): Promise<void> {
  const tracked = new Set(client.cache.trackedTables());
  const missing = tables.filter((t) => !tracked.has(t));
  if (missing.length > 0) await client.monitor([...missing]);
}

/** Rows whose uuid starts with the cookie's hex digits (cookie-index.ts says why). */
export function rowsByCookie<K extends keyof SbTables & string>(client: OvsdbClient<SbTables>, table: K, cookie: string | bigint | number): SbTables[K][] {
  return [...new CookieIndex(client.rows(table).values()).find(cookie)];
}

export function logicalFlowsByCookie(client: OvsdbClient<SbTables>, cookie: string | bigint | number): SbLogicalFlow[] {
  return rowsByCookie(client, 'Logical_Flow', cookie);
}

export function datapathByTunnelKey(client: OvsdbClient<SbTables>, key: number): SbDatapathBinding | undefined {
  for (const d of client.rows('Datapath_Binding').values()) if (d.tunnel_key === key) return d;
  return undefined;
}

/** The logical switch/router name of a datapath (external_ids name, or name2 for routers). */
export function datapathName(d: SbDatapathBinding): string {
  return d.external_ids.name ?? d.external_ids.name2 ?? d._uuid;
}

export function portBindingByName(client: OvsdbClient<SbTables>, logicalPort: string): SbPortBinding | undefined {
  for (const p of client.rows('Port_Binding').values()) if (p.logical_port === logicalPort) return p;
  return undefined;
}

export function portBindingByTunnelKey(client: OvsdbClient<SbTables>, datapathKey: number, portKey: number): SbPortBinding | undefined {
  const dp = datapathByTunnelKey(client, datapathKey);
  if (!dp) return undefined;
  for (const p of client.rows('Port_Binding').values()) if (p.datapath === dp._uuid && p.tunnel_key === portKey) return p;
  return undefined;
}

export function chassisByName(client: OvsdbClient<SbTables>, name: string): SbChassis | undefined {
  for (const c of client.rows('Chassis').values()) if (c.name === name || c.hostname === name) return c;
  return undefined;
}

// The OVSDB client against the real NB ovsdb-server from the distribution: its view must equal
// ovn-nbctl's, follow changes, survive a server restart with a correct cache, and fail clearly.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createServer, type Socket } from 'node:net';
import { startOvnCentral, checkOvnInstalled, type OvnCentral } from '../../src/lab/local/ovn-daemons';
import {
  OvsdbClient, Operations, namedUuid, decodeValue, columnOf, sameValue,
  OvsdbError, OvsdbConnectionError, OvsdbSchemaError, OvsdbProtocolError, OvsdbTimeoutError, JsonStreamScanner,
  type NbTables, type RowChange, type ColumnValue, type JsonValue, type DatabaseSchema,
} from '../../src/ovn/ovsdb/index';
import { readNbTopology, formatNbShow, formatNatList, natRulesOf } from '../../src/ovn/nb-reader';
import { runCli } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/command';

async function ovnMissing(): Promise<string | undefined> {
  try {
    await checkOvnInstalled();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

type Rows = Map<string, Record<string, ColumnValue>>;

/** `ovn-nbctl --format=json list TABLE`, decoded with the same schema the client uses. */
async function nbctlList(central: OvnCentral, schema: DatabaseSchema, table: string): Promise<Rows> {
  const j = JSON.parse(await central.nbctl(['--format=json', 'list', table])) as { headings: string[]; data: JsonValue[][] };
  const rows: Rows = new Map();
  for (const d of j.data) {
    const row: Record<string, ColumnValue> = {};
    j.headings.forEach((h, i) => (row[h] = decodeValue(d[i], columnOf(schema, table, h).type)));
    rows.set(row._uuid as string, row);
  }
  return rows;
}

/** Asserts the client's cache of `table` holds exactly ovn-nbctl's rows, column by column. */
async function assertSameAsNbctl(central: OvnCentral, client: OvsdbClient<NbTables>, table: keyof NbTables): Promise<number> {
  const theirs = await nbctlList(central, client.schema, table);
  const ours = client.rows(table) as ReadonlyMap<string, unknown> as ReadonlyMap<string, Record<string, ColumnValue>>;
  assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort(), `${table}: same row uuids as ovn-nbctl`);
  for (const [uuid, t] of theirs) {
    const o = ours.get(uuid)!;
    for (const col of Object.keys(t)) {
      assert.ok(sameValue(o[col], t[col]), `${table} ${uuid} column ${col}: ours ${JSON.stringify(o[col])} vs ovn-nbctl ${JSON.stringify(t[col])}`);
    }
  }
  return theirs.size;
}

function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() - start > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

function memoryIo(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), readStdin: async () => '', env, signal: new AbortController().signal };
}

/** `ovn-nbctl show` as a set of blocks: nbctl lists switches and routers in hash order. */
function showBlocks(text: string): string[] {
  const blocks: string[] = [];
  for (const line of text.trimEnd().split('\n')) {
    if (!line.startsWith(' ')) blocks.push(line);
    else blocks[blocks.length - 1] += `\n${line}`;
  }
  return blocks.sort();
}

describe('OVSDB client on a real OVN Northbound ovsdb-server', async () => {
  const missing = await ovnMissing();
  let dir = '';
  let central: OvnCentral;
  const clients: OvsdbClient<NbTables>[] = [];
  const connect = async (extra: Partial<Parameters<typeof OvsdbClient.connect>[0]> = {}) => {
    const c = await OvsdbClient.connect<NbTables>({ remote: central.nbRemote, database: 'OVN_Northbound', ...extra });
    clients.push(c);
    return c;
  };

  before(async () => {
    if (missing) return;
    dir = await mkdtemp(join(tmpdir(), 'ovnlab-ovsdb-'));
    central = await startOvnCentral(join(dir, 'central'));
    // a Kube-OVN-like NB: every column shape (sets, maps, optional, references, enums)
    await central.nbctl([
      '--', 'lr-add', 'ovn-cluster', '--', 'set', 'logical_router', 'ovn-cluster', 'external_ids:vendor=kube-ovn',
      '--', 'ls-add', 'ovn-default', '--', 'set', 'logical_switch', 'ovn-default', 'external_ids:vendor=kube-ovn', 'other_config:subnet=10.16.0.0/16',
      '--', 'lrp-add', 'ovn-cluster', 'ovn-cluster-ovn-default', '0a:58:0a:10:00:01', '10.16.0.1/16',
      '--', 'lsp-add', 'ovn-default', 'ovn-default-ovn-cluster', '--', 'lsp-set-type', 'ovn-default-ovn-cluster', 'router',
      '--', 'lsp-set-addresses', 'ovn-default-ovn-cluster', 'router', '--', 'lsp-set-options', 'ovn-default-ovn-cluster', 'router-port=ovn-cluster-ovn-default',
      '--', 'lsp-add', 'ovn-default', 'vm1.default', '--', 'lsp-set-addresses', 'vm1.default', '0a:58:0a:10:00:0f 10.16.0.15',
      '--', 'lsp-set-port-security', 'vm1.default', '0a:58:0a:10:00:0f 10.16.0.15',
      '--', 'set', 'logical_switch_port', 'vm1.default', 'external_ids:pod=default/vm1', 'external_ids:vendor=kube-ovn', 'enabled=true',
      '--', 'lsp-add', 'ovn-default', 'vm2.default', '--', 'lsp-set-addresses', 'vm2.default', '0a:58:0a:10:00:10 10.16.0.16', 'unknown',
      '--', 'lsp-add', 'ovn-default', 'child1', 'vm2.default', '7',
      '--', 'ls-add', 'external', '--', 'lsp-add', 'external', 'localnet.external', '--', 'lsp-set-type', 'localnet.external', 'localnet',
      '--', 'lsp-set-addresses', 'localnet.external', 'unknown', '--', 'lsp-set-options', 'localnet.external', 'network_name=external',
      '--', 'lrp-add', 'ovn-cluster', 'ovn-cluster-external', '0a:58:c0:a8:64:fe', '192.168.100.254/24', 'fd00::1/64',
      '--', 'lrp-set-gateway-chassis', 'ovn-cluster-external', 'node1', '100', '--', 'lrp-set-gateway-chassis', 'ovn-cluster-external', 'node2', '50',
      '--', 'lsp-add', 'external', 'external-ovn-cluster', '--', 'lsp-set-type', 'external-ovn-cluster', 'router',
      '--', 'lsp-set-addresses', 'external-ovn-cluster', 'router', '--', 'lsp-set-options', 'external-ovn-cluster', 'router-port=ovn-cluster-external',
      '--', 'lr-nat-add', 'ovn-cluster', 'dnat_and_snat', '192.168.100.101', '10.16.0.15',
      '--', 'lr-nat-add', 'ovn-cluster', 'dnat_and_snat', '192.168.100.102', '10.16.0.16', 'vm2.default', '0a:00:00:00:00:02',
      '--', 'lr-nat-add', 'ovn-cluster', 'snat', '192.168.100.254', '10.16.0.0/16',
      '--', 'lr-route-add', 'ovn-cluster', '0.0.0.0/0', '192.168.100.1',
      '--', 'acl-add', 'ovn-default', 'to-lport', '1000', 'ip4.src == 10.16.0.15 && tcp.dst == 22', 'drop',
    ]);
    // ovn-northd writes child1's `tag` (from its tag_request) a moment later: wait for it, or the
    // comparisons below race with that write
    for (let i = 0; i < 100 && (await central.nbctl(['get', 'logical_switch_port', 'child1', 'tag'])).trim() !== '7'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    for (const c of clients) c.close();
    if (missing) return;
    await central?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the client view equals ovn-nbctl --format=json list for the same database', async (t) => {
    if (missing) return t.skip(missing);
    const c = await connect();
    assert.deepEqual((await c.listDbs()).sort(), ['OVN_Northbound', '_Server']);
    const m = await c.monitor(['Logical_Switch', 'Logical_Switch_Port', 'Logical_Router', 'Logical_Router_Port', 'NAT', 'Gateway_Chassis', 'ACL', 'Logical_Router_Static_Route']);
    assert.equal(m.method, 'monitor_cond');
    assert.equal(await assertSameAsNbctl(central, c, 'Logical_Switch_Port'), 6);
    for (const table of ['Logical_Switch', 'Logical_Router', 'Logical_Router_Port', 'NAT', 'Gateway_Chassis', 'ACL', 'Logical_Router_Static_Route'] as const) {
      assert.ok((await assertSameAsNbctl(central, c, table)) > 0, `${table} has rows`);
    }
    const vm1 = [...c.rows('Logical_Switch_Port').values()].find((p) => p.name === 'vm1.default')!;
    assert.deepEqual(vm1.external_ids, { pod: 'default/vm1', vendor: 'kube-ovn' });
    assert.equal(vm1.enabled, true);
    const child = [...c.rows('Logical_Switch_Port').values()].find((p) => p.name === 'child1')!;
    assert.equal(child.parent_name, 'vm2.default');
    assert.equal(child.tag_request, 7);
  });

  test('nb reader: readNbTopology formats like ovn-nbctl show, and nat list like lr-nat-list', async (t) => {
    if (missing) return t.skip(missing);
    const c = await connect();
    const topo = await readNbTopology(c);
    assert.deepEqual(showBlocks(formatNbShow(topo)), showBlocks(await central.nbctl(['show'])));
    const nats = natRulesOf(topo, 'ovn-cluster')!;
    assert.equal(nats.length, 3);
    const normalise = (s: string) => s.split('\n').map((l) => l.trimEnd()).join('\n').trim();
    assert.equal(normalise(formatNatList(nats)), normalise(await central.nbctl(['lr-nat-list', 'ovn-cluster'])));
    const ext = topo.routers[0].ports.find((p) => p.name === 'ovn-cluster-external')!;
    assert.deepEqual(ext.gatewayChassis, ['node1', 'node2']);
    const rp = topo.switches.find((s) => s.name === 'external')!.ports.find((p) => p.type === 'router')!;
    assert.equal(rp.routerPort, 'ovn-cluster-external');
  });

  test('ovnlab nb show --json and nat list read the database given by --db or OVN_NB_DB', async (t) => {
    if (missing) return t.skip(missing);
    const io = memoryIo();
    assert.equal(await runCli(['nb', 'show', '--db', central.nbRemote, '--json'], io), 0, io.stderr.join('\n'));
    const topo = JSON.parse(io.stdout.join('\n'));
    assert.deepEqual(topo.switches.map((s: { name: string }) => s.name), ['external', 'ovn-default']);
    const io2 = memoryIo({ OVN_NB_DB: central.nbRemote });
    assert.equal(await runCli(['nat', 'list', 'ovn-cluster'], io2), 0, io2.stderr.join('\n'));
    assert.match(io2.stdout.join('\n'), /^dnat_and_snat\s+192\.168\.100\.102\s+10\.16\.0\.16\s+0a:00:00:00:00:02\s+vm2\.default$/m);
    const io3 = memoryIo({ OVN_NB_DB: central.nbRemote });
    assert.equal(await runCli(['nat', 'list', 'no-such-router'], io3), 1);
    assert.match(io3.stderr.join('\n'), /no logical router "no-such-router".*routers: ovn-cluster/);
  });

  test('a change made with ovn-nbctl reaches a monitor cache, with change events', async (t) => {
    if (missing) return t.skip(missing);
    const c = await connect();
    await c.monitor({ Logical_Switch_Port: true, Logical_Switch: { columns: ['name', 'ports'] } });
    const seen: RowChange<NbTables>[] = [];
    c.on('change', (ch) => seen.push(...ch));
    await central.nbctl(['lsp-add', 'ovn-default', 'vm3.default', '--', 'lsp-set-addresses', 'vm3.default', '0a:58:0a:10:00:11 10.16.0.17']);
    await until(() => [...c.rows('Logical_Switch_Port').values()].some((p) => p.name === 'vm3.default'), 'vm3.default in the cache');
    const vm3 = [...c.rows('Logical_Switch_Port').values()].find((p) => p.name === 'vm3.default')!;
    assert.ok(seen.some((x) => x.kind === 'insert' && x.uuid === vm3._uuid));
    const ls = [...c.rows('Logical_Switch').values()].find((s) => s.name === 'ovn-default')!;
    assert.ok(ls.ports.includes(vm3._uuid), 'the switch row lists the new port');
    // update2 diffs on a map and a set, applied to the cached row
    await central.nbctl(['set', 'logical_switch_port', 'vm3.default', 'external_ids:a=1', 'external_ids:b=2', '--', 'lsp-set-port-security', 'vm3.default', 'x', 'y']);
    await until(() => c.rows('Logical_Switch_Port').get(vm3._uuid)?.external_ids.b === '2', 'external_ids in the cache');
    await central.nbctl(['remove', 'logical_switch_port', 'vm3.default', 'external_ids', 'a', '--', 'set', 'logical_switch_port', 'vm3.default', 'external_ids:b=3', '--', 'lsp-set-port-security', 'vm3.default', 'y', 'z']);
    await until(() => c.rows('Logical_Switch_Port').get(vm3._uuid)?.external_ids.b === '3', 'modified map in the cache');
    assert.deepEqual(c.rows('Logical_Switch_Port').get(vm3._uuid)?.external_ids, { b: '3' });
    assert.deepEqual([...c.rows('Logical_Switch_Port').get(vm3._uuid)!.port_security].sort(), ['y', 'z']);
    await central.nbctl(['lsp-del', 'vm3.default']);
    await until(() => !c.rows('Logical_Switch_Port').has(vm3._uuid), 'vm3.default gone from the cache');
    assert.ok(seen.some((x) => x.kind === 'delete' && x.uuid === vm3._uuid && (x.old as { name?: string } | undefined)?.name === 'vm3.default'));
    await assertSameAsNbctl(central, c, 'Logical_Switch_Port');
  });

  test('monitor_cancel stops updates and drops the rows; a table has one monitor at a time', async (t) => {
    if (missing) return t.skip(missing);
    const c = await connect();
    const m = await c.monitor(['Address_Set']);
    await assert.rejects(c.monitor({ Address_Set: { columns: ['name'] } }), (e: Error) => e instanceof OvsdbError && /Address_Set is already monitored by ovnlab-1/.test(e.message));
    await central.nbctl(['create', 'address_set', 'name=as1', 'addresses="10.0.0.1"']);
    await until(() => c.rows('Address_Set').size === 1, 'as1 in the cache');
    const seen: RowChange<NbTables>[] = [];
    c.on('change', (ch) => seen.push(...ch));
    await m.cancel();
    assert.equal(c.rows('Address_Set').size, 0, 'no stale rows kept after cancel');
    assert.deepEqual(seen.map((x) => x.kind), ['delete']);
    await central.nbctl(['create', 'address_set', 'name=as2']);
    await c.echo(); // a round trip after the change: an update would have arrived before the reply
    assert.equal(c.rows('Address_Set').size, 0);
    assert.equal(seen.length, 1, 'no update after cancel');
    await assert.rejects(m.cancel(), /unknown monitor/);
  });

  test('monitor_cond where: only matching rows, and a row leaving the condition leaves the cache', async (t) => {
    if (missing) return t.skip(missing);
    const c = await connect();
    await c.monitor({ Logical_Switch_Port: { columns: ['name', 'external_ids'], where: [['external_ids', 'includes', { vendor: 'kube-ovn' }]] } });
    assert.deepEqual([...c.rows('Logical_Switch_Port').values()].map((p) => p.name), ['vm1.default']);
    assert.deepEqual(Object.keys([...c.rows('Logical_Switch_Port').values()][0]).sort(), ['_uuid', 'external_ids', 'name']);
    await central.nbctl(['set', 'logical_switch_port', 'vm2.default', 'external_ids:vendor=kube-ovn']);
    await until(() => c.rows('Logical_Switch_Port').size === 2, 'vm2.default enters the condition');
    await central.nbctl(['remove', 'logical_switch_port', 'vm2.default', 'external_ids', 'vendor']);
    await until(() => c.rows('Logical_Switch_Port').size === 1, 'vm2.default leaves the condition');
  });

  test('transact: insert with named-uuid, mutate and delete round trip as seen by ovn-nbctl', async (t) => {
    if (missing) return t.skip(missing);
    const c = await connect();
    const op = new Operations<NbTables>();
    const r = await c.transact([
      op.insert('Logical_Switch_Port', { name: 'tx-port', addresses: ['0a:00:00:00:00:99 10.16.0.99'], external_ids: { owner: 'ovnlab' }, tag_request: 9 }, 'newport'),
      op.insert('Logical_Switch', { name: 'tx-switch', ports: [namedUuid('newport')] }, 'newsw'),
      op.comment('ovnlab integration test'),
    ]);
    assert.match(r.uuids.newport, /^[0-9a-f-]{36}$/);
    assert.equal(await central.nbctl(['get', 'logical_switch_port', 'tx-port', '_uuid']).then((s) => s.trim()), r.uuids.newport);
    assert.equal((await central.nbctl(['lsp-get-ls', 'tx-port'])).trim(), `${r.uuids.newsw} (tx-switch)`);
    assert.equal((await central.nbctl(['get', 'logical_switch_port', 'tx-port', 'tag_request'])).trim(), '9');

    const m = await c.transact([
      op.mutate('Logical_Switch_Port', [['name', '==', 'tx-port']], [['external_ids', 'insert', { step: 'two' }], ['external_ids', 'delete', ['owner']], ['addresses', 'insert', ['unknown']]]),
    ]);
    assert.equal(m.results[0].count, 1);
    assert.equal((await central.nbctl(['get', 'logical_switch_port', 'tx-port', 'external_ids'])).trim(), '{step=two}');
    assert.match(await central.nbctl(['get', 'logical_switch_port', 'tx-port', 'addresses']), /unknown/);

    const sel = await c.transact([op.select('Logical_Switch_Port', [['name', '==', 'tx-port']], ['name', 'external_ids', 'tag_request'])]);
    assert.deepEqual(sel.results[0].rows, [{ name: 'tx-port', external_ids: { step: 'two' }, tag_request: 9 }]);

    const d = await c.transact([
      op.mutate('Logical_Switch', [['name', '==', 'tx-switch']], [['ports', 'delete', [r.uuids.newport]]]),
      op.delete('Logical_Switch', [['_uuid', '==', r.uuids.newsw]]),
    ]);
    assert.equal(d.results[1].count, 1);
    assert.equal((await central.nbctl(['--if-exists', 'get', 'logical_switch', 'tx-switch', 'name'])).trim(), '');
    assert.equal((await central.nbctl(['--columns=name', 'find', 'logical_switch_port', 'name=tx-port'])).trim(), '', 'the port went with its switch (garbage-collected)');
  });

  test('a server error is an OvsdbError with the server error, details and the failing operation', async (t) => {
    if (missing) return t.skip(missing);
    const c = await connect();
    const op = new Operations<NbTables>();
    const err = await c.transact([
      op.comment('first'),
      op.insert('Logical_Switch_Port', { name: 'vm1.default' }, 'dup'),
      op.mutate('Logical_Switch', [['name', '==', 'external']], [['ports', 'insert', [namedUuid('dup')]]]),
    ]).then(
      () => assert.fail('a duplicate port name must fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof OvsdbError);
    assert.equal(err.error, 'constraint violation');
    assert.match(err.details ?? '', /vm1\.default/);
    assert.equal(err.operation?.index, 3, 'the index constraint fails at commit, after the three operations');
    const e2 = await c.transact([op.update('Logical_Switch', [['name', '==', 'ovn-default']], { ports: ['00000000-0000-0000-0000-00000000abcd'] })]).catch((e: unknown) => e);
    assert.ok(e2 instanceof OvsdbError);
    assert.equal(e2.error, 'referential integrity violation');
    assert.match(e2.message, /OVSDB error: referential integrity violation: .*00000000-0000-0000-0000-00000000abcd/);
    const e3 = await c.getSchema('No_Such_DB').catch((e: unknown) => e);
    assert.ok(e3 instanceof OvsdbError);
    assert.equal(e3.error, 'unknown database');
    const e4 = await OvsdbClient.connect({ remote: central.nbRemote, database: 'No_Such_DB' }).catch((e: unknown) => e);
    assert.ok(e4 instanceof OvsdbError);
    assert.match(e4.message, /does not serve database "No_Such_DB"/);
  });

  test('an unknown table or column is refused with an error naming it', async (t) => {
    if (missing) return t.skip(missing);
    const c = await connect();
    await assert.rejects(c.monitor(['No_Such_Table' as keyof NbTables]), (e: Error) => e instanceof OvsdbSchemaError && /table "No_Such_Table" does not exist in database OVN_Northbound/.test(e.message));
    await assert.rejects(
      c.monitor({ Logical_Switch: { columns: ['colour' as 'name'] } }),
      (e: Error) => e instanceof OvsdbSchemaError && /column "colour" does not exist in table Logical_Switch/.test(e.message),
    );
    const op = new Operations<NbTables>();
    await assert.rejects(c.transact([op.insert('Logical_Switch', { colour: 'red' } as never)]), /column "colour" does not exist in table Logical_Switch/);
  });

  test('killing and restarting the NB server mid-monitor ends with a correct cache (no stale rows)', async (t) => {
    if (missing) return t.skip(missing);
    const c = await connect({ reconnect: { initialDelayMs: 50, maxDelayMs: 500 } });
    await c.monitor(['Logical_Switch', 'Logical_Switch_Port']);
    await central.nbctl(['lsp-add', 'ovn-default', 'doomed', '--', 'lsp-add', 'ovn-default', 'survivor']);
    await until(() => [...c.rows('Logical_Switch_Port').values()].some((p) => p.name === 'doomed'), 'doomed in the cache');
    const doomed = [...c.rows('Logical_Switch_Port').values()].find((p) => p.name === 'doomed')!._uuid;
    const seen: RowChange<NbTables>[] = [];
    c.on('change', (ch) => seen.push(...ch));
    const disconnected = c.waitFor('disconnected');

    // while the server is down, change the database file directly: delete one port, add one, modify one
    await central.stopNb();
    await disconnected;
    assert.equal(c.connected, false);
    await assert.rejects(c.listDbs(), (e: Error) => e instanceof OvsdbConnectionError && /reconnecting/.test(e.message));
    const ls = [...c.rows('Logical_Switch').values()].find((s) => s.name === 'ovn-default')!._uuid;
    const txn = JSON.stringify([
      'OVN_Northbound',
      { op: 'mutate', table: 'Logical_Switch', where: [['_uuid', '==', ['uuid', ls]]], mutations: [['ports', 'delete', ['set', [['uuid', doomed]]]], ['ports', 'insert', ['set', [['named-uuid', 'born']]]]] },
      { op: 'delete', table: 'Logical_Switch_Port', where: [['_uuid', '==', ['uuid', doomed]]] },
      { op: 'insert', table: 'Logical_Switch_Port', row: { name: 'born-offline' }, 'uuid-name': 'born' },
      { op: 'update', table: 'Logical_Switch_Port', where: [['name', '==', 'survivor']], row: { external_ids: ['map', [['edited', 'offline']]] } },
    ]);
    await execa('ovsdb-tool', ['transact', join(central.dir, 'db', 'ovnnb_db.db'), txn]);
    const reconnected = c.waitFor('reconnected', 20_000);
    await central.startNb();
    await reconnected;
    assert.equal(c.connected, true);
    assert.ok(!c.rows('Logical_Switch_Port').has(doomed), 'the row deleted while the server was down is gone');
    assert.ok(seen.some((x) => x.kind === 'delete' && x.uuid === doomed), 'its deletion was reported');
    assert.ok([...c.rows('Logical_Switch_Port').values()].some((p) => p.name === 'born-offline'));
    assert.deepEqual([...c.rows('Logical_Switch_Port').values()].find((p) => p.name === 'survivor')?.external_ids, { edited: 'offline' });
    await assertSameAsNbctl(central, c, 'Logical_Switch_Port');
    await assertSameAsNbctl(central, c, 'Logical_Switch');

    // a plain kill-and-restart, then the monitor keeps following changes
    const again = c.waitFor('reconnected', 20_000);
    await central.restartNb();
    await again;
    await central.nbctl(['lsp-del', 'survivor', '--', 'lsp-del', 'born-offline']);
    await until(() => ![...c.rows('Logical_Switch_Port').values()].some((p) => p.name === 'survivor' || p.name === 'born-offline'), 'deletes after restart');
    await assertSameAsNbctl(central, c, 'Logical_Switch_Port');
  });

  test('a dead daemon gives a clear error: the client, the reader and the CLI', async (t) => {
    if (missing) return t.skip(missing);
    const gone = `unix:${join(dir, 'no-such.sock')}`;
    await assert.rejects(OvsdbClient.connect({ remote: gone, database: 'OVN_Northbound' }), (e: Error) => e instanceof OvsdbConnectionError && /cannot connect to unix:.*no-such\.sock: no such socket/.test(e.message));
    await assert.rejects(OvsdbClient.connect({ remote: 'tcp:127.0.0.1:1', database: 'OVN_Northbound' }), /connection refused/);
    const io = memoryIo();
    assert.equal(await runCli(['nb', 'show', '--db', gone], io), 1);
    assert.match(io.stderr.join('\n'), /cannot reach the OVN Northbound database at unix:.*no-such\.sock: start the lab \(`ovnlab lab up`\) or pass --db/);
    const io2 = memoryIo();
    assert.equal(await runCli(['nb', 'show', '--db', 'http://x'], io2), 2);
    assert.match(io2.stderr.join('\n'), /not an OVSDB remote/);

    // a client whose server dies and never comes back gives up after its attempts and says why
    const c = await connect({ reconnect: { initialDelayMs: 20, maxDelayMs: 40, maxAttempts: 3 } });
    const closed = c.waitFor('closed', 20_000);
    await central.stopNb();
    try {
      const [err] = await closed;
      assert.ok(err instanceof OvsdbConnectionError);
      assert.match(err.message, /no such socket|refused/);
    } finally {
      await central.startNb();
    }
  });
});

// ---- protocol robustness: a fake server written here sends what a real one never would ----------

type FakeHandler = (msg: { method?: string; params?: JsonValue[]; id?: JsonValue }, sock: Socket) => void;

const FAKE_SCHEMA = {
  name: 'Fake',
  version: '1.0.0',
  tables: { T: { columns: { name: { type: 'string' }, tags: { type: { key: 'string', min: 0, max: 'unlimited' } } } } },
};

async function fakeServer(dir: string, handler: FakeHandler): Promise<{ remote: string; received: JsonValue[]; close(): Promise<void> }> {
  const path = join(dir, `fake-${Math.random().toString(16).slice(2)}.sock`);
  const received: JsonValue[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    const scanner = new JsonStreamScanner();
    sock.on('data', (chunk: Buffer) => {
      for (const m of scanner.push(chunk)) {
        received.push(m);
        handler(m as { method?: string; params?: JsonValue[]; id?: JsonValue }, sock);
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((r) => server.listen(path, r));
  return {
    remote: `unix:${path}`,
    received,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const reply = (sock: Socket, id: JsonValue | undefined, result: JsonValue) => sock.write(JSON.stringify({ id: id ?? null, result, error: null }));

describe('OVSDB protocol robustness: garbage and half messages from a fake server give clear errors', () => {
  let dir = '';
  const servers: Array<{ close(): Promise<void> }> = [];
  const serve = async (h: FakeHandler) => {
    const s = await fakeServer(dir, h);
    servers.push(s);
    return s;
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ovnlab-ovsdb-fake-'));
  });
  after(async () => {
    for (const s of servers) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('protocol robustness: garbage instead of a reply closes the connection naming the bytes', async () => {
    const s = await serve((_m, sock) => sock.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await assert.rejects(
      OvsdbClient.connect({ remote: s.remote, database: 'Fake', requestTimeoutMs: 5000 }),
      (e: Error) => e instanceof OvsdbProtocolError && /protocol violation from unix:.*HTTP\/1\.1 400/.test(e.message),
    );
  });

  test('protocol robustness: half a message then close is reported as such', async () => {
    const s = await serve((_m, sock) => sock.end('{"id":1,"result":{"name":"Fa'));
    await assert.rejects(
      OvsdbClient.connect({ remote: s.remote, database: 'Fake', requestTimeoutMs: 5000 }),
      (e: Error) => e instanceof OvsdbProtocolError && /closed the connection in the middle of a message \(\d+ bytes/.test(e.message),
    );
  });

  test('protocol robustness: half a message then silence: the echo probe declares the peer dead, no hang', async () => {
    const s = await serve((m, sock) => {
      if (m.method === 'get_schema') sock.write('{"id":1,"result":{"name":"Fa');
    });
    const start = Date.now();
    await assert.rejects(
      OvsdbClient.connect({ remote: s.remote, database: 'Fake', requestTimeoutMs: 60_000, probeIntervalMs: 200, probeTimeoutMs: 300 }),
      (e: Error) => e instanceof OvsdbConnectionError && /did not answer an echo within 300 ms: connection considered dead/.test(e.message),
    );
    assert.ok(Date.now() - start < 5000, 'gave up quickly');
  });

  test('protocol robustness: a request with no reply times out with OvsdbTimeoutError', async () => {
    const s = await serve(() => undefined);
    await assert.rejects(
      OvsdbClient.connect({ remote: s.remote, database: 'Fake', requestTimeoutMs: 300, probeIntervalMs: 0 }),
      (e: Error) => e instanceof OvsdbTimeoutError && /"get_schema" to unix:.* no reply within 300 ms/.test(e.message),
    );
  });

  test('protocol robustness: valid JSON that is not JSON-RPC, and a reply to an id never sent, close the connection', async () => {
    for (const bad of ['[1,2,3]', '{"id":999,"result":null,"error":null}', '{"hello":"world"}']) {
      const s = await serve((_m, sock) => sock.write(bad));
      await assert.rejects(OvsdbClient.connect({ remote: s.remote, database: 'Fake', requestTimeoutMs: 5000 }), (e: Error) => e instanceof OvsdbProtocolError, bad);
    }
  });

  test('protocol robustness: an idle connection sends its own echo and stays up while the server answers', async () => {
    const s = await serve((m, sock) => {
      if (m.method === 'get_schema') reply(sock, m.id, FAKE_SCHEMA);
      else if (m.method === 'echo') reply(sock, m.id, m.params ?? []);
    });
    const c = await OvsdbClient.connect({ remote: s.remote, database: 'Fake', reconnect: false, probeIntervalMs: 100, probeTimeoutMs: 3000 });
    try {
      await new Promise((r) => setTimeout(r, 700));
      const echoes = s.received.filter((m) => (m as { method?: string }).method === 'echo');
      assert.ok(echoes.length >= 2, `sent ${echoes.length} echo probes`);
      assert.equal(c.connected, true);
    } finally {
      c.close();
    }
  });

  test('protocol robustness: monitor_cond unknown → falls back to monitor; update notifications and server echo handled; garbage mid-session closes with the error', async () => {
    const U = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
    let sockRef: Socket | undefined;
    const s = await serve((m, sock) => {
      sockRef = sock;
      if (m.method === 'get_schema') reply(sock, m.id, FAKE_SCHEMA);
      else if (m.method === 'monitor_cond') sock.write(JSON.stringify({ id: m.id, result: null, error: 'unknown method' }));
      else if (m.method === 'monitor') reply(sock, m.id, { T: { [U]: { new: { name: 'one', tags: ['set', ['a', 'b']] } } } });
      else if (m.method === 'echo' && m.id !== 'srv-echo') reply(sock, m.id, m.params ?? []);
    });
    const c = await OvsdbClient.connect({ remote: s.remote, database: 'Fake', reconnect: false, probeIntervalMs: 0 });
    const mon = await c.monitor(['T']);
    assert.equal(mon.method, 'monitor');
    assert.deepEqual(c.rows('T').get(U), { _uuid: U, name: 'one', tags: ['a', 'b'] });
    // a v1 update: full new row replaces the old one
    sockRef!.write(JSON.stringify({ method: 'update', params: [mon.id, { T: { [U]: { old: { name: 'one' }, new: { name: 'two', tags: ['set', []] } } } }], id: null }));
    await until(() => c.rows('T').get(U)?.name === 'two', 'v1 update applied');
    assert.deepEqual(c.rows('T').get(U)?.tags, []);
    // the server's echo is answered with the same params
    sockRef!.write(JSON.stringify({ method: 'echo', params: ['ping', 1], id: 'srv-echo' }));
    await until(() => s.received.some((m) => (m as { id?: JsonValue }).id === 'srv-echo'), 'echo answered');
    assert.deepEqual(s.received.find((m) => (m as { id?: JsonValue }).id === 'srv-echo'), { result: ['ping', 1], error: null, id: 'srv-echo' });
    // garbage mid-session: the client closes with a protocol error, pending requests fail
    const closed = c.waitFor('closed');
    const pending = c.listDbs();
    sockRef!.write('}{ garbage');
    const [err] = await closed;
    assert.ok(err instanceof OvsdbProtocolError);
    assert.match(err.message, /unmatched "}"/);
    await assert.rejects(pending, OvsdbProtocolError);
    await assert.rejects(c.listDbs(), /closed/);
  });
});

// The OVSDB client's typed Southbound and Open_vSwitch views on the full sandbox (central +
// chassis + VMs): the same rows as ovn-sbctl / ovs-vsctl, and the lookups detrace builds on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OvsdbClient, decodeValue, columnOf, sameValue, type JsonValue, type ColumnValue } from '../../src/ovn/ovsdb/index';
import { openSouthbound, monitorSouthbound, logicalFlowsByCookie, portBindingByName, portBindingByTunnelKey, datapathByTunnelKey, datapathName, chassisByName } from '../../src/ovn/sb-reader';
import { cookiePrefix } from '../../src/ovn/cookie-index';
import { openVswitchDb, monitorVswitch, interfaceByOfport, interfaceByIfaceId } from '../../src/ovn/ovs-reader';
import { startOvnSandbox, sandboxUnavailable } from '../fixtures/ovn-sandbox';

function decodeList(text: string, schema: OvsdbClient['schema'], table: string): Map<string, Record<string, ColumnValue>> {
  const j = JSON.parse(text) as { headings: string[]; data: JsonValue[][] };
  const rows = new Map<string, Record<string, ColumnValue>>();
  for (const d of j.data) {
    const row: Record<string, ColumnValue> = {};
    j.headings.forEach((h, i) => (row[h] = decodeValue(d[i], columnOf(schema, table, h).type)));
    rows.set(row._uuid as string, row);
  }
  return rows;
}

function assertSame(ours: ReadonlyMap<string, object>, theirs: Map<string, Record<string, ColumnValue>>, table: string): void {
  assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort(), `${table}: same rows`);
  for (const [uuid, t] of theirs) {
    const o = ours.get(uuid) as Record<string, ColumnValue>;
    for (const col of Object.keys(t)) assert.ok(sameValue(o[col], t[col]), `${table} ${uuid} ${col}: ${JSON.stringify(o[col])} vs ${JSON.stringify(t[col])}`);
  }
}

test('SB and Open_vSwitch typed views equal ovn-sbctl/ovs-vsctl on the sandbox, and the detrace lookups find rows', async (t) => {
  const why = sandboxUnavailable();
  if (why) return t.skip(why);
  const sbx = await startOvnSandbox();
  const clients: Array<{ close(): void }> = [];
  try {
    const sb = await openSouthbound(sbx.central.sbRemote);
    clients.push(sb);
    await monitorSouthbound(sb);
    for (const table of ['Port_Binding', 'Chassis', 'Encap', 'Datapath_Binding'] as const) {
      const theirs = decodeList(await sbx.central.sbctl(['--format=json', 'list', table]), sb.schema, table);
      assertSame(sb.rows(table), theirs, table);
    }
    assert.equal(sb.rows('Logical_Flow').size, decodeList(await sbx.central.sbctl(['--format=json', '--columns=_uuid', 'list', 'Logical_Flow']), sb.schema, 'Logical_Flow').size);

    const vm1 = portBindingByName(sb, 'vm1.default');
    assert.ok(vm1, 'vm1.default is bound');
    assert.equal(sb.row('Chassis', vm1.chassis!)?.name, 'node1');
    assert.equal(chassisByName(sb, 'node1')?.encaps.length, 1);
    const dp = sb.row('Datapath_Binding', vm1.datapath)!;
    assert.equal(datapathName(dp), 'ovn-default');
    assert.equal(datapathByTunnelKey(sb, dp.tunnel_key)?._uuid, dp._uuid);
    assert.equal(portBindingByTunnelKey(sb, dp.tunnel_key, vm1.tunnel_key)?.logical_port, 'vm1.default');

    // a cookie as ovn-controller writes it: the first 32 bits of the logical flow's uuid
    const lf = [...sb.rows('Logical_Flow').values()].find((f) => f.pipeline === 'ingress' && f.match.includes('vm1.default'))!;
    const cookie = `0x${lf._uuid.slice(0, 8).replace(/^0+/, '')}`;
    assert.equal(cookiePrefix(cookie), lf._uuid.slice(0, 8));
    assert.ok(logicalFlowsByCookie(sb, cookie).some((f) => f._uuid === lf._uuid));
    assert.deepEqual(logicalFlowsByCookie(sb, '0x0'), []);

    const ovs = await openVswitchDb(sbx.chassis.dbRemote);
    clients.push(ovs);
    await monitorVswitch(ovs);
    for (const table of ['Bridge', 'Interface'] as const) {
      const theirs = decodeList(await sbx.chassis.vsctl(['--format=json', 'list', table]), ovs.schema, table);
      // statistics and link state move on their own between the two reads
      for (const row of theirs.values()) for (const c of ['statistics', 'link_resets', 'link_state', 'admin_state', 'ofport', 'mtu', 'ifindex', 'status']) delete row[c];
      assertSame(ovs.rows(table), theirs, table);
    }
    const iface = [...ovs.rows('Interface').values()].find((i) => i.external_ids['iface-id'] === 'vm1.default');
    assert.equal(iface?.name, sbx.vms[0].ofIface);
    // ofport → Interface → iface-id, as detrace names an in_port
    const ofport = Number((await sbx.chassis.vsctl(['get', 'interface', sbx.vms[0].ofIface, 'ofport'])).trim());
    assert.equal(interfaceByOfport(ovs, 'br-int', ofport)?.external_ids['iface-id'], 'vm1.default');
    assert.equal(interfaceByOfport(ovs, 'br-ex', ofport)?.name === sbx.vms[0].ofIface, false);
    assert.equal(interfaceByIfaceId(ovs, 'vm2.default')?.name, sbx.vms[1].ofIface);
    const sys = [...ovs.rows('Open_vSwitch').values()][0];
    assert.equal(sys.external_ids['system-id'], 'node1');
  } finally {
    for (const c of clients) c.close();
    await sbx.stop();
  }
});

// Binary flow statistics (NXST_FLOW over the bridge's .mgmt socket) on the real ovs-vswitchd of
// an OVN sandbox, and the live refresh built on them:
//  - they list the same flows as `ovs-ofctl dump-flows`, row by row, with counters at least as new;
//  - a refresh reads only counters while the flow table stands (source `counters`), and a VM→VM
//    ping shows up in them; adding or rewriting a flow makes the next refresh read the text again;
//  - a missing socket, a switch error, a peer that sends garbage or hangs up: clear errors;
//  - with the flow monitor: a quiet bridge is refreshed without reading any flow, a packet makes
//    only its table be read (agreeing with a full read), and the monitor names changed tables;
//  - the Flows panel's refresh on a node whose OVS is gone keeps the last good snapshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOvnSandbox, sandboxUnavailable, type OvnSandbox } from '../fixtures/ovn-sandbox';
import { fetchFlowStats, fetchTableCounters } from '../../src/ovn/openflow/flow-stats';
import { FlowTableWatch } from '../../src/ovn/openflow/flow-table-watch';
import { ofRequest, OFPT_STATS_REQUEST } from '../../src/ovn/openflow/of-channel';
import { parseFlowColumns } from '../../src/ovn/flow-dump';
import { takeFlowSnapshot, type FlowSnapshot } from '../../src/ovn/flow-watch';
import { LocalOvnTarget } from '../../src/ovn/local-target';
import { FlowsViewModel } from '../../src/views/flows-view-model';
import { refreshFlows } from '../../src/views/flows-refresh';

const skip = sandboxUnavailable();
let sbx: OvnSandbox | undefined;
let target: LocalOvnTarget | undefined;
let runDir = '';

before(async () => {
  if (skip) return;
  sbx = await startOvnSandbox();
  runDir = join(sbx.chassis.dir, 'run');
  target = new LocalOvnTarget({ nbRemote: sbx.central.nbRemote, sbRemote: sbx.central.sbRemote, nodes: [{ name: 'node1', runDir }] });
});
after(async () => {
  await target?.close();
  await sbx?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('NXST_FLOW statistics list the flows of ovs-ofctl dump-flows br-int, row by row, counters at least as new', { skip }, async () => {
  const s = sbx!;
  const text = await s.chassis.ofctl(['dump-flows', 'br-int']);
  const stats = await fetchFlowStats(join(runDir, 'br-int.mgmt'));
  const { columns, errors } = parseFlowColumns(text);
  assert.deepEqual(errors, []);
  assert.ok(columns.count > 300, 'ovn-controller installed the topology');
  assert.equal(stats.count, columns.count, 'as many flows in binary as printed');
  for (let i = 0; i < columns.count; i++) {
    const where = `row ${i} (text line ${columns.line[i]}: ${columns.match(i).slice(0, 60)})`;
    assert.equal(stats.table(i), columns.table[i], `table of ${where}`);
    assert.equal(stats.priority(i), columns.priority[i], `priority of ${where}`);
    const cookie = `0x${((BigInt(stats.cookieHi(i)) << 32n) | BigInt(stats.cookieLo(i))).toString(16)}`;
    assert.equal(cookie, columns.cookie(i), `cookie of ${where}`);
    // read after the text: counters and ages only grow
    assert.ok(stats.packets[i] >= columns.nPackets[i], `packets of ${where}: ${stats.packets[i]} ≥ ${columns.nPackets[i]}`);
    assert.ok(stats.bytes[i] >= columns.nBytes[i], `bytes of ${where}`);
    assert.ok(stats.duration[i] + 0.001 >= columns.duration[i], `duration of ${where}: ${stats.duration[i]} ≥ ${columns.duration[i]}`);
  }
  // and a second read of an unchanged table is the same flow list
  const again = await fetchFlowStats(join(runDir, 'br-int.mgmt'));
  assert.ok(again.sameFlows(stats), 'two reads of an unchanged flow table hold the same flows');
});

test('a live refresh reads only counters while the flow table stands: a VM→VM ping shows in them as in the text dump', { skip }, async () => {
  const s = sbx!;
  const t = target!;
  const [vm1, vm2] = s.vms;
  assert.ok((await s.ping(vm1.netns, vm2.ip)).ok, 'vm1 reaches vm2');
  await sleep(1200);
  const first = await takeFlowSnapshot(t, 'node1', 'br-int');
  assert.equal(first.source, 'dump');
  assert.ok(first.stats, 'the first read lined the binary statistics up with the text');
  const pings = 4;
  assert.ok((await s.ping(vm1.netns, vm2.ip, pings)).ok);
  // the ingress flow of vm1's port in table 0 counts every echo request (counters lag ~1 s)
  const ofport = Number((await s.chassis.vsctl(['get', 'Interface', vm1.ofIface, 'ofport'])).trim());
  const inPort = new RegExp(`(^|,)in_port=${ofport}(,|$)`);
  const ingress = (snap: FlowSnapshot) => snap.diff?.changed.find((c) => c.after.table === 0 && inPort.test(c.after.match));
  let snap = first;
  for (let i = 0; i < 20; i++) {
    await sleep(250);
    snap = await takeFlowSnapshot(t, 'node1', 'br-int', first);
    if ((ingress(snap)?.dPackets ?? 0) >= pings) break;
  }
  assert.equal(snap.source, 'counters', 'the flow table stood still, so only counters were read');
  assert.deepEqual(snap.errors, []);
  const moved = ingress(snap);
  assert.ok(moved && moved.dPackets >= pings, `vm1's table-0 ingress flow moved by ${moved?.dPackets} ≥ ${pings}`);
  assert.equal(snap.diff?.added.length, 0);
  assert.equal(snap.diff?.removed.length, 0);
  // the text dump, read after, agrees with the counters for that flow
  const text = parseFlowColumns(await s.chassis.ofctl(['dump-flows', 'br-int'])).columns;
  const row = (moved.after as unknown as { row: number }).row;
  assert.equal(text.match(row), moved.after.match, 'the same row in the text dump');
  assert.ok(text.nPackets[row] >= moved.after.nPackets!, 'the text dump read after has at least the counted packets');
  assert.ok(text.nPackets[row] - moved.after.nPackets! <= 2, 'and not many more (nothing else pings)');
});

test('a flow added or rewritten makes the next refresh read the text again; then counters again', { skip }, async () => {
  const s = sbx!;
  const t = target!;
  await s.chassis.vsctl(['add-br', 'brstats', '--', 'set', 'bridge', 'brstats', `datapath_type=${s.datapath}`, 'fail-mode=secure']);
  try {
    for (let i = 1; i <= 50; i++) await s.chassis.ofctl(['add-flow', 'brstats', `table=${i % 5},priority=${100 + i},ip,nw_dst=10.9.0.${i},actions=drop`]);
    const a = await takeFlowSnapshot(t, 'node1', 'brstats');
    assert.equal(a.flows.length, 50);
    assert.ok(a.stats);
    const b = await takeFlowSnapshot(t, 'node1', 'brstats', a);
    assert.equal(b.source, 'counters');
    assert.equal(b.diff?.unchanged, 50);

    await s.chassis.ofctl(['add-flow', 'brstats', 'table=7,priority=5,ip,nw_dst=10.9.1.1,actions=drop']);
    const c = await takeFlowSnapshot(t, 'node1', 'brstats', b);
    assert.equal(c.source, 'dump', 'a new flow: the text is read again');
    assert.deepEqual(c.diff?.added.map((f) => f.match), ['ip,nw_dst=10.9.1.1']);
    assert.ok(c.stats, 'and lined up with the binary statistics again');
    const d = await takeFlowSnapshot(t, 'node1', 'brstats', c);
    assert.equal(d.source, 'counters');

    await s.chassis.ofctl(['mod-flows', 'brstats', 'table=7,priority=5,ip,nw_dst=10.9.1.1,actions=output:1']);
    const e = await takeFlowSnapshot(t, 'node1', 'brstats', d);
    assert.equal(e.source, 'dump', 'new actions on a flow: the text is read again');
    assert.deepEqual(e.diff?.rewritten.map((r) => r.after.actions), ['output:1']);

    await s.chassis.ofctl(['del-flows', 'brstats', 'table=3']);
    const f = await takeFlowSnapshot(t, 'node1', 'brstats', e);
    assert.equal(f.source, 'dump');
    assert.equal(f.diff?.removed.length, 10, 'the 10 flows of table 3 went away');

    // a bridge that refuses OpenFlow 1.0: the binary read fails with the switch's error, and the
    // refresh keeps working on the text dump
    await s.chassis.vsctl(['set', 'bridge', 'brstats', 'protocols=OpenFlow13']);
    await assert.rejects(t.flowStats('node1', 'brstats'), /cannot read flow statistics of brstats on node node1: .*OpenFlow error type 0 code/);
    const g = await takeFlowSnapshot(t, 'node1', 'brstats', f);
    assert.equal(g.source, 'dump');
    assert.equal(g.stats, undefined);
    assert.equal(g.flows.length, 41);
    const h = await takeFlowSnapshot(t, 'node1', 'brstats', g);
    assert.equal(h.source, 'dump', 'without binary statistics every refresh reads the text');
    assert.equal(h.diff?.unchanged, 41);
  } finally {
    await s.chassis.vsctl(['--if-exists', 'del-br', 'brstats']);
  }
});

/** An Ethernet/IPv4/ICMP echo request to `dst`, as hex for ovs-ofctl packet-out. */
function icmpTo(dst: string): string {
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(28, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(1, 9);
  Buffer.from([10, 8, 9, 9]).copy(ip, 12);
  Buffer.from(dst.split('.').map(Number)).copy(ip, 16);
  const eth = Buffer.from('0a0000000002' + '0a0000000001' + '0800', 'hex');
  return Buffer.concat([eth, ip, Buffer.from('0800f7ff00000000', 'hex')]).toString('hex');
}

test('with the flow monitor: a quiet refresh reads no flow, a packet reads only its table, flow changes are named by table', { skip }, async () => {
  const s = sbx!;
  const t = target!;
  await s.chassis.vsctl(['add-br', 'brwatch', '--', 'set', 'bridge', 'brwatch', `datapath_type=${s.datapath}`, 'fail-mode=secure']);
  const sock = join(runDir, 'brwatch.mgmt');
  const watch = new FlowTableWatch(sock);
  try {
    for (let tb = 0; tb < 10; tb++) {
      const flows = Array.from({ length: 20 }, (_, i) => `table=${tb},priority=${100 + i},ip,nw_dst=10.8.${tb}.${i + 1},actions=drop`).join('\n');
      await s.chassis.shell.run('ovs-ofctl', ['add-flows', 'brwatch', '-'], { input: flows + '\n' });
    }
    // the monitor's own account: unknown until the switch acknowledged it, then table by table
    assert.equal(watch.take().known, false, 'not acknowledged yet');
    for (let i = 0; i < 40 && !watch.take().known; i++) await sleep(50);
    assert.deepEqual(watch.take(), { known: true, tables: new Set() }, 'armed, and nothing changed');
    await s.chassis.ofctl(['mod-flows', 'brwatch', 'table=3,ip,nw_dst=10.8.3.1,actions=resubmit(,9)']);
    await s.chassis.ofctl(['add-flow', 'brwatch', 'table=7,priority=1,ip,nw_dst=10.8.7.99,actions=drop']);
    await sleep(200);
    assert.deepEqual(watch.take(), { known: true, tables: new Set([3, 7]) }, 'a modified flow in table 3 and an added one in table 7');

    // the live refresh through the target: first reads everything, then only what moved
    let snap = await takeFlowSnapshot(t, 'node1', 'brwatch');
    for (let i = 0; i < 3; i++) {
      await sleep(200);
      snap = await takeFlowSnapshot(t, 'node1', 'brwatch', snap);
    }
    assert.equal(snap.source, 'counters');
    assert.equal(snap.tablesRead, 0, 'a quiet bridge: no flow statistics read at all');
    assert.equal(snap.diff?.unchanged, 201);

    const packets = 3;
    for (let i = 0; i < packets; i++) {
      await s.chassis.ofctl(['packet-out', 'brwatch', `in_port=controller packet=${icmpTo('10.8.0.5')} actions=resubmit(,0)`]);
    }
    const hit = (x: typeof snap) => x.diff?.changed.find((c) => c.after.match === 'ip,nw_dst=10.8.0.5');
    let moved = snap;
    let total = 0;
    for (let i = 0; i < 20 && total < packets; i++) {
      await sleep(250);
      moved = await takeFlowSnapshot(t, 'node1', 'brwatch', moved);
      total += hit(moved)?.dPackets ?? 0;
    }
    assert.equal(total, packets, `the packets' flow moved by ${total}`);
    assert.ok(moved.tablesRead !== undefined && moved.tablesRead >= 1 && moved.tablesRead <= 2, `only the tables whose lookups moved were read (${moved.tablesRead})`);
    // the counters agree with a full read, row by row
    const full = await fetchFlowStats(sock);
    assert.ok(full.sameFlows(moved.stats!));
    for (let i = 0; i < full.count; i++) assert.equal(moved.columns.nPackets[i], full.packets[i], `packets of row ${i}`);
    const tc = await fetchTableCounters(sock);
    assert.equal(tc.active[0], 20);
    assert.ok(tc.lookup[0] >= packets, 'table 0 counted the lookups');

    // a flow changed: the switch names it, and the next refresh reads the text (not all counters first)
    await s.chassis.ofctl(['add-flow', 'brwatch', 'table=9,priority=1,ip,nw_dst=10.8.9.99,actions=drop']);
    await sleep(200);
    const changed = await takeFlowSnapshot(t, 'node1', 'brwatch', moved);
    assert.equal(changed.source, 'dump');
    assert.equal(changed.textTables, 1, 'only table 9\'s text was read again');
    assert.deepEqual(changed.diff?.added.map((f) => f.match), ['ip,nw_dst=10.8.9.99']);
    assert.equal(changed.diff?.unchanged, 201);
    // the rows spliced together are the switch's own dump, row by row
    const again = parseFlowColumns(await s.chassis.ofctl(['dump-flows', 'brwatch'])).columns;
    assert.equal(changed.columns.count, again.count);
    for (let i = 0; i < again.count; i++) {
      assert.equal(changed.columns.table[i], again.table[i], `table of row ${i}`);
      assert.equal(changed.columns.match(i), again.match(i), `match of row ${i}`);
      assert.equal(changed.columns.actions(i), again.actions(i), `actions of row ${i}`);
    }
    // a table emptied, one rewritten: both read as text, the rest kept
    await s.chassis.ofctl(['del-flows', 'brwatch', 'table=2']);
    await s.chassis.ofctl(['mod-flows', 'brwatch', 'table=4,ip,nw_dst=10.8.4.2,actions=resubmit(,8)']);
    await sleep(200);
    const twice = await takeFlowSnapshot(t, 'node1', 'brwatch', changed);
    assert.equal(twice.textTables, 2);
    assert.equal(twice.diff?.removed.length, 20);
    assert.deepEqual(twice.diff?.rewritten.map((r) => r.after.actions), ['resubmit(,8)']);
    assert.equal(twice.columns.count, again.count - 20);
  } finally {
    watch.close();
    await s.chassis.vsctl(['--if-exists', 'del-br', 'brwatch']);
  }
});

test('bad input: no such bridge socket, a switch error, a peer that sends garbage or hangs up', { skip }, async () => {
  await assert.rejects(fetchFlowStats(join(runDir, 'br-nope.mgmt')), /cannot connect to .*br-nope\.mgmt: .*is ovs-vswitchd running, and does the bridge exist\?/);
  await assert.rejects(target!.flowStats('node1', 'br-nope'), /cannot read flow statistics of br-nope on node node1/);
  await assert.rejects(target!.flowStats('node1', 'br;rm'), /bridge/i);
  // a Nicira stats request of a subtype vswitchd does not know: its real OFPT_ERROR comes back
  const bad = Buffer.alloc(32);
  bad.writeUInt8(OFPT_STATS_REQUEST, 1);
  bad.writeUInt16BE(32, 2);
  bad.writeUInt16BE(0xffff, 8);
  bad.writeUInt32BE(0x2320, 12);
  bad.writeUInt32BE(0x7fff, 16);
  await assert.rejects(ofRequest({ socketPath: join(runDir, 'br-int.mgmt'), timeoutMs: 5000 }, bad, () => true, () => undefined), /answered with OpenFlow error type \d+ code \d+/);

  const dir = await mkdtemp(join(tmpdir(), 'ovnlab-of-'));
  const serve = (onData: (sock: import('node:net').Socket) => void): Promise<Server> => new Promise((resolve) => {
    const srv = createServer((sock) => sock.once('data', () => onData(sock)));
    srv.listen(join(dir, `peer${Math.random().toString(36).slice(2)}.sock`), () => resolve(srv));
  });
  try {
    const garbage = await serve((sock) => sock.write(Buffer.from([1, 17, 0, 4, 0, 0, 0, 0])));
    await assert.rejects(fetchFlowStats(String(garbage.address())), /malformed OpenFlow message .*length 4/);
    garbage.close();
    const hangup = await serve((sock) => sock.end());
    await assert.rejects(fetchFlowStats(String(hangup.address())), /closed the connection before the reply was complete/);
    hangup.close();
    const silent = await serve(() => undefined);
    await assert.rejects(fetchFlowStats(String(silent.address()), 300), /no complete reply .* within 300 ms/);
    silent.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the Flows panel\'s refresh on a node whose OVS is gone: a clear message, the last good snapshot stays', { skip }, async () => {
  const s = sbx!;
  const vm = new FlowsViewModel();
  const first = await refreshFlows(vm, target!, 'node1', 'br-int');
  assert.deepEqual(first, { changed: true, error: undefined });
  const good = vm.snapshot;
  assert.ok(good && good.flows.length > 300);
  // the same node name, its OVS run directory now empty: ovs-vswitchd is gone
  const dir = await mkdtemp(join(tmpdir(), 'ovnlab-noovs-'));
  const gone = new LocalOvnTarget({ nbRemote: s.central.nbRemote, sbRemote: s.central.sbRemote, nodes: [{ name: 'node1', runDir: dir }] });
  try {
    const r = await refreshFlows(vm, gone, 'node1', 'br-int');
    assert.equal(r.changed, false);
    assert.match(r.error ?? '', /^cannot read the flows of br-int on node1: cannot dump flows of br-int on node node1: is ovs-vswitchd running there and does the bridge exist\?.*\(showing the last good snapshot\)$/);
    assert.equal(vm.snapshot, good, 'the last good snapshot stays');
    assert.equal(vm.total, good.flows.length, 'and its rows stay listed');
    // a node that was never there, on a fresh panel: the message, and nothing pretends to be rows
    const fresh = new FlowsViewModel();
    const ghost = await refreshFlows(fresh, target!, 'ghost', 'br-int');
    assert.match(ghost.error ?? '', /no node "ghost" in .*known nodes are node1/);
    assert.equal(fresh.snapshot, undefined);
    // and back on the live node the refresh reads counters again onto the kept rows
    const back = await refreshFlows(vm, target!, 'node1', 'br-int');
    assert.equal(back.error, undefined);
    assert.equal(vm.snapshot?.source, 'counters');
  } finally {
    await gone.close();
    await rm(dir, { recursive: true, force: true });
  }
});

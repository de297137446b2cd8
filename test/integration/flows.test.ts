// The flow parsers and the flow diff on the real daemons: a live OVN sandbox (Kube-OVN-like
// topology: router, switches, NAT, gateway chassis, localnet) with two VMs as namespaces.
//  - every line of real dump-flows output parses, in every output form;
//  - a ping vm1 → vm2 moves exactly the flows on its path: every OpenFlow rule that
//    ofproto/trace says the packet crosses shows up in the diff, the EIP's NAT flows do not;
//  - `ovnlab flows parse` reads a real dump from stdin, and reports malformed lines with their numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { startOvnSandbox, sandboxUnavailable, SANDBOX_EIP, type OvnSandbox } from '../fixtures/ovn-sandbox';
import { parseFlowDump, parseFlowColumns, flowKey, type Flow } from '../../src/ovn/flow-dump';
import { diffFlows, diffFlowColumns } from '../../src/ovn/flow-diff';
import { parseOfprotoTrace, ofprotoSteps } from '../../src/ovn/ofproto-trace';
import { parseOvnTrace } from '../../src/ovn/ovn-trace';

const skip = sandboxUnavailable();
let sbx: OvnSandbox | undefined;

before(async () => {
  if (!skip) sbx = await startOvnSandbox();
});
after(async () => {
  await sbx?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function dump(s: OvnSandbox, extra: string[] = []): Promise<{ text: string; flows: Flow[] }> {
  const text = await s.chassis.ofctl([...extra, 'dump-flows', 'br-int']);
  const d = parseFlowDump(text);
  assert.deepEqual(d.errors, [], 'a real dump parses without errors');
  return { text, flows: d.flows };
}

test('every line of real dump-flows output parses: br-int and br-ex, with and without --names / --no-stats', async (t) => {
  if (!sbx) return t.skip(skip);
  const s = sbx;
  for (const extra of [[], ['--names'], ['--no-stats'], ['--names', '--no-stats'], ['-O', 'OpenFlow13']]) {
    const { text, flows } = await dump(s, extra);
    const lines = text.split('\n').filter((l) => l.trim() !== '' && !/^(NXST|OFPST)_FLOW reply/.test(l));
    assert.equal(flows.length, lines.length, `dump-flows ${extra.join(' ')}: one flow per line`);
    assert.ok(flows.length > 300, 'ovn-controller installed the topology');
    // flows of every kind the topology makes are there and read whole
    assert.ok(flows.some((f) => f.actionList.some((a) => a.startsWith('ct(commit') && a.includes('nat(dst=10.16.0.15)'))), 'the EIP DNAT flow');
    assert.ok(flows.some((f) => f.actions.includes('conjunction(')), 'conjunctive flows');
  }
  const ex = parseFlowDump(await s.chassis.ofctl(['dump-flows', 'br-ex']));
  assert.deepEqual(ex.errors, []);
  assert.ok(ex.flows.some((f) => f.actions === 'NORMAL'));
});

test('a vm1 → vm2 ping moves the counters of the flows it crosses, and only those', async (t) => {
  if (!sbx) return t.skip(skip);
  const s = sbx;
  const [vm1, vm2] = s.vms;
  // settle ARP and the datapath first, so the measured pings take the steady path
  assert.ok((await s.ping(vm1.netns, vm2.ip)).ok, 'vm1 reaches vm2');
  await sleep(1500);
  const first = await dump(s);
  const started = Date.now();
  const count = 5;
  const r = await s.ping(vm1.netns, vm2.ip, count);
  assert.ok(r.ok, r.output);
  // the rules the request takes, by ofproto/trace on the same bridge
  const flow = `in_port=${vm1.ofIface},icmp,dl_src=${vm1.mac},dl_dst=${vm2.mac},nw_src=${vm1.ip},nw_dst=${vm2.ip},nw_ttl=64,icmp_type=8,icmp_code=0`;
  const trace = parseOfprotoTrace(await s.chassis.appctl(['ofproto/trace', 'br-int', flow]));
  assert.deepEqual(trace.errors, []);
  const crossed = ofprotoSteps(trace).filter((st) => !st.noMatch);
  assert.ok(crossed.length > 20, 'the request crosses the switch pipeline');
  // OpenFlow counters lag about a second: poll until every crossed rule moved and the ingress
  // rule counted every echo request, packets and bytes (an ARP also passes it, so its packet count
  // can reach `count` before the last echo request is counted); or give up after ~6 s and let the
  // asserts say what is missing
  const keyOf = (st: (typeof crossed)[number]) => flowKey({ table: st.table, priority: st.priority ?? 32768, match: st.match });
  let last = await dump(s);
  let diff = diffFlows(first.flows, last.flows);
  const moved = () => new Set(diff.changed.map((c) => flowKey(c.after)));
  const ingressOf = () => diff.changed.find((c) => flowKey(c.after) === keyOf(crossed[0]));
  const ingressCounted = () => (ingressOf()?.dPackets ?? 0) >= count && (ingressOf()?.dBytes ?? 0) >= count * 98;
  for (let i = 0; i < 24 && !(crossed.every((st) => moved().has(keyOf(st))) && ingressCounted()); i++) {
    await sleep(250);
    last = await dump(s);
    diff = diffFlows(first.flows, last.flows, { elapsedSeconds: (Date.now() - started) / 1000 });
  }
  const keys = moved();
  // the in-place column diff (what a 100k-flow watch uses) finds the same moved flows and deltas
  const viaColumns = diffFlowColumns(parseFlowColumns(first.text).columns, parseFlowColumns(last.text).columns);
  const viaObjects = diffFlows(first.flows, last.flows);
  assert.deepEqual(viaColumns.changed.map((c) => [flowKey(c.after), c.dPackets, c.dBytes]), viaObjects.changed.map((c) => [flowKey(c.after), c.dPackets, c.dBytes]));
  for (const st of crossed) {
    assert.ok(keys.has(keyOf(st)), `table ${st.table} flow (cookie ${st.cookie ?? '0'}) crossed by the ping moved`);
  }
  // vm1's ingress flow in table 0 counted at least the echo requests
  const ingress = ingressOf();
  assert.equal(ingress?.after.table, 0);
  assert.ok(ingress && ingress.dPackets >= count, `table 0 ingress flow moved by ≥ ${count} packets: ${ingress?.dPackets}`);
  assert.ok(ingress.dBytes >= count * 98, 'bytes moved with the packets');
  assert.equal(diff.added.length + diff.removed.length, 0, 'no flow came or went');
  // not crossed: every flow about the EIP (un-NAT, NAT, its ARP) stays still
  const eipFlows = first.flows.filter((f) => f.match.includes(SANDBOX_EIP) || f.actions.includes(SANDBOX_EIP));
  assert.ok(eipFlows.length >= 4, 'the topology has NAT flows for the EIP');
  const eipKeys = new Set(eipFlows.map(flowKey));
  const movedEip = diff.changed.filter((c) => eipKeys.has(flowKey(c.after)));
  assert.deepEqual(movedEip.map((c) => `${c.after.table} ${c.after.match}`), [], 'no EIP flow moved for a VM-to-VM ping');
  // and the traffic is a small part of the table
  assert.ok(diff.changed.length < first.flows.length / 3, `${diff.changed.length} of ${first.flows.length} flows moved`);
});

test('an outside → EIP ping moves the EIP DNAT flow that a vm1 → vm2 ping left alone (once per new connection)', async (t) => {
  if (!sbx) return t.skip(skip);
  const s = sbx;
  assert.ok((await s.ping(s.outsideNetns!, SANDBOX_EIP)).ok);
  await sleep(1500);
  const first = await dump(s);
  assert.ok((await s.ping(s.outsideNetns!, SANDBOX_EIP, 3)).ok);
  const isDnat = (f: Flow) => f.actionList.some((a) => a.startsWith('ct(commit') && a.includes(`nat(dst=${s.vms[0].ip})`)) && f.match.includes(`nw_dst=${SANDBOX_EIP}`);
  let moved: number | undefined;
  // ct(commit,nat(dst=…)) runs for the first packet of a connection; later echo requests of the
  // same ping are established and skip it, so one ping run moves it by one
  for (let i = 0; i < 24 && moved === undefined; i++) {
    await sleep(250);
    moved = diffFlows(first.flows, (await dump(s)).flows).changed.find((c) => isDnat(c.after))?.dPackets;
  }
  assert.equal(moved, 1, `the lr_in_dnat flow of ${SANDBOX_EIP} moved by the connection's first packet`);
});

test('ovn-trace --detailed output of the live SB parses: vm1 → vm2 ends in output to vm2', async (t) => {
  if (!sbx) return t.skip(skip);
  const s = sbx;
  const [vm1, vm2] = s.vms;
  const micro = `inport == "${vm1.port}" && eth.src == ${vm1.mac} && eth.dst == ${vm2.mac} && ip4.src == ${vm1.ip} && ip4.dst == ${vm2.ip} && ip.ttl == 64 && icmp4.type == 8`;
  const out = await s.chassis.shell.run('ovn-trace', [`--db=${s.central.sbRemote}`, '--detailed', 'ovn-default', micro]);
  const tr = parseOvnTrace(out);
  assert.deepEqual(tr.errors, []);
  assert.deepEqual(tr.outcomes.map((o) => o.kind === 'output' && o.port), [vm2.port]);
  // every stage's lflow uuid prefix is a real SB Logical_Flow
  const uuids = (await s.central.sbctl(['--bare', '--columns=_uuid', 'list', 'Logical_Flow'])).split('\n').filter(Boolean);
  for (const st of tr.hops.flatMap((h) => h.stages)) assert.ok(uuids.some((u) => u.startsWith(st.uuid)), `lflow ${st.uuid} exists`);
});

test('ovnlab flows parse: a real dump on stdin as JSON; malformed lines on stderr with their line numbers, exit 1', async (t) => {
  if (!sbx) return t.skip(skip);
  const s = sbx;
  const text = await s.chassis.ofctl(['dump-flows', 'br-int']);
  const cli = (args: string[], input: string) =>
    execa(process.execPath, ['--import', 'tsx', 'src/cli/entry.ts', 'flows', 'parse', ...args], { input, reject: false, cwd: process.cwd() });
  const ok = await cli(['-', '--json'], text);
  assert.equal(ok.exitCode, 0, ok.stderr);
  const arr = JSON.parse(ok.stdout) as { cookie: string; table: number; priority: number; nPackets: number; nBytes: number; match: string; actions: string }[];
  assert.equal(arr.length, parseFlowDump(text).flows.length);
  for (const f of arr) {
    assert.match(f.cookie, /^0x[0-9a-f]+$/);
    assert.equal(typeof f.table, 'number');
    assert.equal(typeof f.priority, 'number');
    assert.equal(typeof f.nPackets, 'number');
    assert.equal(typeof f.nBytes, 'number');
    assert.equal(typeof f.match, 'string');
    assert.ok(f.actions.length > 0);
  }
  const lines = text.split('\n');
  lines.splice(9, 0, 'this is not a flow'); // becomes line 10
  const damaged = lines.join('\n').replace(/\n$/, '') + '\n cookie=0x1, duration=0.1s, table=3, n_pack';
  const total = damaged.split('\n').length;
  const bad = await cli([], damaged);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /<stdin>:10: .*this is not a flow/);
  assert.match(bad.stderr, new RegExp(`<stdin>:${total}: `));
  assert.match(bad.stderr, /2 line\(s\) of <stdin> could not be read/);
  assert.match(bad.stdout, /^TABLE +PRIO +COOKIE/);
});

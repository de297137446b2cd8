// `ovnlab trace` on the real daemons: the ovn-trace + ofproto/trace + detrace answer agrees,
// cookie by cookie, with /usr/bin/ovn-detrace run on the same ofproto/trace output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execa } from 'execa';
import { startOvnSandbox, sandboxUnavailable, SANDBOX_EIP, type OvnSandbox } from '../fixtures/ovn-sandbox';
import { LocalOvnTarget } from '../../src/ovn/local-target';
import { runTrace, formatTrace, type TraceResult } from '../../src/ovn/trace-run';
import { readTraceDestinations, readTraceSources } from '../../src/ovn/trace-destinations';

let sbx: OvnSandbox | undefined;
let target: LocalOvnTarget;
const skip = sandboxUnavailable();

before(async () => {
  if (skip) return;
  sbx = await startOvnSandbox();
  target = new LocalOvnTarget({
    nbRemote: sbx.central.nbRemote, sbRemote: sbx.central.sbRemote,
    nodes: [{ name: 'node1', runDir: join(sbx.chassis.dir, 'run') }],
  });
});
after(async () => sbx?.stop());

/** ovn-detrace's logical flows per cookie: "table=N (stage), priority=P, match=(…)" */
async function ovnDetrace(ofprotoText: string): Promise<Map<string, Set<string>>> {
  const r = await execa('/usr/bin/ovn-detrace', [`--ovnnb=${sbx!.central.nbRemote}`, `--ovnsb=${sbx!.central.sbRemote}`], { input: ofprotoText });
  const byCookie = new Map<string, Set<string>>();
  let cookie: string | undefined;
  for (const line of r.stdout.split('\n')) {
    const step = /^\s*\d+\..*cookie (0x[0-9a-f]+)/.exec(line);
    if (step) { cookie = step[1]; continue; }
    const lf = /^\s*\* Logical flow: table=(\d+) \(([^)]*)\), priority=(\d+), match=\((.*)\), actions=/.exec(line);
    if (lf && cookie) {
      const s = byCookie.get(cookie) ?? new Set<string>();
      s.add(`${lf[1]}/${lf[2]}/${lf[3]}/${lf[4]}`);
      byCookie.set(cookie, s);
    }
  }
  return byCookie;
}

function ours(r: TraceResult): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const c of r.cookies) {
    if (c.logicalFlows.length === 0) continue;
    // ovn-detrace prints str(match).strip('"'), which also eats a closing quote of the match itself
    m.set(c.cookie, new Set(c.logicalFlows.map((lf) => `${lf.table}/${lf.stage}/${lf.priority}/${lf.match.replace(/^"+|"+$/g, '')}`)));
  }
  return m;
}

async function agreeWithOvnDetrace(r: TraceResult): Promise<void> {
  const theirs = await ovnDetrace(r.ofprotoText);
  const mine = ours(r);
  assert.ok(theirs.size > 3, `ovn-detrace explained ${theirs.size} cookies`);
  assert.deepEqual([...mine.keys()].sort(), [...theirs.keys()].sort(), 'same cookies explained');
  for (const [cookie, flows] of theirs) assert.deepEqual(mine.get(cookie), flows, `cookie ${cookie}`);
}

test('trace VM → VM agrees cookie by cookie with ovn-detrace', { skip }, async () => {
  const r = await runTrace(target, 'vm1.default', sbx!.vms[1].ip, { kind: 'icmp' });
  assert.equal(r.node, 'node1');
  assert.equal(r.endpoints.dstMac, sbx!.vms[1].mac, 'same subnet: destination MAC is vm2\'s');
  assert.match(r.ovnTraceText, /output\("vm2\.default"\)|outport = "vm2\.default"/);
  assert.ok(r.datapathActions.length > 0);
  await agreeWithOvnDetrace(r);
  const lsp = r.cookies.flatMap((c) => c.logicalFlows.flatMap((lf) => lf.nbObjects)).find((o) => o.table === 'Logical_Switch_Port');
  assert.ok(lsp, 'a port security / L2 lookup flow links to its LSP');
  assert.ok(lsp.owner?.kinds.includes('VirtualMachine'));
});

test('trace VM → dnat_and_snat EIP agrees with ovn-detrace and names the NAT row and its VM', { skip }, async () => {
  const r = await runTrace(target, 'vm1.default', SANDBOX_EIP, { kind: 'icmp' });
  assert.equal(r.endpoints.dstMac, '0a:58:0a:10:00:01', 'off-subnet: to the ovn-default gateway port');
  await agreeWithOvnDetrace(r);
  const nat = r.cookies.flatMap((c) => c.logicalFlows.flatMap((lf) => lf.nbObjects)).find((o) => o.table === 'NAT');
  assert.ok(nat, 'some OpenFlow step comes from the NAT row');
  assert.equal(nat.router, 'ovn-cluster');
  assert.match(nat.summary, /external IP 192\.168\.100\.101 .*logical_ip 10\.16\.0\.15/);
  assert.match(formatTrace(r), /NAT: external IP 192\.168\.100\.101/);
});

test('trace with bad input says what is wrong', { skip }, async () => {
  await assert.rejects(runTrace(target, 'vm9.default', '10.16.0.16', { kind: 'icmp' }), /no logical switch port "vm9.default"/);
  await assert.rejects(runTrace(target, 'vm1.default', '10.16.0.99', { kind: 'icmp' }), /no port on switch ovn-default owns 10\.16\.0\.99/);
  await assert.rejects(runTrace(target, 'vm1.default', '10.16.0.300', { kind: 'icmp' }), /invalid IPv4 address/);
  await assert.rejects(runTrace(target, 'vm1.default; rm -rf /', '10.16.0.16', { kind: 'icmp' }), /invalid port/);
  await assert.rejects(runTrace(target, 'vm1.default', '10.16.0.16', { kind: 'tcp', port: 70000 }), /invalid tcp port/);
});

test('the bundled CLI: ovnlab trace --json and text, and a clear error for a dead database', { skip }, async () => {
  await execa('node', ['scripts/build.mjs']);
  const args = ['bin/ovnlab.mjs', 'trace', '--from', 'vm1.default', '--to', SANDBOX_EIP, '--icmp',
    '--db', sbx!.central.nbRemote, '--sb', sbx!.central.sbRemote, '--node', `node1=${join(sbx!.chassis.dir, 'run')}`];
  const json = JSON.parse((await execa('node', [...args, '--json'])).stdout) as TraceResult;
  assert.equal(json.node, 'node1');
  assert.ok(json.cookies.some((c) => c.logicalFlows.some((lf) => lf.nbObjects.some((o) => o.table === 'NAT'))));
  const text = (await execa('node', args)).stdout;
  assert.match(text, /== ofproto\/trace on node1/);
  const dead = await execa('node', [...args.slice(0, 7), '--db', 'unix:/nonexistent/nb.sock'], { reject: false });
  assert.equal(dead.exitCode, 1);
  assert.match(dead.stderr, /cannot read the OVN Northbound database at unix:\/nonexistent\/nb\.sock: is it running\?/);
});

test('trace destinations offered for vm1: the EIP first, then vm2 on its switch, then the gateway; each one traces', { skip }, async () => {
  const s = sbx!;
  const dests = await readTraceDestinations(target, 'vm1.default');
  const ips = dests.map((d) => d.ip);
  assert.equal(dests[0].ip, SANDBOX_EIP, 'the EIP comes first');
  assert.match(dests[0].owner, /^EIP → 10\.16\.0\.15 \(dnat_and_snat on ovn-cluster\)$/);
  assert.ok(ips.includes(s.vms[1].ip), 'vm2 is offered');
  assert.equal(dests.find((d) => d.ip === s.vms[1].ip)?.sameSwitch, true, 'vm2 is on vm1\'s switch');
  assert.ok(!ips.includes(s.vms[0].ip), 'vm1 itself is not offered');
  const gw = dests.find((d) => d.ip === '10.16.0.1');
  assert.equal(gw?.kind, 'gateway');
  assert.match(gw!.owner, /gateway of ovn-default/);
  assert.equal(new Set(ips).size, ips.length, 'no IP twice');
  // the sources the palette offers: the VM ports (no router or localnet port), with their IPs
  const sources = await readTraceSources(target);
  assert.deepEqual(sources.map((x) => x.port), s.vms.map((v) => v.port));
  assert.deepEqual(sources.map((x) => x.where), s.vms.map((v) => `${v.ip} on ovn-default`));
  // every destination offered resolves into a trace (an ARP-less IP would throw)
  for (const d of dests.filter((x) => x.kind !== 'gateway' || x.sameSwitch)) {
    const r = await runTrace(target, 'vm1.default', d.ip, { kind: 'icmp' });
    assert.ok(r.ovnTrace.hops.length > 0 && r.steps.length > 0, `trace to ${d.ip} (${d.owner}) has hops and OpenFlow steps`);
  }
});

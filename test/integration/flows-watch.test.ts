// `ovnlab flows --watch` on the real daemons: a ping between two VM namespaces moves the
// counters of the flows it crosses (those ofproto/trace walks for the same packet), and the
// EIP's flows, which it does not cross, stay still.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execa } from 'execa';
import { startOvnSandbox, sandboxUnavailable, SANDBOX_EIP, type OvnSandbox } from '../fixtures/ovn-sandbox';
import { LocalOvnTarget } from '../../src/ovn/local-target';
import { runTrace } from '../../src/ovn/trace-run';
import { execInNetns } from '../../src/lab/local/netns';

let sbx: OvnSandbox | undefined;
const skip = sandboxUnavailable();
before(async () => {
  if (!skip) sbx = await startOvnSandbox();
});
after(async () => sbx?.stop());

interface Moved { table: number; priority: number; cookie: string; match: string; actions: string; dPackets: number }

test('flows --watch shows the flows a VM→VM ping crossed, with Δ ≥ the pings sent', { skip }, async () => {
  await execa('node', ['scripts/build.mjs']);
  const s = sbx!;
  // warm up ARP and conntrack so the watched pings take the steady-state path
  assert.ok((await s.ping(s.vms[0].netns, s.vms[1].ip)).ok);
  const runDir = join(s.chassis.dir, 'run');
  const watch = execa('node', ['bin/ovnlab.mjs', 'flows', '--watch', '6', '--count', '1', '--json',
    '--db', s.central.nbRemote, '--sb', s.central.sbRemote, '--node', `node1=${runDir}`]);
  const pings = 5;
  let delta: { changed: Moved[]; read?: string } | undefined;
  for await (const line of watch) {
    const msg = JSON.parse(String(line)) as { watching?: boolean; changed?: Moved[] };
    if (msg.watching) {
      // the first snapshot is taken: the pings from now on land in the next one
      const p = await execInNetns(s.vms[0].netns, 'ping', ['-c', String(pings), '-i', '0.2', s.vms[1].ip]);
      assert.equal(p.exitCode, 0, p.stdout);
    } else delta = msg as { changed: Moved[]; read?: string };
  }
  assert.ok(delta, 'the watch printed a delta');
  assert.equal(delta.read, 'counters', 'the flow table stood still: the watch read counters over OpenFlow, not the text');
  const moved = delta.changed;
  assert.ok(moved.length > 0);

  const target = new LocalOvnTarget({ nbRemote: s.central.nbRemote, sbRemote: s.central.sbRemote, nodes: [{ name: 'node1', runDir }] });
  const tr = await runTrace(target, 'vm1.default', s.vms[1].ip, { kind: 'icmp' });
  const firstPass = tr.ofproto.passes[0].bridges.flatMap((b) => b.steps);
  for (const st of firstPass) {
    // one logical flow can become several OpenFlow flows with the same cookie and priority (per
    // port, per conjunction): the one our packets took moved the most
    const hits = moved.filter((m) => m.table === st.table && m.cookie === (st.cookie ?? '0x0') && m.priority === st.priority);
    assert.ok(hits.length > 0, `flow of trace step table=${st.table} priority=${st.priority} cookie=${st.cookie} moved`);
    const most = Math.max(...hits.map((m) => m.dPackets));
    assert.ok(most >= pings, `table=${st.table} moved by ${most} ≥ ${pings}`);
  }
  const eipFlows = moved.filter((m) => m.match.includes(SANDBOX_EIP) || m.actions.includes(SANDBOX_EIP));
  assert.deepEqual(eipFlows, [], 'no flow of the EIP moved for a VM→VM ping');
});

test('flows on a node without OVS says so and exits non-zero', { skip }, async () => {
  const r = await execa('node', ['bin/ovnlab.mjs', 'flows', '--node', 'ghost=/nonexistent/run'], { reject: false });
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /cannot dump flows of br-int on node ghost: is ovs-vswitchd running there/);
});

// The sandbox fixture itself: real daemons come up, VMs ping each other and the EIP is
// reachable from outside, and stop() leaves no daemon or namespace behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { startOvnSandbox, sandboxUnavailable, SANDBOX_EIP } from '../fixtures/ovn-sandbox';

test('OVN sandbox: VM→VM and outside→EIP ping on the real daemons, nothing left behind', async (t) => {
  const why = sandboxUnavailable();
  if (why) return t.skip(why);
  const sbx = await startOvnSandbox();
  try {
    const flows = await sbx.chassis.ofctl(['dump-flows', 'br-int']);
    assert.ok(flows.split('\n').length > 100, 'ovn-controller installed flows on br-int');
    const r1 = await sbx.ping(sbx.vms[0].netns, sbx.vms[1].ip);
    assert.ok(r1.ok, `vm1 → vm2 ping: ${r1.output}`);
    const r2 = await sbx.ping(sbx.outsideNetns!, SANDBOX_EIP);
    assert.ok(r2.ok, `outside → EIP ping: ${r2.output}`);
  } finally {
    await sbx.stop();
  }
  const ns = (await execa('ip', ['netns', 'list'])).stdout;
  assert.ok(!ns.includes(`ovt${sbx.id}`), `namespaces left: ${ns}`);
  const ps = (await execa('ps', ['-eo', 'args'])).stdout;
  assert.ok(!ps.includes(sbx.dir), 'no daemon of the sandbox still runs');
});

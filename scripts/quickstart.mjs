// `npm run quickstart`: checks (and, as root on Debian/Ubuntu, installs) the OVN/OVS packages,
// starts the local lab, applies seed 003 (external gateway + a VM with an EIP + a second VM),
// pings the EIP from the external network, and shows the trace through the gateway node.
// Leaves the lab up for you to explore; `node bin/ovnlab.mjs lab down` removes it.
import { existsSync } from 'node:fs';
import { execa } from 'execa';

const packages = ['ovn-central', 'ovn-host', 'openvswitch-switch', 'python3-openvswitch', 'iproute2', 'iputils-ping'];
const cli = (args, opts = {}) => execa(process.execPath, ['bin/ovnlab.mjs', ...args], { stdio: 'inherit', ...opts });
const say = (t) => console.log(`\n\x1b[1m== ${t}\x1b[0m`);

if (!existsSync('/usr/bin/ovn-nbctl') || !existsSync('/usr/sbin/ovs-vswitchd')) {
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    say(`installing ${packages.join(' ')}`);
    await execa('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env: { DEBIAN_FRONTEND: 'noninteractive' } });
  } else {
    console.error(`OVN/Open vSwitch are not installed. Install them, then run this again:\n  sudo apt-get install ${packages.join(' ')}`);
    process.exit(2);
  }
}
if (process.getuid?.() !== 0) {
  console.log('note: not root, so the lab uses the dummy datapath: flows and traces work, pings do not (run with sudo for VMs that ping).');
}

say('ovnlab lab up');
await cli(['lab', 'up']);
say('ovnlab lab apply -f labs/samples/seed-003-eip.yaml');
await cli(['lab', 'apply', '-f', 'labs/samples/seed-003-eip.yaml']);
await cli(['lab', 'status']);
if (process.getuid?.() === 0) {
  say('ping the EIP 192.168.100.101 from the external network (namespace `outside`)');
  await cli(['lab', 'exec', 'outside', '--', 'ping', '-c', '3', '192.168.100.101']);
}
say('ovnlab trace --from vm2.default --to 192.168.100.101   (the EIP path, through the gateway node)');
const r = await cli(['trace', '--from', 'vm2.default', '--to', '192.168.100.101'], { stdio: 'pipe', reject: false });
const lines = String(r.stdout).split('\n');
// the headline, the NAT row with the Kubernetes object behind it, and the datapath actions
const shown = lines.filter((l, i) => /^trace |^ {2}(dst MAC|chassis)|NAT:|^Datapath actions/.test(l) || (/↳ Kubernetes/.test(l) && /NAT:/.test(lines[i - 1] ?? '')));
console.log([...new Set(shown)].join('\n'));
if (r.exitCode !== 0) console.error(r.stderr);
say('next');
console.log(`  node bin/ovnlab.mjs nb show --lab                         # the Northbound topology Kube-OVN would build
  node bin/ovnlab.mjs flows --on ovnlab-control-plane --watch 1 --filter "nw_dst=192.168.100.101"
  node bin/ovnlab.mjs trace --from testvm.default --to 10.16.0.16
  node bin/ovnlab.mjs lab down                               # remove everything the lab made`);
process.exitCode = r.exitCode ?? 1;

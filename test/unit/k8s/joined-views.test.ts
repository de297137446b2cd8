import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { snapshotFrom } from '../../../src/k8s/cluster-snapshot';
import { eipRows, subnetRows, subnetRowsOfVpc, usableIpv4, vmNamespaceRows, vmRows, vmRowsOfSubnet, vpcRows, vpcTree } from '../../../src/k8s/joined-views';
import type { IP, IptablesEIP, IptablesFIPRule, OvnDnatRule } from '../../../src/k8s/resources';
import { buildIndexes, primaryIp } from '../../../src/k8s/store-indexes';
import { migration, node, ovnEip, ovnFip, pod, podIp, subnet, vm, vmi, vmIp, vpc } from '../../fixtures/k8s-objects';

function sample() {
  return snapshotFrom({
    vpcs: [vpc('ovn-cluster', { status: { default: true, router: 'ovn-cluster' } }), vpc('vpc-a')],
    subnets: [
      subnet('ovn-default', '10.16.0.0/16', { default: true, natOutgoing: true }),
      subnet('sub-a', '192.168.10.0/24', { vpc: 'vpc-a', namespaces: ['team-a'] }),
      subnet('orphan', '172.30.0.0/24', { vpc: 'vpc-missing' }),
    ],
    virtualmachines: [
      vm('default', 'pinned-vm', { pin: '10.16.0.50' }),
      vm('default', 'kept-vm'),
      vm('default', 'stopped-new', { runStrategy: 'Halted' }),
      vm('team-a', 'ns-vm'),
      vm('team-a', 'annot-vm', { subnet: 'ovn-default' }),
      vm('default', 'migrating'),
      vm('default', 'moved-pin', { pin: '10.16.0.99' }),
    ],
    virtualmachineinstances: [
      vmi('default', 'pinned-vm', { ip: '10.16.0.50', node: 'node2' }),
      vmi('default', 'kept-vm', { ip: '10.16.0.7', node: 'node3' }),
      vmi('team-a', 'ns-vm', { ip: '192.168.10.5', node: 'node2' }),
      vmi('default', 'migrating', { ip: '10.16.0.8', node: 'node2', migrating: { source: 'node2', target: 'node3' } }),
      vmi('default', 'moved-pin', { ip: '10.16.0.12', node: 'node3' }),
    ],
    virtualmachineinstancemigrations: [migration('default', 'mig-1', 'migrating', 'Running'), migration('default', 'old', 'kept-vm', 'Succeeded')],
    ips: [
      vmIp('default', 'pinned-vm', '10.16.0.50', 'ovn-default', 'node2'),
      vmIp('default', 'kept-vm', '10.16.0.7', 'ovn-default', 'node3'),
      vmIp('team-a', 'ns-vm', '192.168.10.5', 'sub-a', 'node2'),
      vmIp('default', 'migrating', '10.16.0.8', 'ovn-default', 'node2'),
      vmIp('default', 'moved-pin', '10.16.0.12', 'ovn-default', 'node3'),
      // an attachment IP for the same VM: longer name, must not win over the primary
      { ...vmIp('team-a', 'ns-vm', '172.17.0.5', 'attach'), metadata: { name: 'ns-vm.team-a.attach.team-a.ovn' } },
      podIp('default', 'web-0', '10.16.0.20', 'ovn-default', 'node1'),
    ],
    pods: [
      pod('default', 'virt-launcher-kept-vm-abcde', { node: 'node3', labels: { 'vm.kubevirt.io/name': 'kept-vm' }, annotations: { 'ovn.kubernetes.io/eip': '172.18.0.50', 'ovn.kubernetes.io/ip_address': '10.16.0.7' } }),
      pod('default', 'web-0', { node: 'node1' }),
    ],
    nodes: [node('node1'), node('node2'), node('node3')],
    'ovn-eips': [ovnEip('eip-a', '172.18.0.10'), ovnEip('eip-free', '172.18.0.11'), ovnEip('eip-dnat', '172.18.0.12')],
    'ovn-fips': [ovnFip('fip-a', 'eip-a', 'ns-vm.team-a')],
    'ovn-dnat-rules': [{ metadata: { name: 'dnat-web' }, spec: { ovnEip: 'eip-dnat', ipName: 'web-0.default', protocol: 'tcp', internalPort: '8080', externalPort: '80' } } as OvnDnatRule],
    'iptables-eips': [{ metadata: { name: 'ipt-eip' }, spec: { v4ip: '172.19.0.5', natGwDp: 'gw1' }, status: { ip: '172.19.0.5' } } as IptablesEIP],
    'iptables-fip-rules': [{ metadata: { name: 'ipt-fip' }, spec: { eip: 'ipt-eip', internalIp: '10.16.0.8' } } as IptablesFIPRule],
  });
}

describe('VM rows (VM → VMI → IP CR → Subnet → Vpc)', () => {
  const rows = vmRows(sample());
  const row = (ns: string, name: string) => {
    const r = rows.find((x) => x.namespace === ns && x.name === name);
    assert.ok(r, `row ${ns}/${name}`);
    return r;
  };

  test('a pinned VM shows its pinned IP, subnet from the IP CR, default VPC and node', () => {
    const r = row('default', 'pinned-vm');
    assert.equal(r.ipMode, 'pinned');
    assert.equal(r.pinnedIp, '10.16.0.50');
    assert.equal(r.ip, '10.16.0.50');
    assert.equal(r.pinMismatch, false);
    assert.equal(r.subnet, 'ovn-default');
    assert.equal(r.subnetSource, 'ip');
    assert.equal(r.vpc, 'ovn-cluster');
    assert.equal(r.node, 'node2');
    assert.equal(r.status, 'Running');
  });

  test('a VM without pin but with an IP CR is "kept"; its EIP comes from the launcher pod annotation', () => {
    const r = row('default', 'kept-vm');
    assert.equal(r.ipMode, 'kept');
    assert.equal(r.eip, '172.18.0.50');
    assert.equal(r.migration, undefined, 'a Succeeded migration is not in progress');
  });

  test('a stopped VM with nothing allocated is "dynamic" and falls back to the default subnet', () => {
    const r = row('default', 'stopped-new');
    assert.equal(r.ipMode, 'dynamic');
    assert.equal(r.status, 'Stopped');
    assert.equal(r.ip, undefined);
    assert.equal(r.subnet, 'ovn-default');
    assert.equal(r.subnetSource, 'default');
  });

  test('the primary IP CR wins over an attachment IP of the same VM; custom VPC and FIP join through', () => {
    const r = row('team-a', 'ns-vm');
    assert.equal(r.ip, '192.168.10.5');
    assert.equal(r.subnet, 'sub-a');
    assert.equal(r.vpc, 'vpc-a');
    assert.equal(r.eip, '172.18.0.10');
  });

  test('subnet from the template annotation when there is no IP CR yet, else from the namespace binding', () => {
    const r = row('team-a', 'annot-vm');
    assert.equal(r.subnet, 'ovn-default');
    assert.equal(r.subnetSource, 'annotation');
    const snap = snapshotFrom({ subnets: [subnet('sub-a', '192.168.10.0/24', { namespaces: ['team-a'] })], virtualmachines: [vm('team-a', 'x')] });
    const [only] = vmRows(snap);
    assert.equal(only.subnet, 'sub-a');
    assert.equal(only.subnetSource, 'namespace');
  });

  test('a migration in progress shows its phase and nodes', () => {
    const r = row('default', 'migrating');
    assert.deepEqual(r.migration, { name: 'mig-1', phase: 'Running', sourceNode: 'node2', targetNode: 'node3' });
  });

  test('a pin that differs from the running address is flagged', () => {
    const r = row('default', 'moved-pin');
    assert.equal(r.pinMismatch, true);
    assert.equal(r.ip, '10.16.0.12');
  });

  test('rows are sorted by namespace then name, and a namespace filter applies', () => {
    assert.deepEqual(rows.map((r) => `${r.namespace}/${r.name}`), [...rows.map((r) => `${r.namespace}/${r.name}`)].sort());
    assert.deepEqual(vmRows(sample(), undefined, 'team-a').map((r) => r.name), ['annot-vm', 'ns-vm']);
  });

  test('the deprecated spec.running maps to a run strategy', () => {
    const [r] = vmRows(snapshotFrom({ virtualmachines: [vm('d', 'old', { running: false })] }));
    assert.equal(r.runStrategy, 'Halted');
    assert.equal(r.status, 'Stopped');
  });
});

describe('Subnet and VPC rows', () => {
  test('used/available from Kube-OVN status when present, counted from IP CRs and the CIDR otherwise', () => {
    const snap = sample();
    const rows = subnetRows(snap);
    const def = rows.find((r) => r.name === 'ovn-default');
    assert.ok(def);
    assert.equal(def.usageSource, 'counted');
    assert.equal(def.used, 5);
    assert.equal(def.vms, 4);
    assert.equal(def.pods, 1);
    // 10.16.0.0/16: 65534 usable, minus the gateway in excludeIps, minus 5 used
    assert.equal(def.available, 65534 - 1 - 5);
    assert.equal(def.natOutgoing, true);
    assert.equal(def.gateway, '10.16.0.1');
    assert.equal(def.default, true);
    const withStatus = snapshotFrom({ subnets: [{ ...subnet('s', '10.0.0.0/24'), status: { v4usingIPs: 7, v4availableIPs: 246 } }] });
    const [s] = subnetRows(withStatus);
    assert.equal(s.usageSource, 'status');
    assert.equal(s.used, 7);
    assert.equal(s.available, 246);
  });

  test('usableIpv4 clips and merges excludeIps ranges', () => {
    assert.equal(usableIpv4('10.0.0.0/24'), 254);
    assert.equal(usableIpv4('10.0.0.0/24', ['10.0.0.1', '10.0.0.1..10.0.0.10', '10.0.0.5..10.0.0.20']), 254 - 20);
    assert.equal(usableIpv4('10.0.0.0/24', ['9.0.0.0..10.0.0.4']), 250, 'a range starting outside the CIDR is clipped');
    assert.equal(usableIpv4('10.0.0.0/31'), 2);
    assert.equal(usableIpv4('fd00::/64'), undefined);
    assert.equal(usableIpv4('10.0.0.0/24,fd00::/64', ['10.0.0.1']), 253);
    assert.equal(usableIpv4('garbage'), undefined);
  });

  test('VPC rows: default first, subnets listed, VMs counted, missing Vpc objects shown as not existing', () => {
    const rows = vpcRows(sample());
    assert.deepEqual(rows.map((r) => r.name), ['ovn-cluster', 'vpc-a', 'vpc-missing']);
    assert.deepEqual(rows[0].subnets, ['ovn-default']);
    assert.equal(rows[0].vms, 4);
    assert.equal(rows[1].vms, 1);
    assert.equal(rows[2].exists, false);
    assert.equal(rows[0].exists, true);
  });

  test('the VPC → Subnet → VM tree puts each VM under its subnet', () => {
    const tree = vpcTree(sample());
    const cluster = tree.find((t) => t.vpc.name === 'ovn-cluster');
    assert.ok(cluster);
    const def = cluster.subnets.find((s) => s.subnet.name === 'ovn-default');
    assert.ok(def);
    assert.deepEqual(def.vms.map((v) => v.name), ['kept-vm', 'migrating', 'moved-pin', 'pinned-vm', 'stopped-new', 'annot-vm']);
    const a = tree.find((t) => t.vpc.name === 'vpc-a');
    assert.deepEqual(a?.subnets[0].vms.map((v) => v.name), ['ns-vm']);
  });
});

describe('one tree level at a time', () => {
  test('VMs of a subnet, subnets of a VPC and VM namespaces agree with the full tree', () => {
    const snap = sample();
    const ix = buildIndexes(snap);
    const tree = vpcTree(snap, ix);
    for (const v of tree) {
      assert.deepEqual(subnetRowsOfVpc(ix, v.vpc.name), v.subnets.map((s) => s.subnet));
      for (const s of v.subnets) assert.deepEqual(vmRowsOfSubnet(snap, ix, s.subnet.name), s.vms);
    }
    assert.deepEqual(vmNamespaceRows(ix), [{ namespace: 'default', vms: 5 }, { namespace: 'team-a', vms: 2 }]);
    assert.deepEqual(vmRowsOfSubnet(snap, ix, 'no-such-subnet'), []);
  });
});

describe('EIP rows (external IP → internal IP → VM → node)', () => {
  const rows = eipRows(sample());
  test('an OvnFip joins OvnEip → IP CR → VM → node', () => {
    const r = rows.find((x) => x.source === 'OvnFip');
    assert.deepEqual(
      { ext: r?.externalIp, int: r?.internalIp, vm: r?.vm, node: r?.node },
      { ext: '172.18.0.10', int: '192.168.10.5', vm: { namespace: 'team-a', name: 'ns-vm' }, node: 'node2' },
    );
  });
  test('a pod eip annotation maps to the launcher pod VM', () => {
    const r = rows.find((x) => x.source === 'pod-annotation');
    assert.equal(r?.externalIp, '172.18.0.50');
    assert.equal(r?.internalIp, '10.16.0.7');
    assert.deepEqual(r?.vm, { namespace: 'default', name: 'kept-vm' });
    assert.equal(r?.node, 'node3');
  });
  test('DNAT rules show ports and the pod behind them; iptables FIPs join by internal address', () => {
    const d = rows.find((x) => x.source === 'OvnDnatRule');
    assert.equal(d?.ports, 'tcp 80→8080');
    assert.deepEqual(d?.pod, { namespace: 'default', name: 'web-0' });
    assert.equal(d?.node, 'node1');
    const i = rows.find((x) => x.source === 'IptablesFIPRule');
    assert.equal(i?.externalIp, '172.19.0.5');
    assert.deepEqual(i?.vm, { namespace: 'default', name: 'migrating' });
  });
  test('an OvnEip bound to nothing is listed on its own', () => {
    const free = rows.filter((x) => x.source === 'OvnEip');
    assert.deepEqual(free.map((x) => x.name), ['eip-free']);
  });
  test('a VM that asks for an EIP on its template is listed from it, unless its launcher pod already is', () => {
    const withEip = (v: ReturnType<typeof vm>, eip: string) => {
      v.spec!.template!.metadata!.annotations!['ovn.kubernetes.io/eip'] = eip;
      return v;
    };
    const base = sample();
    const snap = snapshotFrom({
      virtualmachines: [
        ...base.virtualmachines.values(),
        withEip(vm('default', 'eip-vm', { pin: '10.16.0.15' }), '192.168.100.101'),
        withEip(vm('default', 'eip-stopped', { runStrategy: 'Halted' }), '192.168.100.102'),
      ].map((v) => (v.metadata.name === 'kept-vm' ? withEip(v, '172.18.0.50') : v)),
      virtualmachineinstances: [...base.virtualmachineinstances.values(), vmi('default', 'eip-vm', { ip: '10.16.0.15', node: 'node2' })],
      pods: [...base.pods.values()],
    });
    const r = eipRows(snap);
    const fromVm = r.filter((x) => x.source === 'vm-annotation');
    assert.deepEqual(fromVm.map((x) => [x.externalIp, x.internalIp, x.vm?.name, x.node]), [
      ['192.168.100.101', '10.16.0.15', 'eip-vm', 'node2'],
      ['192.168.100.102', undefined, 'eip-stopped', undefined],
    ]);
    // kept-vm's template asks for 172.18.0.50 and its launcher pod carries it: one row, the pod's
    assert.deepEqual(r.filter((x) => x.externalIp === '172.18.0.50').map((x) => x.source), ['pod-annotation']);
  });
});

describe('indexes', () => {
  test('primaryIp prefers <vm>.<ns> and ipByAddress finds every address of a dual-stack IP', () => {
    const dual: IP = { metadata: { name: 'x.default' }, spec: { podName: 'x', namespace: 'default', subnet: 's', ipAddress: '10.0.0.5,fd00::5', v4IpAddress: '10.0.0.5', v6IpAddress: 'fd00::5' } };
    const ix = buildIndexes(snapshotFrom({ ips: [dual] }));
    assert.equal(primaryIp(ix, 'default', 'x'), dual);
    assert.equal(ix.ipByAddress.get('fd00::5'), dual);
    assert.equal(ix.ipByAddress.get('10.0.0.5'), dual);
    assert.equal(primaryIp(ix, 'default', 'y'), undefined);
  });
});

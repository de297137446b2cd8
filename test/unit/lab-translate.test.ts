// The lab controller's pure translation: Kubernetes objects → Kube-OVN's NB rows, IP objects,
// placements and conditions; IPAM; and the NB diff that applies them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { translate, macFromName, type TranslateInput } from '../../src/lab/local/controller/translate';
import type { KubeObject } from '../../src/lab/local/controller/kube-object';
import { allocateLowest, checkStatic, makePool, parseCidr, parseIp, availableCount } from '../../src/lab/local/controller/ipam';
import { diffNb, type NbSnapshot } from '../../src/lab/local/controller/nb-apply';
import { parseObjects } from '../../src/lab/local/controller/object-store';

function macs(): () => string {
  let i = 0;
  return () => `0a:00:00:00:00:${(++i).toString(16).padStart(2, '0')}`;
}

const node = (name: string, cp = false): KubeObject => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: cp ? { 'node-role.kubernetes.io/control-plane': '' } : {} },
});
const vm = (name: string, ann: Record<string, string> = {}, running = true, ns = 'default'): KubeObject => ({
  apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace: ns },
  spec: { runStrategy: running ? 'Always' : 'Halted', template: { metadata: { annotations: ann }, spec: {} } },
});
const gwCm = (extra: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ovn-external-gw-config', namespace: 'kube-system' },
  data: { 'enable-external-gw': 'true', 'external-gw-nodes': 'ovnlab-control-plane', 'external-gw-addr': '192.168.100.1/24', 'nic-ip': '192.168.100.254/24', 'nic-mac': '16:52:f3:13:6a:25', ...extra },
});
const nodes = [node('ovnlab-control-plane', true), node('ovnlab-worker'), node('ovnlab-worker2')];
const input = (objects: KubeObject[], cidr = '10.16.0.0/16'): TranslateInput => ({ objects: [...nodes, ...objects], defaultSubnetCidr: cidr, randomMac: macs() });

describe('translate: default VPC', () => {
  const plan = translate(input([]));
  test('router ovn-cluster with Kube-OVN options and vendor', () => {
    assert.deepEqual(plan.nb.routers, [{ name: 'ovn-cluster', externalIds: { vendor: 'kube-ovn' }, options: { mac_binding_age_threshold: '300', dynamic_neigh_routers: 'true', always_learn_from_arp_request: 'false' } }]);
  });
  test('join 100.64.0.0/16 with node-<name> ports and ovn-default 10.16.0.0/16', () => {
    assert.deepEqual(plan.nb.switches.map((s) => s.name), ['join', 'ovn-default']);
    const lrp = Object.fromEntries(plan.nb.routerPorts.map((p) => [p.name, p.networks]));
    assert.deepEqual(lrp, { 'ovn-cluster-join': ['100.64.0.1/16'], 'ovn-cluster-ovn-default': ['10.16.0.1/16'] });
    const nodePorts = plan.nb.switchPorts.filter((p) => p.name.startsWith('node-'));
    assert.deepEqual(nodePorts.map((p) => [p.name, p.addresses[0].split(' ')[1], p.externalIds.ls]), [
      ['node-ovnlab-control-plane', '100.64.0.2', 'join'], ['node-ovnlab-worker', '100.64.0.3', 'join'], ['node-ovnlab-worker2', '100.64.0.4', 'join'],
    ]);
    const rp = plan.nb.switchPorts.find((p) => p.name === 'ovn-default-ovn-cluster')!;
    assert.equal(rp.type, 'router');
    assert.deepEqual(rp.options, { 'router-port': 'ovn-cluster-ovn-default' });
    assert.deepEqual(plan.ips.map((i) => i.metadata.name), ['node-ovnlab-control-plane', 'node-ovnlab-worker', 'node-ovnlab-worker2']);
  });
  test('default route to the join gateway and 31000 allow policies per subnet', () => {
    assert.deepEqual(plan.nb.routes.map((r) => [r.prefix, r.nexthop, r.policy]), [['0.0.0.0/0', '100.64.0.1', 'dst-ip']]);
    assert.deepEqual(plan.nb.policies.map((p) => [p.priority, p.match, p.action, p.externalIds.subnet]), [
      [31000, 'ip4.dst == 100.64.0.0/16', 'allow', 'join'], [31000, 'ip4.dst == 10.16.0.0/16', 'allow', 'ovn-default'],
    ]);
  });
  test('ovn-default CIDR is configurable (seed 003 uses 100.0.0.0/16)', () => {
    const p = translate(input([vm('a')], '100.0.0.0/16'));
    assert.deepEqual(p.nb.routerPorts.find((r) => r.name === 'ovn-cluster-ovn-default')?.networks, ['100.0.0.1/16']);
    assert.equal(p.vms[0].ip, '100.0.0.2');
  });
});

describe('translate: VMs', () => {
  test('a VM becomes port <vm>.<ns> with Kube-OVN external_ids, an IP object and a worker', () => {
    const p = translate(input([vm('testvm')]));
    const port = p.nb.switchPorts.find((s) => s.name === 'testvm.default')!;
    assert.equal(port.switch, 'ovn-default');
    assert.deepEqual(port.externalIds, { pod: 'default/testvm', ls: 'ovn-default', vendor: 'kube-ovn' });
    assert.deepEqual(port.portSecurity, []);
    assert.equal(port.addresses[0], `${p.vms[0].mac} 10.16.0.2`);
    const ip = p.ips.find((i) => i.metadata.name === 'testvm.default')!;
    assert.equal((ip.spec as Record<string, unknown>).podType, 'VirtualMachine');
    assert.equal((ip.spec as Record<string, unknown>).v4IpAddress, '10.16.0.2');
    assert.equal(p.vms[0].node, 'ovnlab-worker');
  });
  test('pinned IP and MAC from the template annotations', () => {
    const p = translate(input([vm('testvm', { 'ovn.kubernetes.io/ip_address': '10.16.0.15', 'ovn.kubernetes.io/mac_address': '00:00:00:AA:00:01' })]));
    assert.equal(p.vms[0].ip, '10.16.0.15');
    assert.equal(p.vms[0].mac, '00:00:00:aa:00:01');
    assert.equal(p.vms[0].pinned, true);
  });
  test('an annotation on the VM\'s own metadata is ignored with a hint where it belongs', () => {
    const v = vm('testvm');
    v.metadata.annotations = { 'ovn.kubernetes.io/ip_address': '10.16.0.15' };
    const p = translate(input([v]));
    assert.equal(p.vms[0].ip, '10.16.0.2');
    assert.ok(p.events.some((e) => e.reason === 'AnnotationIgnored' && /spec\.template\.metadata\.annotations/.test(e.message)));
  });
  test('keep-vm-ip: the IP object of a stopped VM keeps its address; a new VM gets another', () => {
    const first = translate(input([vm('a'), vm('b')]));
    const aIp = first.vms[0].ip;
    const stopped = translate({ ...input([vm('a', {}, false), vm('b'), vm('c'), ...first.ips]) });
    assert.equal(stopped.vms[0].ip, aIp);
    assert.equal(stopped.vms[0].running, false);
    assert.equal(stopped.vms[0].node, undefined);
    assert.notEqual(stopped.vms[2].ip, aIp);
    assert.equal(stopped.vms[0].mac, first.vms[0].mac, 'MAC kept too');
    assert.ok(stopped.nb.switchPorts.some((s) => s.name === 'a.default'), 'port kept while the VM exists');
  });
  test('spread over workers, least loaded first', () => {
    const p = translate(input([vm('a'), vm('b'), vm('c')]));
    assert.deepEqual(p.vms.map((v) => v.node), ['ovnlab-worker', 'ovnlab-worker2', 'ovnlab-worker']);
  });
  test('bad pinned IPs get conditions and no port; the others are unaffected', () => {
    const p = translate(input([
      vm('owner', { 'ovn.kubernetes.io/ip_address': '10.16.0.15' }),
      vm('outside', { 'ovn.kubernetes.io/ip_address': '10.17.0.5' }),
      vm('taken', { 'ovn.kubernetes.io/ip_address': '10.16.0.15' }),
      vm('gw', { 'ovn.kubernetes.io/ip_address': '10.16.0.1' }),
      vm('junk', { 'ovn.kubernetes.io/ip_address': 'ten' }),
      vm('fine'),
    ]));
    const reasons = Object.fromEntries(p.events.map((e) => [e.name, e.reason]));
    assert.deepEqual(reasons, { outside: 'IPOutOfSubnet', taken: 'IPConflict', gw: 'IPExcluded', junk: 'InvalidIP' });
    assert.deepEqual(p.vms.map((v) => [v.name, v.ip]), [['owner', '10.16.0.15'], ['fine', '10.16.0.2']]);
    const st = p.statuses.find((s) => s.name === 'taken')!;
    assert.match(JSON.stringify(st.status.conditions), /already taken by owner\.default/);
  });
  test('migration in flight → requested-chassis=src,dst + rarp; completed → target only', () => {
    const vmi = (mig: Record<string, unknown>): KubeObject => ({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'a', namespace: 'default' },
      status: { nodeName: 'ovnlab-worker', migrationState: mig },
    });
    const during = translate(input([vm('a'), vmi({ sourceNode: 'ovnlab-worker', targetNode: 'ovnlab-worker2', completed: false })]));
    assert.deepEqual(during.nb.switchPorts.find((s) => s.name === 'a.default')?.options, { 'requested-chassis': 'ovnlab-worker,ovnlab-worker2', 'activation-strategy': 'rarp' });
    assert.equal(during.statuses.find((s) => s.name === 'a')?.status.printableStatus, 'Migrating');
    const done = translate(input([vm('a'), vmi({ sourceNode: 'ovnlab-worker', targetNode: 'ovnlab-worker2', completed: true })]));
    assert.deepEqual(done.nb.switchPorts.find((s) => s.name === 'a.default')?.options, { 'requested-chassis': 'ovnlab-worker2' });
  });
});

describe('translate: external gateway, EIP, OvnEip/OvnFip', () => {
  test('seed 003: external switch, localnet, ovn-cluster-external with gateway chassis, EIP dnat_and_snat', () => {
    const p = translate(input([gwCm(), vm('testvm', { 'ovn.kubernetes.io/eip': '192.168.100.101' })]));
    assert.deepEqual(p.nb.switches.map((s) => s.name), ['join', 'ovn-default', 'external']);
    const ln = p.nb.switchPorts.find((s) => s.name === 'localnet.external')!;
    assert.equal(ln.type, 'localnet');
    assert.deepEqual(ln.options, { network_name: 'external' });
    assert.deepEqual(ln.addresses, ['unknown']);
    const lrp = p.nb.routerPorts.find((r) => r.name === 'ovn-cluster-external')!;
    assert.equal(lrp.mac, '16:52:f3:13:6a:25');
    assert.deepEqual(lrp.networks, ['192.168.100.254/24']);
    assert.deepEqual(lrp.gatewayChassis, [{ name: 'ovn-cluster-external-ovnlab-control-plane', chassis: 'ovnlab-control-plane', priority: 100, externalIds: { lrp: 'ovn-cluster-external' } }]);
    assert.deepEqual(p.nb.nats, [{ router: 'ovn-cluster', type: 'dnat_and_snat', externalIp: '192.168.100.101', logicalIp: '10.16.0.2', options: {} }]);
    assert.ok(p.nb.policies.some((x) => x.priority === 29250 && x.match === 'ip4.src == 10.16.0.2' && x.nexthops[0] === '192.168.100.1'));
    assert.deepEqual(p.gateway, { type: 'centralized', nodes: ['ovnlab-control-plane'], addr: '192.168.100.1/24', cidr: '192.168.100.0/24' });
  });
  test('distributed gateway: NAT gets logical_port, external_mac and stateless; gateway nodes are the labelled ones', () => {
    const labelled = { ...node('ovnlab-worker'), metadata: { name: 'ovnlab-worker', labels: { 'ovn.kubernetes.io/external-gw': 'true' } } };
    const p = translate({ objects: [nodes[0], labelled, nodes[2], gwCm({ type: 'distributed' }), vm('v', { 'ovn.kubernetes.io/eip': '192.168.100.50' })], defaultSubnetCidr: '10.16.0.0/16', randomMac: macs() });
    assert.deepEqual(p.gateway?.nodes, ['ovnlab-worker']);
    const nat = p.nb.nats[0];
    assert.equal(nat.logicalPort, 'v.default');
    assert.equal(nat.externalMac, p.vms[0].mac);
    assert.deepEqual(nat.options, { stateless: 'true' });
  });
  test('EIP without the ConfigMap, outside the external network, or twice: a warning, no NAT', () => {
    assert.equal(translate(input([vm('v', { 'ovn.kubernetes.io/eip': '192.168.100.101' })])).events[0].reason, 'ExternalGatewayMissing');
    const p = translate(input([gwCm(), vm('a', { 'ovn.kubernetes.io/eip': '10.0.0.1' }), vm('b', { 'ovn.kubernetes.io/eip': '192.168.100.9' }), vm('c', { 'ovn.kubernetes.io/eip': '192.168.100.9' })]));
    assert.deepEqual(p.events.map((e) => [e.name, e.reason]), [['a', 'EIPOutOfRange'], ['c', 'EIPConflict']]);
    assert.equal(p.nb.nats.length, 1);
  });
  test('a gateway node that is not a node of the lab is reported', () => {
    const p = translate(input([gwCm({ 'external-gw-nodes': 'kube-ovn-worker' })]));
    assert.deepEqual(p.events.map((e) => e.reason), ['NodeNotFound', 'NoGatewayNode']);
    assert.equal(p.gateway, undefined);
  });
  test('OvnEip + OvnFip → dnat_and_snat on the VPC router, statuses filled', () => {
    const p = translate(input([
      gwCm(), vm('testvm'),
      { apiVersion: 'kubeovn.io/v1', kind: 'OvnEip', metadata: { name: 'eip-static' }, spec: { externalSubnet: 'external', type: 'nat' } },
      { apiVersion: 'kubeovn.io/v1', kind: 'OvnFip', metadata: { name: 'fip-testvm' }, spec: { ovnEip: 'eip-static', ipName: 'testvm.default' } },
      { apiVersion: 'kubeovn.io/v1', kind: 'OvnFip', metadata: { name: 'fip-bad' }, spec: { ovnEip: 'eip-static', ipName: 'nope.default' } },
    ]));
    assert.deepEqual(p.nb.nats, [{ router: 'ovn-cluster', type: 'dnat_and_snat', externalIp: '192.168.100.2', logicalIp: '10.16.0.2', options: {} }]);
    assert.equal(p.statuses.find((s) => s.name === 'eip-static')?.status.v4Ip, '192.168.100.2');
    assert.equal(p.statuses.find((s) => s.name === 'fip-testvm')?.status.ready, true);
    assert.equal(p.events.find((e) => e.name === 'fip-bad')?.reason, 'IPNotFound');
  });
});

describe('translate: custom VPCs and subnets', () => {
  const vpc: KubeObject = { apiVersion: 'kubeovn.io/v1', kind: 'Vpc', metadata: { name: 'tenant-a' }, spec: { staticRoutes: [{ cidr: '0.0.0.0/0', nextHopIP: '10.0.1.254', policy: 'policyDst' }] } };
  const subnet = (name: string, cidr: string, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'kubeovn.io/v1', kind: 'Subnet', metadata: { name }, spec: { cidrBlock: cidr, ...extra } });
  test('Vpc → router; Subnet → switch + <vpc>-<subnet> router port; excludeIps honoured; namespaces select the subnet', () => {
    const p = translate(input([vpc, subnet('net1', '10.0.1.0/24', { vpc: 'tenant-a', excludeIps: ['10.0.1.2..10.0.1.10'], namespaces: ['ns1'] }), vm('v', {}, true, 'ns1')]));
    assert.ok(p.nb.routers.some((r) => r.name === 'tenant-a'));
    assert.deepEqual(p.nb.routerPorts.find((r) => r.name === 'tenant-a-net1')?.networks, ['10.0.1.1/24']);
    assert.equal(p.nb.switchPorts.find((s) => s.name === 'net1-tenant-a')?.options['router-port'], 'tenant-a-net1');
    assert.equal(p.vms[0].subnet, 'net1');
    assert.equal(p.vms[0].ip, '10.0.1.11');
    assert.ok(p.nb.routes.some((r) => r.router === 'tenant-a' && r.nexthop === '10.0.1.254'));
  });
  test('two VPCs may overlap; two subnets of one VPC may not', () => {
    const p = translate(input([vpc, subnet('a1', '10.16.0.0/24', { vpc: 'tenant-a' }), subnet('clash', '10.16.5.0/24')]));
    assert.ok(p.nb.switches.some((s) => s.name === 'a1'));
    assert.ok(!p.nb.switches.some((s) => s.name === 'clash'));
    const st = p.statuses.find((s) => s.name === 'clash')!;
    assert.match(JSON.stringify(st.status.conditions), /CIDROverlap.*overlaps subnet ovn-default/);
  });
  test('a subnet in a Vpc that does not exist, or with a bad CIDR, gets a condition', () => {
    const p = translate(input([subnet('x', '10.5.0.0/16', { vpc: 'nope' }), subnet('y', '10.6.0.5/16')]));
    assert.deepEqual(p.events.map((e) => [e.name, e.reason]), [['x', 'VpcNotFound'], ['y', 'InvalidCIDR']]);
    assert.match(p.events[1].message, /did you mean 10\.6\.0\.0\/16/);
  });
});

describe('ipam', () => {
  test('pool, exclusions, static checks, lowest free', () => {
    const p = makePool('10.16.0.0/29', undefined, ['10.16.0.3..10.16.0.4']);
    assert.ok(!('error' in p));
    if ('error' in p) return;
    const used = new Map([[parseIp('10.16.0.2')!, 'a.default']]);
    assert.equal(allocateLowest(p, used), parseIp('10.16.0.5'));
    assert.equal(availableCount(p, used), 2);
    const taken = checkStatic(p, '10.16.0.2', used, 's');
    assert.ok(!taken.ok && taken.reason === 'Conflict');
    const bcast = checkStatic(p, '10.16.0.7', used, 's');
    assert.ok(!bcast.ok && bcast.reason === 'OutOfSubnet');
    assert.deepEqual(parseCidr('10.16.0.0/33'), { error: '"10.16.0.0/33" is not an IPv4 CIDR with a prefix from /8 to /30' });
    assert.ok('error' in makePool('10.16.0.0/24', undefined, ['10.17.0.1']));
  });
  test('router port MACs are stable, locally administered and unicast', () => {
    const m = macFromName('ovn-cluster-ovn-default');
    assert.equal(m, macFromName('ovn-cluster-ovn-default'));
    assert.equal(parseInt(m.slice(0, 2), 16) & 3, 2);
  });
});

describe('nb diff', () => {
  const empty: NbSnapshot = { tables: { Logical_Router: [], Logical_Switch: [], Logical_Switch_Port: [], Logical_Router_Port: [], NAT: [], Logical_Router_Static_Route: [], Logical_Router_Policy: [], Gateway_Chassis: [] } };
  test('from an empty NB: inserts routers and switches before the ports hung on them by name', () => {
    const p = translate(input([gwCm(), vm('testvm', { 'ovn.kubernetes.io/eip': '192.168.100.101' })]));
    const ops = diffNb(empty, p.nb);
    const firstPortMutate = ops.findIndex((o) => o.op === 'mutate');
    const lastRootInsert = ops.map((o, i) => (o.op === 'insert' && (o.table === 'Logical_Router' || o.table === 'Logical_Switch') ? i : -1)).reduce((a, b) => Math.max(a, b));
    assert.ok(lastRootInsert < firstPortMutate);
    assert.equal(ops.filter((o) => o.op === 'insert' && o.table === 'NAT').length, 1);
    assert.equal(ops.filter((o) => o.op === 'insert' && o.table === 'Gateway_Chassis').length, 1);
  });
  test('a user\'s own rows (no vendor=kube-ovn) are never removed', () => {
    const snap: NbSnapshot = { tables: { ...empty.tables, Logical_Switch: [{ _uuid: 'u1', name: 'mine', external_ids: {}, ports: [] }], Logical_Router: [{ _uuid: 'u2', name: 'old', external_ids: { vendor: 'kube-ovn' }, options: {}, ports: [], nat: [], static_routes: [], policies: [] }] } };
    const ops = diffNb(snap, { routers: [], switches: [], routerPorts: [], switchPorts: [], nats: [], routes: [], policies: [] });
    assert.deepEqual(ops, [{ op: 'delete', table: 'Logical_Router', where: [['_uuid', '==', 'u2']] }]);
  });
});

describe('object parsing', () => {
  test('multi-document YAML and Lists; cluster-scoped kinds lose the namespace; bad names are refused', () => {
    const objs = parseObjects('apiVersion: v1\nkind: List\nitems:\n- apiVersion: kubeovn.io/v1\n  kind: Subnet\n  metadata: {name: s1, namespace: x}\n---\napiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: {name: v}\n', 'f');
    assert.deepEqual(objs.map((o) => [o.kind, o.metadata.namespace]), [['Subnet', undefined], ['VirtualMachine', 'default']]);
    assert.throws(() => parseObjects('apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name}\n', 'f.yaml'), /f\.yaml: document 1: Pod needs metadata\.name/);
  });
});

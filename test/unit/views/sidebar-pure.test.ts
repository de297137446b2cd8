// The sidebar's editor-free parts: guided-input validation (CIDR, overlap, names, gateway),
// row wording and context values, the refresh debounce, and which kubeconfig the sidebar follows.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGateway, checkSubnetCidr, checkSubnetName, checkVpcName, defaultGateway, parseIpv4Cidr, parseNamespaceList, subnetObject } from '../../../src/views/network-input';
import { eipText, problemText, subnetText, vmText } from '../../../src/views/tree-text';
import { RefreshQueue } from '../../../src/views/refresh-queue';
import { chooseCluster, sidebarConnection } from '../../../src/views/connection-choice';
import { subnet, vpc } from '../../fixtures/k8s-objects';
import type { VmRow } from '../../../src/k8s/joined-views';

describe('network input validation', () => {
  const existing = [subnet('ovn-default', '10.16.0.0/16'), subnet('sub-a', '10.20.0.0/24', { vpc: 'vpc-a' }), subnet('sub-b', '10.40.0.0/24', { vpc: 'vpc-b' })];

  test('CIDR syntax: host bits, prefix range, octets', () => {
    assert.deepEqual(parseIpv4Cidr('10.30.0.0/24'), { first: 0x0a1e0000, last: 0x0a1e00ff, prefix: 24, text: '10.30.0.0/24' });
    assert.match(parseIpv4Cidr('10.30.0.1/24') as string, /host bits set: use 10\.30\.0\.0\/24/);
    assert.match(parseIpv4Cidr('10.30.0.0') as string, /not a CIDR/);
    assert.match(parseIpv4Cidr('10.300.0.0/24') as string, /not an IPv4 address/);
    assert.match(parseIpv4Cidr('10.0.0.0/31') as string, /outside \/8\.\.\/30/);
  });

  test('overlap: refused within a VPC and with the default VPC, allowed between two custom VPCs', () => {
    assert.match(checkSubnetCidr('10.16.5.0/24', 'ovn-cluster', existing)!, /overlaps Subnet ovn-default \(10\.16\.0\.0\/16\)/);
    assert.match(checkSubnetCidr('10.20.0.128/25', 'vpc-a', existing)!, /overlaps Subnet sub-a/);
    assert.match(checkSubnetCidr('10.16.0.0/24', 'vpc-a', existing)!, /overlaps Subnet ovn-default .*VPC ovn-cluster/);
    assert.equal(checkSubnetCidr('10.40.0.0/24', 'vpc-a', existing), undefined, 'custom VPCs are isolated from each other');
    assert.equal(checkSubnetCidr('10.50.0.0/24', 'ovn-cluster', existing), undefined);
  });

  test('names: DNS-1123, not taken', () => {
    assert.equal(checkSubnetName('sub-c', existing), undefined);
    assert.match(checkSubnetName('sub-a', existing)!, /already exists/);
    assert.match(checkSubnetName('Sub_A', existing)!, /not a valid name/);
    assert.match(checkVpcName('vpc.a', [vpc('x')])!, /not a valid VPC name/);
    assert.match(checkVpcName('x', [vpc('x')])!, /already exists/);
    assert.deepEqual(parseNamespaceList('a, b  a'), ['a', 'b']);
    assert.match(parseNamespaceList('a, B') as string, /"B" is not a namespace name/);
  });

  test('gateway: default is the first address, must be inside and usable', () => {
    assert.equal(defaultGateway('10.30.0.0/24'), '10.30.0.1');
    assert.equal(checkGateway('10.30.0.254', '10.30.0.0/24'), undefined);
    assert.match(checkGateway('10.30.0.255', '10.30.0.0/24')!, /not a usable address/);
    assert.match(checkGateway('10.31.0.1', '10.30.0.0/24')!, /not a usable address/);
    const o = subnetObject({ name: 's', vpc: 'vpc-a', cidr: '10.30.0.0/24', gateway: '10.30.0.1', natOutgoing: true, namespaces: [] });
    assert.deepEqual(o.spec, { vpc: 'vpc-a', cidrBlock: '10.30.0.0/24', gateway: '10.30.0.1', excludeIps: ['10.30.0.1'], protocol: 'IPv4', natOutgoing: true });
  });
});

describe('row text', () => {
  const base: VmRow = { namespace: 'demo', name: 'web', status: 'Running', runStrategy: 'Always', ip: '10.16.0.10', ips: ['10.16.0.10'], ipMode: 'pinned', pinnedIp: '10.16.0.10', pinMismatch: false, subnet: 'ovn-default', subnetSource: 'ip', vpc: 'ovn-cluster', node: 'w1' };

  test('a running pinned VM: description, icon, context flags for the menus', () => {
    const t = vmText(base);
    assert.equal(t.description, 'Running · 10.16.0.10 pinned · w1');
    assert.equal(t.icon, 'vm-running');
    assert.equal(t.context, 'vm:running:ip:node');
    assert.match(t.tooltip, /\| IP mode \| pinned/);
  });

  test('a stopped VM offers start, a migrating one says where to, an EIP flags detach', () => {
    assert.equal(vmText({ ...base, status: 'Stopped', runStrategy: 'Halted', ip: undefined, ips: [], node: undefined }).context, 'vm:stopped');
    const m = vmText({ ...base, status: 'Migrating', migration: { name: 'mig', phase: 'Running', sourceNode: 'w1', targetNode: 'w2' }, eip: '172.18.0.10' });
    assert.match(m.description, /migrating w1→w2 \(Running\)/);
    assert.equal(m.context, 'vm:running:ip:eip:node:migrating');
    assert.equal(m.icon, 'arrow-swap');
  });

  test('a pin added after start warns in the tooltip', () => {
    assert.match(vmText({ ...base, ip: '10.16.0.9', pinMismatch: true }).tooltip, /restart it to apply/);
  });

  test('subnet, EIP and problem rows', () => {
    const s = subnetText({ name: 'sub-a', vpc: 'vpc-a', cidr: '10.20.0.0/24', gateway: '10.20.0.1', excludeIps: [], natOutgoing: true, default: false, namespaces: [], used: 3, available: 250, usageSource: 'counted', vms: 2, pods: 1 });
    assert.equal(s.description, '10.20.0.0/24 · 3 used / 250 free · NAT');
    const e = eipText({ source: 'OvnFip', name: 'fip-web', eipName: 'eip-web', externalIp: '172.18.0.10', internalIp: '10.16.0.10', vm: { namespace: 'demo', name: 'web' }, node: 'w1' });
    assert.equal(e.label, '172.18.0.10');
    assert.equal(e.description, '→ 10.16.0.10 → demo/web → w1 · OvnFip');
    assert.equal(e.context, 'eip:fip:ip:vm');
    const p = problemText('virtualmachines', 'forbidden', 'no access to virtualmachines.kubevirt.io in namespace b', 'User "alice" cannot list');
    assert.equal(p.label, 'no access to virtualmachines.kubevirt.io in namespace b');
    assert.match(p.tooltip, /ovnlab\.namespaceFilter/);
  });
});

describe('refresh queue', () => {
  test('a burst becomes one flush with every key; a steady stream still flushes by the max delay', async () => {
    const flushed: string[][] = [];
    const q = new RefreshQueue((k) => flushed.push([...k].sort()), 30, 80);
    q.add('a');
    q.add('b', 'a');
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(flushed, [['a', 'b']]);
    const t0 = Date.now();
    const timer = setInterval(() => q.add(`k${Date.now()}`), 10);
    while (flushed.length < 2) await new Promise((r) => setTimeout(r, 5));
    clearInterval(timer);
    assert.ok(Date.now() - t0 < 200, `a steady stream flushed after ${Date.now() - t0} ms`);
    q.dispose();
  });
});

describe('which cluster the sidebar follows', () => {
  const exists = (p: string) => p === '/lab/kubeconfig' || p === '/home/u/.kube/config';
  test('settings first, then a running lab, then $KUBECONFIG / ~/.kube/config, else nothing', () => {
    assert.equal(chooseCluster({ kubeconfig: '/k', context: 'c' }, '/lab/kubeconfig', {}, exists)?.source, 'settings');
    assert.deepEqual(chooseCluster({ kubeconfig: '', context: 'c' }, '/lab/kubeconfig', {}, exists), { kubeconfig: '/lab/kubeconfig', context: '', source: 'lab' });
    assert.equal(chooseCluster({ kubeconfig: '', context: '' }, undefined, { KUBECONFIG: '/home/u/.kube/config' }, exists)?.source, 'environment');
    assert.equal(chooseCluster({ kubeconfig: '', context: '' }, undefined, { KUBECONFIG: '/nope' }, exists), undefined);
    assert.equal(sidebarConnection({ state: 'unreachable', message: 'x' }), 'unreachable');
    assert.equal(sidebarConnection({ state: 'connected' }), 'ok');
  });
});

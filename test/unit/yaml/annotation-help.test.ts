import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeVmDocuments } from '../../../src/yaml/vm-analysis';
import { annotationHover, annotationKeyCompletions, annotationValueCompletions, completionsAt, hoverAt } from '../../../src/yaml/annotation-help';
import { suggestAnnotationName } from '../../../src/yaml/annotation-catalogue';
import { clusterFacts, readFixture } from './corpus';

test('key completions cover the pod network and each Multus attachment, without controller-owned or removed keys', () => {
  const vm = analyzeVmDocuments(readFixture('07-multus.yaml')).vms.find((v) => v.name === 'two-nics')!;
  const keys = annotationKeyCompletions(vm).map((c) => c.key);
  assert.ok(keys.includes('ovn.kubernetes.io/ip_address'));
  assert.ok(keys.includes('attachnet.default.ovn.kubernetes.io/ip_address'));
  assert.ok(keys.includes('attachnet.default.ovn.kubernetes.io/default_route'));
  assert.ok(!keys.includes('ovn.kubernetes.io/default_route'), 'default_route is for attachments');
  assert.ok(!keys.some((k) => k.endsWith('/allocated') || k.endsWith('/allow_live_migration')));
  assert.ok(keys.includes('kubevirt.io/allow-pod-bridge-network-live-migration'));
});

test('hovers explain known keys, flag removed and controller-owned ones', () => {
  assert.match(annotationHover('ovn.kubernetes.io/ip_address')!, /Static IP/);
  assert.match(annotationHover('attachnet.default.ovn.kubernetes.io/allow_live_migration')!, /attachment default\/attachnet[\s\S]*Removed after Kube-OVN v1\.12\.35/);
  assert.match(annotationHover('ovn.kubernetes.io/routed')!, /Written by Kube-OVN/);
  assert.equal(annotationHover('example.com/x'), undefined);
});

test('value completions: subnets with VPC and CIDR, the next free IP, switches', () => {
  const ctx = { cluster: clusterFacts() };
  const subnets = annotationValueCompletions('ovn.kubernetes.io/logical_switch', undefined, ctx);
  assert.deepEqual(subnets.find((s) => s.value === 'vpc1-subnet'), { value: 'vpc1-subnet', detail: '192.168.10.0/24 · VPC vpc1' });
  const vm = analyzeVmDocuments(readFixture('01-testvm-v1alpha3.yaml')).vms[0];
  assert.deepEqual(annotationValueCompletions('ovn.kubernetes.io/ip_address', vm, ctx), [{ value: '10.16.0.13', detail: 'next free IP in ovn-default (10.16.0.0/16,fd00:10:16::/64)' }]);
  assert.deepEqual(annotationValueCompletions('ovn.kubernetes.io/port_security', vm, ctx).map((v) => v.value), ['true', 'false']);
  assert.deepEqual(annotationValueCompletions('ovn.kubernetes.io/ip_address', vm, {}), []);
});

test('"did you mean" finds typos but not unrelated words', () => {
  assert.equal(suggestAnnotationName('ip_adress'), 'ip_address');
  assert.equal(suggestAnnotationName('logical-switch'), 'logical_switch');
  assert.equal(suggestAnnotationName('mac_adress'), 'mac_address');
  assert.equal(suggestAnnotationName('frobnicate'), undefined);
});

describe('completions and hovers at a place in the text', () => {
  const VM = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: web
  namespace: default
  annotations:
    note: top
spec:
  runStrategy: Always
  template:
    metadata:
      annotations:
        ovn.kubernetes.io/logical_switch: vpc1-subnet
        ovn.kubernetes.io/ip_address: 10.16.0.50
    spec:
      domain:
        devices: {}
`;
  const at = (text: string, marker: string) => text.indexOf(marker) + marker.length;

  test('a new key line under the template annotations gets Kube-OVN keys, without those already there', () => {
    const text = VM.replace('        ovn.kubernetes.io/ip_address: 10.16.0.50\n', '        ovn.kubernetes.io/ip_address: 10.16.0.50\n        ovn.kub\n');
    const off = at(text, '        ovn.kub');
    const c = completionsAt(text, off, analyzeVmDocuments(text), {});
    assert.equal(c?.kind, 'key');
    assert.equal(text.slice(c!.range.start, c!.range.end), 'ovn.kub');
    const keys = c!.items.map((i) => i.key);
    assert.ok(keys.includes('ovn.kubernetes.io/mac_address'));
    assert.ok(!keys.includes('ovn.kubernetes.io/ip_address'), 'already in the block');
  });

  test('no key completions on the VM\'s own metadata or in the spec', () => {
    const a = analyzeVmDocuments(VM);
    assert.equal(completionsAt(VM, at(VM, '    note'), a, {}), undefined);
    assert.equal(completionsAt(VM, at(VM, '  runStrat'), a, {}), undefined);
  });

  test('an empty annotations: block under the template gets keys too', () => {
    const text = VM.replace(/      annotations:\n        ovn[^\n]*\n        ovn[^\n]*\n/, '      annotations:\n        \n');
    const off = text.indexOf('      annotations:\n') + '      annotations:\n        '.length;
    const c = completionsAt(text, off, analyzeVmDocuments(text), {});
    assert.equal(c?.kind, 'key');
    assert.ok(c!.items.some((i) => i.key === 'ovn.kubernetes.io/ip_address'));
  });

  test('subnet values come from the cluster with CIDR and VPC; offline the completion says why there are none', () => {
    const text = VM.replace('logical_switch: vpc1-subnet', 'logical_switch: vp');
    const off = at(text, 'logical_switch: vp');
    const ctx = { cluster: clusterFacts() };
    const c = completionsAt(text, off, analyzeVmDocuments(text, ctx), ctx);
    assert.equal(c?.kind, 'value');
    assert.equal(text.slice(c!.range.start, c!.range.end), 'vp');
    assert.ok(c!.kind === 'value' && c!.items.some((i) => i.value === 'vpc1-subnet' && /192\.168\.10\.0\/24 · VPC vpc1/.test(i.detail)));
    const offline = completionsAt(text, off, analyzeVmDocuments(text), {});
    assert.ok(offline?.kind === 'value');
    assert.deepEqual(offline.items, []);
    assert.match(offline.note ?? '', /no cluster connected/);
  });

  test('the IP value offered is the lens\'s next free IP (it skips IPs pinned elsewhere in the file)', () => {
    const text = VM.replace('ip_address: 10.16.0.50', 'ip_address: ').replace('logical_switch: vpc1-subnet', 'logical_switch: ovn-default');
    const ctx = { cluster: clusterFacts() };
    const a = analyzeVmDocuments(text, ctx);
    const c = completionsAt(text, at(text, 'ip_address: '), a, ctx);
    assert.ok(c?.kind === 'value');
    const lens = a.lenses.find((l) => l.kind === 'pin-ip')!;
    assert.deepEqual(c.items.map((i) => i.value), [lens.args[0].suggestedIp]);
    assert.match(c.items[0].detail, /next free IP in ovn-default/);
  });

  test('hovers: annotation keys, the subnet a logical_switch names, a key on the wrong metadata', () => {
    const ctx = { cluster: clusterFacts() };
    const vms = analyzeVmDocuments(VM, ctx).vms;
    const key = hoverAt(at(VM, '        ovn.kubernetes.io/ip_'), vms, ctx);
    assert.match(key!.markdown, /Static IP/);
    assert.equal(VM.slice(key!.range.start, key!.range.end), 'ovn.kubernetes.io/ip_address');
    const subnet = hoverAt(at(VM, 'logical_switch: vpc1'), vms, ctx);
    assert.match(subnet!.markdown, /Subnet \*\*vpc1-subnet\*\*[\s\S]*CIDR: 192\.168\.10\.0\/24[\s\S]*VPC: vpc1/);
    assert.match(hoverAt(at(VM, 'logical_switch: vpc1'), vms, {})!.markdown, /No cluster connected/);
    const wrong = VM.replace('    note: top', '    ovn.kubernetes.io/ip_address: 10.16.0.9');
    const w = hoverAt(at(wrong, '    ovn.kube'), analyzeVmDocuments(wrong).vms, {});
    assert.match(w!.markdown, /belongs on spec\.template\.metadata\.annotations/);
    assert.equal(hoverAt(at(VM, '  runStrat'), vms, ctx), undefined);
  });
});

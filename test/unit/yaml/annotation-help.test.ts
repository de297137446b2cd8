import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeVmDocuments } from '../../../src/yaml/vm-analysis';
import { annotationHover, annotationKeyCompletions, annotationValueCompletions } from '../../../src/yaml/annotation-help';
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

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkIpInSubnet, formatIp, nextFreeIp, parseCidr, parseCidrList, parseIp, parseIpRange, parseIpRanges } from '../../../src/yaml/ip-range';

const ip = (s: string) => parseIp(s)!;

test('IPv4 parsing rejects what Go\'s net.ParseIP rejects', () => {
  assert.equal(formatIp(ip('10.16.0.15')), '10.16.0.15');
  for (const bad of ['10.16.0', '10.16.0.256', '10.16.0.300', '010.16.0.1', '10.16.0.1 ', 'a.b.c.d', '', '10..0.1']) {
    assert.equal(parseIp(bad.trimEnd() === bad ? bad : bad + 'x'), undefined, bad);
  }
});

test('IPv6 parsing and RFC 5952 formatting', () => {
  assert.equal(formatIp(ip('fd00:10:16:0:0:0:0:51')), 'fd00:10:16::51');
  assert.equal(formatIp(ip('::1')), '::1');
  assert.equal(formatIp(ip('::')), '::');
  assert.equal(formatIp(ip('2001:db8:0:0:1:0:0:1')), '2001:db8::1:0:0:1');
  assert.equal(formatIp(ip('::ffff:10.0.0.1')), '::ffff:a00:1');
  for (const bad of ['1::2::3', '12345::', 'fd00:g::1', '1:2:3:4:5:6:7:8:9', ':::']) assert.equal(parseIp(bad), undefined, bad);
});

test('CIDRs: host bits are cleared, prefixes are bounded, dual-stack lists parse', () => {
  const c = parseCidr('10.16.3.7/16')!;
  assert.equal(formatIp({ family: 4, value: c.network }), '10.16.0.0');
  assert.equal(parseCidr('10.16.0.0/33'), undefined);
  assert.equal(parseCidr('10.16.0.0'), undefined);
  assert.equal(parseCidrList('10.16.0.0/16,fd00:10:16::/64')?.length, 2);
  assert.equal(parseCidrList('10.16.0.0/16,nope'), undefined);
});

test('excludeIps: single IPs and first..last ranges, bad entries reported', () => {
  const r = parseIpRange('10.16.0.1..10.16.0.10')!;
  assert.equal(r.last - r.first, 9n);
  assert.equal(parseIpRange('10.16.0.10..10.16.0.1'), undefined, 'reversed range');
  assert.equal(parseIpRange('10.16.0.1..fd00::1'), undefined, 'mixed families');
  const { ranges, bad } = parseIpRanges(['10.16.0.1', '10.16.0.5..10.16.0.9,oops']);
  assert.equal(ranges.length, 2);
  assert.deepEqual(bad, ['oops']);
});

test('checkIpInSubnet names the first problem', () => {
  const cidrs = parseCidrList('10.16.0.0/16')!;
  const gw = [ip('10.16.0.1')];
  const ex = parseIpRanges(['10.16.0.1..10.16.0.10']).ranges;
  assert.deepEqual(checkIpInSubnet(ip('10.17.0.1'), cidrs, gw, ex), { code: 'outside-cidr', cidr: '10.16.0.0/16' });
  assert.deepEqual(checkIpInSubnet(ip('10.16.0.0'), cidrs, gw, ex), { code: 'network-address' });
  assert.deepEqual(checkIpInSubnet(ip('10.16.255.255'), cidrs, gw, ex), { code: 'broadcast-address' });
  assert.deepEqual(checkIpInSubnet(ip('10.16.0.1'), cidrs, gw, ex), { code: 'gateway', gateway: '10.16.0.1' });
  assert.deepEqual(checkIpInSubnet(ip('10.16.0.4'), cidrs, gw, ex), { code: 'excluded', range: '10.16.0.1..10.16.0.10' });
  assert.equal(checkIpInSubnet(ip('10.16.0.11'), cidrs, gw, ex), undefined);
  assert.deepEqual(checkIpInSubnet(ip('fd00::1'), cidrs, gw, ex), { code: 'outside-cidr', cidr: '10.16.0.0/16' });
});

test('nextFreeIp skips gateway, ranges (in one step each) and used addresses, and says when the subnet is full', () => {
  const cidr = parseCidr('10.16.0.0/16')!;
  const exclude = parseIpRanges(['10.16.0.1..10.16.0.10', '10.16.0.12']).ranges;
  const used = [ip('10.16.0.11'), ip('10.16.0.13')];
  assert.equal(formatIp(nextFreeIp({ cidr, gateway: ip('10.16.0.1'), exclude, used })!), '10.16.0.14');
  // a huge excluded range costs one step, not 65k
  const big = parseIpRanges(['10.16.0.1..10.16.255.200']).ranges;
  assert.equal(formatIp(nextFreeIp({ cidr, exclude: big, used: [], maxSteps: 5 })!), '10.16.255.201');
  const tiny = parseCidr('192.168.1.0/30')!;
  assert.equal(formatIp(nextFreeIp({ cidr: tiny, gateway: ip('192.168.1.1'), exclude: [], used: [] })!), '192.168.1.2');
  assert.equal(nextFreeIp({ cidr: tiny, gateway: ip('192.168.1.1'), exclude: [], used: [ip('192.168.1.2')] }), undefined);
  const v6 = parseCidr('fd00:10:16::/64')!;
  assert.equal(formatIp(nextFreeIp({ cidr: v6, gateway: ip('fd00:10:16::1'), exclude: [], used: [] })!), 'fd00:10:16::2');
});

// The one cookie → row lookup detrace (ctl-json snapshots) and sb-reader (the OVSDB cache) share:
// ovn-detrace's rule, the cookie's digits padded to 8 as a uuid prefix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CookieIndex, cookieHex, cookiePrefix } from '../../src/ovn/cookie-index';

const rows = [
  { _uuid: '5b2f0a1c-1111-4222-8333-444455556666', n: 1 },
  { _uuid: '5b2f0a1c-aaaa-4bbb-8ccc-ddddeeeeffff', n: 2 },
  { _uuid: '00c0ffee-1111-4222-8333-444455556666', n: 3 },
];

test('cookieHex and cookiePrefix: any spelling of a cookie gives the same digits; 0 owns no row', () => {
  for (const c of ['0x5b2f0a1c', '0X5B2F0A1C', '5b2f0a1c', 0x5b2f0a1c, 0x5b2f0a1cn]) assert.equal(cookiePrefix(c), '5b2f0a1c', String(c));
  assert.equal(cookieHex('0x00c0ffee'), 'c0ffee');
  assert.equal(cookiePrefix('0xc0ffee'), '00c0ffee');
  for (const c of ['0x0', '0', 0, 0n]) {
    assert.equal(cookieHex(c), '0');
    assert.equal(cookiePrefix(c), '');
  }
  assert.equal(cookiePrefix('0x15b2f0a1c'), '15b2f0a1c');
});

test('CookieIndex.find: every row of the prefix, leading zeros restored; nothing for 0 or a cookie wider than 32 bits', () => {
  const idx = new CookieIndex(rows);
  assert.deepEqual(idx.find('0x5b2f0a1c').map((r) => r.n), [1, 2]);
  assert.deepEqual(idx.find('0xc0ffee').map((r) => r.n), [3]);
  assert.deepEqual(idx.find(0xc0ffeen).map((r) => r.n), [3]);
  assert.deepEqual(idx.find('0x0'), []);
  assert.deepEqual(idx.find('0x15b2f0a1c'), []);
  assert.deepEqual(idx.find('0x5b2f0a1d'), []);
  // a Map's values() (the OVSDB cache) indexes the same as an array (a ctl-json snapshot)
  assert.deepEqual(new CookieIndex(new Map(rows.map((r) => [r._uuid, r])).values()).find('5b2f0a1c').length, 2);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRemote, openTransport } from '../../../src/ovn/ovsdb/transport';
import { OvsdbConnectionError } from '../../../src/ovn/ovsdb/errors';

test('remotes: unix, tcp, ssl and [IPv6] forms parse; anything else says which forms exist', () => {
  assert.deepEqual(parseRemote('unix:/run/ovn/ovnnb_db.sock'), { kind: 'unix', path: '/run/ovn/ovnnb_db.sock', text: 'unix:/run/ovn/ovnnb_db.sock' });
  assert.deepEqual(parseRemote('tcp:127.0.0.1:6641'), { kind: 'tcp', host: '127.0.0.1', port: 6641, text: 'tcp:127.0.0.1:6641' });
  assert.deepEqual(parseRemote('ssl:[::1]:6642'), { kind: 'ssl', host: '::1', port: 6642, text: 'ssl:[::1]:6642' });
  assert.throws(() => parseRemote('/run/ovn/ovnnb_db.sock'), (e: Error) => e instanceof OvsdbConnectionError && /use unix:\/path\/to\/db\.sock, tcp:HOST:PORT or ssl:HOST:PORT/.test(e.message));
  assert.throws(() => parseRemote('tcp:localhost'), /needs HOST:PORT/);
  assert.throws(() => parseRemote('tcp:localhost:99999'), /needs HOST:PORT/);
});

test('TLS hook: an ssl: remote without key/cert/CA fails clearly instead of falling back to plaintext', async () => {
  await assert.rejects(openTransport(parseRemote('ssl:127.0.0.1:6641')), (e: Error) => e instanceof OvsdbConnectionError && /ssl: remote needs TLS key, certificate and CA/.test(e.message));
});

test('a custom connect replaces the socket (the hook a TLS or proxy transport plugs into)', async () => {
  const { PassThrough } = await import('node:stream');
  const stream = new PassThrough();
  const got = await openTransport(parseRemote('ssl:example.invalid:6641'), { connect: async (r) => (assert.equal(r.kind, 'ssl'), stream) });
  assert.equal(got, stream);
});

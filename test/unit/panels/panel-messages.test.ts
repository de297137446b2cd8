import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlowsRequest, parseFlowsState, parseLink, parseTraceRequest, parseTraceState } from '../../../src/views/panel-messages';

describe('panel messages: Flows requests', () => {
  test('accepts every well-formed request', () => {
    const good = [
      { type: 'ready' }, { type: 'mark' }, { type: 'window', start: 99_000, count: 160 }, { type: 'filter', text: 'n_packets>0 && table=12' },
      { type: 'group', by: 'stage' }, { type: 'toggleGroup', key: '012/lr_in_dnat' }, { type: 'pause', paused: true }, { type: 'interval', ms: 1000 },
      { type: 'deltaMode', mode: 'mark' }, { type: 'select', id: 42 },
      { type: 'open', link: { kind: 'k8s', kinds: ['VirtualMachine'], name: 'testvm', namespace: 'default' } },
      { type: 'open', link: { kind: 'nb', table: 'NAT', uuid: '6b825821-1111-2222-3333-444455556666' } },
    ];
    for (const m of good) {
      const r = parseFlowsRequest(m);
      assert.ok(r.ok, `${JSON.stringify(m)}: ${r.ok ? '' : r.error}`);
      assert.deepEqual(r.value, m);
    }
  });

  test('refuses malformed requests with a reason', () => {
    const bad: [unknown, RegExp][] = [
      [null, /without a type/], ['ready', /without a type/], [{ type: 'nope' }, /unknown message type nope/],
      [{ type: 'window', start: -1, count: 10 }, /window/], [{ type: 'window', start: 0, count: 1e6 }, /window/],
      [{ type: 'window', start: 1.5, count: 10 }, /window/], [{ type: 'filter', text: 3 }, /filter/],
      [{ type: 'filter', text: 'x'.repeat(2001) }, /2000/], [{ type: 'group', by: 'color' }, /group/],
      [{ type: 'pause', paused: 'yes' }, /boolean/], [{ type: 'interval', ms: 10 }, /250/], [{ type: 'select', id: '3' }, /select/],
      [{ type: 'open', link: { kind: 'k8s', kinds: ['VirtualMachine'], name: 'a; rm -rf /' } }, /bad name/],
      [{ type: 'open', link: { kind: 'nb', table: 'NAT', uuid: 'not-a-uuid' } }, /uuid/],
      [{ type: 'open', link: { kind: 'file', path: '/etc/passwd' } }, /unknown kind/],
    ];
    for (const [m, why] of bad) {
      const r = parseFlowsRequest(m);
      assert.equal(r.ok, false, JSON.stringify(m));
      if (!r.ok) assert.match(r.error, why);
    }
  });

  test('link kinds must be words', () => {
    assert.equal(parseLink({ kind: 'k8s', kinds: ['<script>'], name: 'x' }).ok, false);
    assert.equal(parseLink({ kind: 'k8s', kinds: [], name: 'x' }).ok, false);
  });
});

describe('panel messages: Trace requests', () => {
  test('a run needs a port name, an IPv4 and a port for tcp/udp', () => {
    const ok = parseTraceRequest({ type: 'run', slot: 'b', query: { from: 'testvm.default', dst: '192.168.100.101', protocol: 'tcp', port: 80 } });
    assert.ok(ok.ok);
    assert.deepEqual(ok.value, { type: 'run', slot: 'b', query: { from: 'testvm.default', dst: '192.168.100.101', protocol: 'tcp', port: 80 } });
    const icmp = parseTraceRequest({ type: 'run', slot: 'a', query: { from: 'testvm.default', dst: '10.16.0.16', protocol: 'icmp', port: 5 } });
    assert.ok(icmp.ok);
    assert.equal((icmp.value as { query: { port?: number } }).query.port, undefined, 'icmp drops the port');
    const cases: [unknown, RegExp][] = [
      [{ from: 'testvm', dst: '1.2.3.4', protocol: 'icmp' }, /from/],
      [{ from: 'testvm.default', dst: '1.2.3.256', protocol: 'icmp' }, /destination/],
      [{ from: 'testvm.default', dst: '1.2.3.4 ; ls', protocol: 'icmp' }, /destination/],
      [{ from: 'testvm.default', dst: '1.2.3.4', protocol: 'sctp' }, /protocol/],
      [{ from: 'testvm.default', dst: '1.2.3.4', protocol: 'udp' }, /port/],
      [{ from: '-x.default', dst: '1.2.3.4', protocol: 'icmp' }, /from/],
    ];
    for (const [query, why] of cases) {
      const r = parseTraceRequest({ type: 'run', slot: 'a', query });
      assert.equal(r.ok, false, JSON.stringify(query));
      if (!r.ok) assert.match(r.error, why);
    }
    assert.equal(parseTraceRequest({ type: 'run', slot: 'c', query: { from: 'a.b', dst: '1.2.3.4', protocol: 'icmp' } }).ok, false);
  });
});

describe('panel state after a reload', () => {
  test('flows state: defaults for missing or bad fields, undefined without a node', () => {
    assert.equal(parseFlowsState({}), undefined);
    assert.deepEqual(parseFlowsState({ node: 'ovnlab-control-plane', group: 'x', intervalMs: 5, paused: true, filter: 'table=12' }), {
      node: 'ovnlab-control-plane', bridge: 'br-int', filter: 'table=12', group: 'none', intervalMs: 1000, paused: true, deltaMode: 'refresh',
    });
    assert.equal(parseFlowsState({ node: 'bad node' }), undefined);
  });
  test('trace state keeps only valid queries', () => {
    assert.deepEqual(parseTraceState({ a: { from: 'vm2.default', dst: '10.16.0.2', protocol: 'icmp' }, b: { from: 'x' } }), {
      a: { from: 'vm2.default', dst: '10.16.0.2', protocol: 'icmp' },
    });
  });
});

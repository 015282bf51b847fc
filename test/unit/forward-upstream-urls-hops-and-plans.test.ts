// The pure parts of forwarding: where a forwarder or edge connects, what stream name it
// publishes (hop count included), the retry backoff, and which forwarders a publish gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  forwardedStreamName, hopsOf, MAX_FORWARD_HOPS, parseHostPort, upstreamTcUrl,
} from '../../src/actors/relay/rtmp-upstream.ts';
import { Backoff } from '../../src/actors/relay/upstream-link.ts';
import { planForwards } from '../../src/actors/relay/forwarder-plan.ts';
import { parseTcUrl, resolveStream } from '../../src/net/rtmp/stream-url.ts';

test('host[:port] strings: the port defaults to 1935, IPv6 keeps its brackets', () => {
  const table: [string, { host: string; port: number }][] = [
    ['127.0.0.1:19350', { host: '127.0.0.1', port: 19350 }],
    ['origin.example.com', { host: 'origin.example.com', port: 1935 }],
    ['[::1]:1936', { host: '[::1]', port: 1936 }],
    ['[::1]', { host: '[::1]', port: 1935 }],
    [' edge:1 ', { host: 'edge', port: 1 }],
  ];
  for (const [s, want] of table) assert.deepEqual(parseHostPort(s), want, s);
});

test('the tcUrl passes the vhost as SRS does, and none for the default vhost', () => {
  const hp = { host: '10.0.0.2', port: 1935 };
  assert.equal(upstreamTcUrl(hp, '__defaultVhost__', 'live'), 'rtmp://10.0.0.2:1935/live');
  assert.equal(upstreamTcUrl(hp, 'cdn.example.com', 'live'), 'rtmp://10.0.0.2:1935/live?vhost=cdn.example.com');
  // The destination resolves the same vhost, app and stream.
  const tc = parseTcUrl(upstreamTcUrl(hp, 'cdn.example.com', 'live'))!;
  const loc = resolveStream(tc, forwardedStreamName('s1', '?token=abc', 1));
  assert.deepEqual({ vhost: loc.vhost, app: loc.app, stream: loc.stream }, { vhost: 'cdn.example.com', app: 'live', stream: 's1' });
  assert.equal(hopsOf(loc.param), 1);
});

test('the forwarded name keeps the publisher parameters, drops routing ones, and sets the hops', () => {
  const table: [string, string, number, string][] = [
    ['s', '', 1, 's?sluice_hops=1'],
    ['s', '?token=abc', 1, 's?token=abc&sluice_hops=1'],
    ['s', '?vhost=v&token=abc&sluice_hops=2', 3, 's?token=abc&sluice_hops=3'],
    ['s', '?domain=d&flag', 2, 's?flag&sluice_hops=2'],
  ];
  for (const [stream, param, hops, want] of table) assert.equal(forwardedStreamName(stream, param, hops), want);
});

test('hop counts: absent is 0, garbage counts as the limit (never forwarded)', () => {
  const table: [string, number][] = [
    ['', 0], ['?a=1', 0], ['?sluice_hops=0', 0], ['?sluice_hops=3', 3], ['?a=1&sluice_hops=4', 4],
    ['?sluice_hops=-1', MAX_FORWARD_HOPS], ['?sluice_hops=x', MAX_FORWARD_HOPS], ['?sluice_hops=1.5', MAX_FORWARD_HOPS],
  ];
  for (const [param, want] of table) assert.equal(hopsOf(param), want, param);
  fc.assert(fc.property(fc.string(), (s) => {
    const n = hopsOf(s);
    return Number.isInteger(n) && n >= 0;
  }));
  fc.assert(fc.property(fc.nat(1000), (n) => hopsOf(forwardedStreamName('x', '', n).slice(1)) === n));
});

test('backoff: 1, 2, 4, 8, 10, 10 s, and from 1 s again after a success', () => {
  const b = new Backoff();
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [1000, 2000, 4000, 8000, 10000, 10000]);
  b.reset();
  assert.equal(b.next(), 1000);
  for (let i = 0; i < 100; i++) assert.ok(b.next() <= 10000);
});

test('plans: one forwarder per destination, one for an edge publish over the origin list, none past the hop limit', () => {
  const off = { forward: { enabled: false, destination: ['a:1'] }, cluster: { mode: 'local' as const, origin: [] } };
  assert.deepEqual(planForwards(off, ''), { kind: 'none' });
  const fwd = { forward: { enabled: true, destination: ['a:1', 'b:2'] }, cluster: { mode: 'local' as const, origin: ['o'] } };
  assert.deepEqual(planForwards(fwd, '?sluice_hops=2'), {
    kind: 'forward',
    plan: { hops: 2, targets: [{ hosts: ['a:1'], role: 'forward' }, { hosts: ['b:2'], role: 'forward' }] },
  });
  const edge = { forward: { enabled: false, destination: [] }, cluster: { mode: 'remote' as const, origin: ['o1', 'o2:1936'] } };
  assert.deepEqual(planForwards(edge, ''), { kind: 'forward', plan: { hops: 0, targets: [{ hosts: ['o1', 'o2:1936'], role: 'edge' }] } });
  assert.deepEqual(planForwards(edge, `?sluice_hops=${MAX_FORWARD_HOPS}`), { kind: 'hop-limit', hops: MAX_FORWARD_HOPS });
  assert.deepEqual(planForwards(edge, `?sluice_hops=${MAX_FORWARD_HOPS - 1}`).kind, 'forward');
});

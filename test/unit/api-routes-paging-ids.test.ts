// The API's pure parts: which route a request names, paging, 30 s rates, and the
// server id that survives restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchRoute } from '../../src/api/router.ts';
import { paging } from '../../src/api/api-server.ts';
import { RateTracker } from '../../src/api/rates.ts';
import { loadServerId, serverIdPath, vhostId, newServiceId } from '../../src/api/identity.ts';

const routes: [string, string, unknown][] = [
  ['GET', '/api/v1/versions', { kind: 'route', name: 'versions', id: '' }],
  ['GET', '/api/v1/versions/', { kind: 'route', name: 'versions', id: '' }],
  ['GET', '/api/v1/streams', { kind: 'route', name: 'streams', id: '' }],
  ['GET', '/api/v1/streams/', { kind: 'route', name: 'streams', id: '' }],
  ['GET', '/api/v1/streams/vid-abc1234', { kind: 'route', name: 'stream', id: 'vid-abc1234' }],
  ['HEAD', '/api/v1/clients/', { kind: 'route', name: 'clients', id: '' }],
  ['GET', '/api/v1/clients/ab12cd34/', { kind: 'route', name: 'client', id: 'ab12cd34' }],
  ['DELETE', '/api/v1/clients/ab12cd34', { kind: 'route', name: 'kick', id: 'ab12cd34' }],
  ['GET', '/api/v1/vhosts/vid-x', { kind: 'route', name: 'vhost', id: 'vid-x' }],
  ['GET', '/api/v1/summaries', { kind: 'route', name: 'summaries', id: '' }],
  ['GET', '/api/v1/cluster', { kind: 'route', name: 'cluster', id: '' }],
  ['GET', '/api/v1/cluster/x', { kind: 'not-found' }],
  ['POST', '/api/v1/cluster', { kind: 'bad-method', allowed: ['GET', 'HEAD'] }],
  ['GET', '/metrics', { kind: 'route', name: 'metrics', id: '' }],
  ['GET', '/api/v1/', { kind: 'route', name: 'index', id: '' }],
  ['OPTIONS', '/anything', { kind: 'options' }],
  ['GET', '/api/v1/nothing', { kind: 'not-found' }],
  ['GET', '/api/v1/streams/a/b', { kind: 'not-found' }],
  ['GET', '/api/v1/versions/x', { kind: 'not-found' }],
  ['GET', '/api/v2/versions', { kind: 'not-found' }],
  ['POST', '/api/v1/streams/', { kind: 'bad-method', allowed: ['GET', 'HEAD'] }],
  ['DELETE', '/api/v1/clients/', { kind: 'bad-method', allowed: ['GET', 'HEAD'] }],
  ['PUT', '/api/v1/clients/ab12cd34', { kind: 'bad-method', allowed: ['GET', 'HEAD', 'DELETE'] }],
];

for (const [method, path, want] of routes) {
  test(`${method} ${path} routes to ${JSON.stringify(want)}`, () => {
    assert.deepEqual(matchRoute(method, path), want);
  });
}

test('paging reads start and count, count at least 10 as SRS, malformed is null', () => {
  const p = (q: string) => paging(new URL(`http://x/api/v1/streams/${q}`));
  assert.deepEqual(p(''), { start: 0, count: 10 });
  assert.deepEqual(p('?start=5&count=100'), { start: 5, count: 100 });
  assert.deepEqual(p('?count=2'), { start: 0, count: 10 });
  assert.equal(p('?start=-1'), null);
  assert.equal(p('?count=abc'), null);
  assert.equal(p('?start=1.5'), null);
});

test('a rate is 0 with one sample, then bytes over the span, over at most ~30 s', () => {
  const r = new RateTracker();
  assert.equal(r.kbps('a', 0, 0), 0);
  assert.equal(r.kbps('a', 125_000, 1000), 1000); // 1 Mbit in 1 s
  for (let t = 2000; t <= 60_000; t += 1000) r.kbps('a', 125 * t, t); // 1000 kbit/s all along
  assert.equal(r.kbps('a', 125 * 61_000, 61_000), 1000);
  assert.equal(r.kbps('a', 125 * 61_000, 91_500), 0); // nothing new for over 30 s
  r.retain(new Set());
  assert.equal(r.kbps('a', 5, 100_000), 0);
});

test('the server id is saved next to the pid file and reused; service ids differ', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-id-'));
  try {
    const pid = join(dir, 'objs', 'sluice.pid');
    assert.equal(serverIdPath(pid), join(dir, 'objs', 'sluice.id'));
    const a = loadServerId(pid);
    assert.match(a, /^vid-[0-9a-z]{7}$/);
    assert.equal(readFileSync(serverIdPath(pid), 'utf8').trim(), a);
    assert.equal(loadServerId(pid), a);
    writeFileSync(serverIdPath(pid), 'garbage');
    assert.notEqual(loadServerId(pid), 'garbage');
    assert.match(newServiceId(), /^[0-9a-z]{8}$/);
    assert.notEqual(newServiceId(), newServiceId());
    assert.equal(vhostId(a, '__defaultVhost__'), vhostId(a, '__defaultVhost__'));
    assert.notEqual(vhostId(a, '__defaultVhost__'), vhostId(a, 'other'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

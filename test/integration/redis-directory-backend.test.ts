// The Redis store of the shared directory against a real redis-server: claims are set only
// if absent and expire, only the holder refreshes or releases, a refresh sets a name again
// after Redis restarted empty, list and members read back what is there, and while Redis
// is down calls fail at once (never queued) and availability is told both ways.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RedisDirectoryBackend } from '../../src/runtime/directory-redis.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';
import { until, sleep } from '../helpers/clients.ts';

let redis: TestRedis;
let store: RedisDirectoryBackend;
const seen: boolean[] = [];

before(async () => {
  redis = await startRedis();
  store = new RedisDirectoryBackend({ url: redis.url, keyPrefix: 't*[x]:', namesInfix: 'stream:', membersInfix: 'origin:' });
  store.onAvailability((up) => seen.push(up));
  await until(() => store.available, 5000, 'connected');
});

after(async () => {
  await store?.close();
  await redis?.dispose();
});

test('claim if absent, with expiry; only the holder refreshes and releases', async () => {
  assert.deepEqual(await store.claim('v/live/a', 'A:1935', 400), { ok: true });
  assert.deepEqual(await store.claim('v/live/a', 'B:1935', 400), { ok: false, holder: 'A:1935' });
  assert.deepEqual(await store.claim('v/live/a', 'A:1935', 400), { ok: true }, 'our own earlier claim is taken back');
  assert.equal(await store.refresh('v/live/a', 'B:1935', 400), false);
  assert.equal(await store.refresh('v/live/a', 'A:1935', 400), true);
  await store.release('v/live/a', 'B:1935');
  assert.equal(await store.lookup('v/live/a'), 'A:1935', 'a non-holder cannot release');
  await sleep(500);
  assert.equal(await store.lookup('v/live/a'), null, 'expired');
  assert.deepEqual(await store.claim('v/live/a', 'B:1935', 5000), { ok: true });
  await store.release('v/live/a', 'B:1935');
  assert.equal(await store.lookup('v/live/a'), null);
});

test('list and members read keys under the prefix (glob characters in it are literal)', async () => {
  await store.claim('v/live/x', 'A:1935', 5000);
  await store.claim('v/live/y', 'B:1935', 5000);
  await store.announce('A:1935', '{"load":1}', 5000);
  assert.deepEqual(await store.list(), [{ key: 'v/live/x', value: 'A:1935' }, { key: 'v/live/y', value: 'B:1935' }]);
  assert.deepEqual(await store.members(), [{ key: 'A:1935', value: '{"load":1}' }]);
  await store.withdraw('A:1935');
  assert.deepEqual(await store.members(), []);
});

test('Redis down: calls fail at once; back up empty: a refresh sets the name again', async () => {
  await store.claim('v/live/r', 'A:1935', 5000);
  await redis.stop();
  await until(() => !store.available, 5000, 'unavailable');
  const t0 = Date.now();
  await assert.rejects(store.lookup('v/live/r'));
  assert.ok(Date.now() - t0 < 500, 'no waiting for a reconnect');
  await redis.start();
  await until(() => store.available, 10000, 'available again');
  assert.equal(await store.lookup('v/live/r'), null, 'a restarted Redis has forgotten');
  assert.equal(await store.refresh('v/live/r', 'A:1935', 5000), true);
  assert.equal(await store.lookup('v/live/r'), 'A:1935');
  assert.deepEqual(seen, [true, false, true]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandcheckKeyMatches } from '../../src/actors/rtmp/bandcheck.ts';
import { BandcheckClock, createBandcheckClock } from '../../src/actors/rtmp/bandcheck-clock.ts';

test('the key is found in every form SRS accepts, and only as a whole value', () => {
  const KEY = '35c9b402c12a7246868752e2878f7e0e';
  const table: [string, boolean][] = [
    [`rtmp://127.0.0.1/app?key=${KEY}`, true],
    [`rtmp://127.0.0.1/app?key=${KEY}&vhost=bandcheck.srs.com`, true],
    [`rtmp://127.0.0.1/app?key=${KEY},vhost=bandcheck.srs.com`, true],
    [`rtmp://127.0.0.1/app?vhost=bandcheck.srs.com,key=${KEY}`, true],
    [`rtmp://127.0.0.1/app?vhost=v&key=${KEY}`, true],
    [`rtmp://127.0.0.1/app?key=${KEY}x`, false],
    [`rtmp://127.0.0.1/app?xkey=${KEY}`, false],
    [`rtmp://127.0.0.1/app/key=${KEY}`, false],
    ['rtmp://127.0.0.1/app?key=', false],
  ];
  for (const [url, want] of table) assert.equal(bandcheckKeyMatches(url, KEY), want, url);
});

test('one interval for the server: a claim inside it is refused with the time since the last test', () => {
  const clock = new BandcheckClock(createBandcheckClock());
  assert.equal(clock.claim(1_000_000, 30_000), null);
  assert.equal(clock.claim(1_010_000, 30_000), 10_000);
  assert.equal(clock.claim(1_029_999, 30_000), 29_999);
  assert.equal(clock.claim(1_030_000, 30_000), null);
  // the refused claims did not move the interval
  assert.equal(clock.claim(1_040_000, 30_000), 10_000);
});

test('the clock is shared: a claim through one view is seen through another (as by another worker)', () => {
  const shared = createBandcheckClock();
  const clock = new BandcheckClock(shared);
  assert.equal(clock.claim(5_000_000, 30_000), null);
  const otherWorker = new BigInt64Array(shared);
  assert.equal(Number(Atomics.load(otherWorker, 0)), 5_000_000);
});

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { RtmpClient } from '../../src/io/rtmp-client.ts';
import { bandwidthTest, REPORT_FIELDS } from '../helpers/bandwidth-client.ts';

const KEY = '35c9b402c12a7246868752e2878f7e0e';
const LIMIT_KBPS = 2000;
let server: TestServer;

before(async () => {
  server = await startServer({ vhost: { bandcheck: { enabled: true, key: KEY, interval: 30, limit_kbps: LIMIT_KBPS } } });
});

after(async () => {
  await server.stop();
});

test('a client with the key gets play and publish measurements and the final report', async () => {
  const t0 = Date.now();
  const run = bandwidthTest(server.rtmpUrl(`app?key=${KEY}&vhost=__defaultVhost__`));
  const client = await run.connected;
  const report = await run.report;
  for (const k of REPORT_FIELDS) {
    assert.equal(typeof report[k], 'number', k);
  }
  assert.ok(report.start_time >= t0 - 1000 && report.end_time >= report.start_time);
  assert.ok(report.play_time >= 2900 && report.play_time < 4000, `play_time ${report.play_time}`);
  assert.ok(report.publish_time >= 2000 && report.publish_time < 4000, `publish_time ${report.publish_time}`);
  assert.ok(report.play_bytes > 100_000, `play_bytes ${report.play_bytes}`);
  assert.ok(report.publish_bytes > 50_000, `publish_bytes ${report.publish_bytes}`);
  // held to limit_kbps (a pump period of credit and AMF framing aside)
  assert.ok(report.play_kbps <= LIMIT_KBPS * 1.15, `play_kbps ${report.play_kbps}`);
  assert.ok(report.play_kbps >= LIMIT_KBPS * 0.5, `play_kbps ${report.play_kbps}`);
  assert.ok(report.publish_kbps <= LIMIT_KBPS * 1.3, `publish_kbps ${report.publish_kbps}`);
  // the server ends the connection after the final packet
  await new Promise<void>((resolve) => (client.closedReason !== null ? resolve() : client.once('closed', () => resolve())));
});

test('a second test within the interval is refused; so is a wrong key', async () => {
  await assert.rejects(RtmpClient.connect(server.rtmpUrl(`app?key=${KEY}`), { timeoutMs: 5000 }));
  await assert.rejects(RtmpClient.connect(server.rtmpUrl('app?key=wrong'), { timeoutMs: 5000 }));
  await server.waitForLog(/bandcheck refused: the last test began/, 5000);
  await server.waitForLog(/bandcheck refused: the key does not match/, 5000);
});

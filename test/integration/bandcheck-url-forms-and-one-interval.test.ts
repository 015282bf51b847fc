// The bandwidth test as SRS's own client (srs_bandwidth_check) drives it: every URL form
// SRS accepts for the key and vhost, the report's eight fields, the srs_* server info in
// the connect reply, and one `interval` for the whole server across worker threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { RtmpClient } from '../../src/io/rtmp-client.ts';
import { bandwidthTest, REPORT_FIELDS } from '../helpers/bandwidth-client.ts';

const KEY = '35c9b402c12a7246868752e2878f7e0e';
const VHOST_KEY = 'b8f3e1c0d2a94f6e8d7c6b5a4f3e2d1c';
const LIMIT_KBPS = 4000;

function vhost(bandcheck: Record<string, unknown>): Record<string, unknown> {
  return { hls: { enabled: false }, bandcheck: { enabled: true, limit_kbps: LIMIT_KBPS, ...bandcheck } };
}

function logLines(server: TestServer): Record<string, unknown>[] {
  return server.logs().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function completes(server: TestServer, path: string): Promise<void> {
  const run = bandwidthTest(server.rtmpUrl(path));
  const client = await run.connected;
  const [info, report] = await Promise.all([run.serverInfo, run.report]);
  for (const k of REPORT_FIELDS) assert.equal(typeof report[k], 'number', `${path}: ${k}`);
  assert.ok(report.play_kbps >= LIMIT_KBPS * 0.5 && report.play_kbps <= LIMIT_KBPS * 1.15, `${path}: play_kbps ${report.play_kbps}`);
  assert.ok(report.publish_kbps > 0 && report.publish_kbps <= LIMIT_KBPS * 1.3, `${path}: publish_kbps ${report.publish_kbps}`);
  // What SRS tools print from connect's `_result`: server, version, pid and id, plus ours.
  assert.match(String(info.srs_server), /^Sluice\/\d+\.\d+\.\d+/);
  assert.match(String(info.srs_version), /^\d+\.\d+\.\d+/);
  assert.equal(info.srs_pid, server.proc.pid);
  assert.match(String(info.srs_id), /^[0-9a-z]{8}$/);
  assert.equal(info.srs_sig, 'Sluice');
  assert.equal(typeof info.srs_authors, 'string');
  assert.equal(info.srs_server_ip, '127.0.0.1');
  assert.equal(info.sluice_pid, server.proc.pid);
  await new Promise<void>((resolve) => (client.closedReason !== null ? resolve() : client.once('closed', () => resolve())));
  // The measured rates of each test are logged at info.
  await server.waitForLog(new RegExp(`"play_kbps":${report.play_kbps},[^\\n]*"msg":"bandcheck done: play ${report.play_kbps} kbps, publish ${report.publish_kbps} kbps"`), 5000);
}

test('every URL form SRS accepts reaches the right vhost; a wrong key is refused and logged at warn', async () => {
  const server = await startServer({
    workers: 2,
    config: {
      vhosts: {
        __defaultVhost__: vhost({ key: KEY, interval: 0.5 }),
        'bw.test': vhost({ key: VHOST_KEY, interval: 0.5 }),
      },
    },
  });
  try {
    await completes(server, `app?key=${KEY}`);
    await completes(server, `app?key=${VHOST_KEY}&vhost=bw.test`);
    // The form of srs_bandwidth_check's usage text and SRS's docs: a comma between parameters.
    await completes(server, `app?key=${VHOST_KEY},vhost=bw.test`);
    await completes(server, `app?key=${KEY},vhost=__defaultVhost__`);
    const warnsBefore = logLines(server).filter((l) => l.level === 40 && String(l.reason).includes('the key does not match')).length;
    // The vhost is honoured: the default vhost's key is wrong on bw.test, and the other way round.
    await assert.rejects(RtmpClient.connect(server.rtmpUrl(`app?key=${KEY},vhost=bw.test`), { timeoutMs: 5000 }));
    await assert.rejects(RtmpClient.connect(server.rtmpUrl(`app?key=${VHOST_KEY}`), { timeoutMs: 5000 }));
    await assert.rejects(RtmpClient.connect(server.rtmpUrl(`app?key=${KEY}x`), { timeoutMs: 5000 }));
    const deadline = Date.now() + 5000;
    let warns = 0;
    while (Date.now() < deadline) {
      warns = logLines(server).filter((l) => l.level === 40 && String(l.reason).includes('the key does not match')).length - warnsBefore;
      if (warns >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(warns, 3, 'each refused key is one warn line');
    assert.equal(logLines(server).filter((l) => String(l.msg).startsWith('bandcheck done')).length, 4);
  } finally {
    await server.stop();
  }
});

test('one interval for the whole server: while a test runs, no other starts on any worker', async () => {
  const INTERVAL_S = 10;
  const server = await startServer({ workers: 2, vhost: { bandcheck: { enabled: true, key: KEY, interval: INTERVAL_S, limit_kbps: LIMIT_KBPS } } });
  try {
    const first = bandwidthTest(server.rtmpUrl(`app?key=${KEY}`));
    const firstClient = await first.connected;
    const startedAt = Date.now();
    // Second tests a moment later, until some have landed on each worker (the kernel
    // spreads connections at random): every one is refused.
    const refusedOn = (): number[] =>
      logLines(server).filter((l) => String(l.reason).startsWith('bandcheck refused: the last test began')).map((l) => Number(l.worker));
    let attempts = 0;
    while (new Set(refusedOn()).size < 2 && attempts < 40) {
      attempts++;
      await assert.rejects(RtmpClient.connect(server.rtmpUrl(`app?key=${KEY}`), { timeoutMs: 5000 }), `attempt ${attempts} was accepted`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(Date.now() - startedAt < 6000, 'the second tests ran while the first one did');
    assert.deepEqual([...new Set(refusedOn())].sort(), [1, 2], `refusals seen on workers ${refusedOn().join(',')} after ${attempts} attempts`);
    const report = await first.report;
    for (const k of REPORT_FIELDS) assert.equal(typeof report[k], 'number', k);
    await new Promise<void>((resolve) => (firstClient.closedReason !== null ? resolve() : firstClient.once('closed', () => resolve())));
    // Once the interval has passed, the next test is accepted, whichever worker takes it.
    const wait = report.start_time + INTERVAL_S * 1000 + 300 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const next = bandwidthTest(server.rtmpUrl(`app?key=${KEY}`));
    const nextClient = await next.connected;
    nextClient.destroy();
  } finally {
    await server.stop();
  }
});

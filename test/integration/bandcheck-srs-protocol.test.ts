import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { RtmpClient } from '../../src/net/rtmp/rtmp-client.ts';
import type { ClientEvent } from '../../src/net/rtmp/client-events.ts';
import { BW, type BandcheckReport } from '../../src/actors/bandcheck.ts';

const KEY = '35c9b402c12a7246868752e2878f7e0e';
const LIMIT_KBPS = 2000;
let server: TestServer;

before(async () => {
  server = await startServer({ vhost: { bandcheck: { enabled: true, key: KEY, interval: 30, limit_kbps: LIMIT_KBPS } } });
});

after(async () => {
  await server.stop();
});

/** SRS's bandwidth test client (srs_lib_bandwidth.cpp), step by step; resolves with the report. */
function bandwidthTest(url: string): { connected: Promise<RtmpClient>; report: Promise<BandcheckReport> } {
  let client: RtmpClient | null = null;
  const pending: ClientEvent[] = [];
  let resolveReport!: (r: BandcheckReport) => void;
  let rejectReport!: (e: Error) => void;
  const report = new Promise<BandcheckReport>((res, rej) => {
    resolveReport = res;
    rejectReport = rej;
  });
  const send = (name: string, data: Record<string, unknown> = {}): boolean => {
    const { bytes } = client!.session.call(name, false, data);
    return client!.socket.write(bytes);
  };
  let publishing = false;
  const publish = async (durationMs: number, kbps: number): Promise<void> => {
    publishing = true;
    const started = Date.now();
    const sentAtStart = client!.socket.bytesWritten;
    let items = 1;
    while (publishing && Date.now() - started < durationMs) {
      const data: Record<string, unknown> = {};
      for (let i = 0; i < items; i++) data[String(i)] = "SRS band check data from server's publishing......";
      items = Math.min(items + 2, 501);
      send(BW.Publishing, data);
      // hold to the server's limit, as the SRS client does
      while (((client!.socket.bytesWritten - sentAtStart) * 8) / Math.max(1, Date.now() - started) > kbps) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    if (publishing) send(BW.StopPublish);
  };
  const onEvent = (e: ClientEvent): void => {
    if (!client) {
      pending.push(e);
      return;
    }
    if (e.type !== 'command') return;
    const data = (e.args[0] ?? {}) as Record<string, number>;
    switch (e.name) {
      case BW.StartPlay:
        send(BW.StartingPlay);
        return;
      case BW.StopPlay:
        send(BW.StoppedPlay);
        return;
      case BW.StartPublish:
        send(BW.StartingPublish);
        void publish(Number(data.duration_ms), Number(data.limit_kbps));
        return;
      case BW.StopPublish:
        publishing = false;
        send(BW.StoppedPublish);
        return;
      case BW.Finished:
        send(BW.Final);
        resolveReport(data as unknown as BandcheckReport);
        return;
      default:
    }
  };
  const connected = RtmpClient.connect(url, { onEvent, timeoutMs: 5000 }).then((c) => {
    client = c;
    c.on('closed', (reason: string) => rejectReport(new Error(`closed before the report: ${reason}`)));
    for (const e of pending.splice(0)) onEvent(e);
    return c;
  });
  connected.catch((err: Error) => rejectReport(err));
  return { connected, report };
}

test('a client with the key gets play and publish measurements and the final report', async () => {
  const t0 = Date.now();
  const run = bandwidthTest(server.rtmpUrl(`app?key=${KEY}&vhost=__defaultVhost__`));
  const client = await run.connected;
  const report = await run.report;
  for (const k of ['start_time', 'end_time', 'play_kbps', 'publish_kbps', 'play_bytes', 'publish_bytes', 'play_time', 'publish_time'] as const) {
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

test('a second test from the same IP within the interval is refused; so is a wrong key', async () => {
  await assert.rejects(RtmpClient.connect(server.rtmpUrl(`app?key=${KEY}`), { timeoutMs: 5000 }));
  await assert.rejects(RtmpClient.connect(server.rtmpUrl('app?key=wrong'), { timeoutMs: 5000 }));
  await server.waitForLog(/bandcheck refused: 127\.0\.0\.1 tested/, 5000);
  await server.waitForLog(/bandcheck refused: the key does not match/, 5000);
});

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, freePort, waitForPort, type TestServer } from '../helpers/server.ts';
import { publish, ffprobeStreams } from '../helpers/clients.ts';

let server: TestServer;
let rtmpsPort: number;
let certDir: string;

before(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'sluice-cert-'));
  const key = join(certDir, 'key.pem');
  const cert = join(certDir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  rtmpsPort = await freePort();
  server = await startServer({ config: { rtmps: { enabled: true, listen: `127.0.0.1:${rtmpsPort}`, cert, key } } });
  await waitForPort(rtmpsPort);
});
after(async () => {
  await server.stop();
  rmSync(certDir, { recursive: true, force: true });
});

test('ffmpeg publishes and ffprobe plays over rtmps:// with a self-signed certificate', async () => {
  const url = `rtmps://127.0.0.1:${rtmpsPort}/live/secure`;
  const pub = publish(url, 'av-1mbps.flv', { loop: true });
  try {
    await server.waitForLog(/publish started/, 15000);
    const streams = await ffprobeStreams(url);
    assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
    // The same stream is also there over plain RTMP: one server, two transports.
    const plain = await ffprobeStreams(server.rtmpUrl('live/secure'));
    assert.equal(plain.find((s) => s.codec_type === 'video')?.width, 1280);
  } finally {
    await pub.stop();
  }
});

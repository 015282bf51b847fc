// Tokens over RTMPS: the same check as plain RTMP, behind TLS. ffmpeg
// publishes with a token and ffprobe plays with one; a publish without one is refused.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, freePort, waitForPort, type TestServer } from '../helpers/server.ts';
import { publish, ffprobeStreams } from '../helpers/clients.ts';
import { SECRET, token } from '../helpers/tokens.ts';

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
  server = await startServer({
    config: { rtmps: { enabled: true, listen: `127.0.0.1:${rtmpsPort}`, cert, key } },
    vhost: { auth: { enabled: true, secret: SECRET, publish: true, play: true } },
  });
  await waitForPort(rtmpsPort);
});
after(async () => {
  await server?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

test('over rtmps://, a publish and a play with tokens work and a publish without one is refused', async () => {
  const base = `rtmps://127.0.0.1:${rtmpsPort}/live`;
  const refused = await publish(`${base}/secure`, 'av-200kbps.flv', { timeoutMs: 20000 }).done;
  assert.notEqual(refused.code, 0);
  await server.waitForLog(/publish of live\/secure refused: token no token/, 5000);
  const pub = publish(`${base}/secure?token=${await token({ act: 'publish', stream: 'live/secure' })}`, 'av-1mbps.flv', { loop: true });
  try {
    await server.waitForLog(/live\/secure".*publish started/, 15000);
    const streams = await ffprobeStreams(`${base}/secure?token=${await token({ act: 'play', stream: 'live/secure' })}`);
    assert.deepEqual(streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  } finally {
    await pub.stop();
  }
});

// Issue 17: a second server on ports another process holds, or with a pid file another
// server holds, refuses to start (exit 1, one clear line) instead of sharing the ports
// through SO_REUSEPORT; any listener that cannot be opened stops the start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startServer, freePort, type TestServer } from '../helpers/server.ts';
import { runSluice } from '../helpers/sluice-run.ts';
import { publish, until, ffprobeStreams } from '../helpers/clients.ts';
import { RtmpClient } from '../../src/io/rtmp-client.ts';

/** The config a started test server runs with, without its pid file. */
function configOf(server: TestServer): Record<string, unknown> {
  const { pid: _pid, ...rest } = parse(readFileSync(join(server.dir, 'sluice.yaml'), 'utf8')) as Record<string, unknown>;
  return rest;
}

/** A listener of the test itself; `reusePort` as another Sluice, SRS or nginx `reuseport` would open it. */
async function holdPort(port: number, reusePort: boolean): Promise<net.Server> {
  const s = net.createServer((c) => c.destroy());
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port, reusePort }, () => resolve());
  });
  return s;
}

function closeServer(s: net.Server): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}

/** A new RTMP player: resolves once it has received media. */
async function playerGetsMedia(url: string, stream: string): Promise<void> {
  const player = await RtmpClient.connect(url, { timeoutMs: 5000 });
  try {
    const media = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no media for a player of ${stream}`)), 10000);
      player.once('media', () => {
        clearTimeout(t);
        resolve();
      });
    });
    await player.play(stream);
    await media;
  } finally {
    player.destroy();
  }
}

function httpFlvStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.once('data', () => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
    });
    req.setTimeout(10000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function refusesConnection(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

test('a second server on the same ports exits 1 within seconds; the first keeps serving every new player', async () => {
  const first = await startServer({ workers: 2 });
  const pub = publish(first.rtmpUrl('live/one'), 'av-1mbps.flv', { loop: true });
  try {
    await first.waitForLog(/publish started/, 15000);
    const second = await runSluice({ ...configOf(first), workers: 2 });
    assert.equal(second.code, 1, second.output);
    assert.ok(second.ms < 5000, `exited after ${second.ms} ms`);
    assert.match(second.output, new RegExp(`sluice: cannot start: listen 127\\.0\\.0\\.1:${first.rtmpPort}: already in use by another server`));
    assert.doesNotMatch(second.output, /sluice started/);
    // The first server's pid file is its own still.
    assert.equal(readFileSync(join(first.dir, 'sluice.pid'), 'utf8').trim(), String(first.proc.pid));
    // Every new player lands on the first server and gets the stream (with two servers in
    // one SO_REUSEPORT group, about half would get "stream not found").
    for (let i = 0; i < 12; i++) await playerGetsMedia(first.rtmpUrl('live'), 'one');
    for (let i = 0; i < 6; i++) assert.equal(await httpFlvStatus(first.httpUrl('live/one.flv')), 200);
    for (let i = 0; i < 3; i++) {
      const streams = await ffprobeStreams(first.rtmpUrl('live/one'));
      assert.deepEqual(streams.map((st) => st.codec_name).sort(), ['aac', 'h264']);
    }
  } finally {
    await pub.stop();
    await first.stop();
  }
});

test('a process that joins a running server\'s port with SO_REUSEPORT later is named in an error line', async () => {
  const server = await startServer({ workers: 1 });
  let intruder: net.Server | null = null;
  try {
    intruder = await holdPort(server.rtmpPort, true);
    const line = await server.waitForLog(/another process listens on this port too/, 15000);
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.equal(entry.level, 50);
    assert.equal(entry.listen, `127.0.0.1:${server.rtmpPort}`);
    assert.equal(entry.holder_pid, process.pid);
  } finally {
    if (intruder) await closeServer(intruder);
    await server.stop();
  }
});

test('a second server with the same pid file refuses: already running (pid N)', async () => {
  const first = await startServer();
  try {
    const pid = join(first.dir, 'sluice.pid');
    await until(() => existsSync(pid), 5000, 'the pid file');
    const [rtmp, httpPort, api] = [await freePort(), await freePort(), await freePort()];
    const second = await runSluice({
      ...configOf(first),
      pid,
      listen: `127.0.0.1:${rtmp}`,
      http_server: { enabled: true, listen: `127.0.0.1:${httpPort}` },
      http_api: { enabled: true, listen: `127.0.0.1:${api}` },
    });
    assert.equal(second.code, 1, second.output);
    assert.match(second.output, new RegExp(`sluice: cannot start: already running \\(pid ${first.proc.pid}\\)`));
    assert.equal(readFileSync(pid, 'utf8').trim(), String(first.proc.pid));
    // It let go of everything: none of its ports stayed open.
    for (const port of [rtmp, httpPort, api]) assert.ok(await refusesConnection(port), `port ${port} still open`);
    // The first still serves.
    const client = await RtmpClient.connect(first.rtmpUrl('live'), { timeoutMs: 5000 });
    client.destroy();
  } finally {
    await first.stop();
  }
});

test('a port held by a plain TCP listener of the test, or by one with SO_REUSEPORT: exit 1 and one clear line', async () => {
  for (const [role, reusePort] of [['rtmp', false], ['http', true], ['api', false], ['api', true]] as const) {
    const [rtmp, httpPort, api] = [await freePort(), await freePort(), await freePort()];
    const held = { rtmp, http: httpPort, api }[role];
    const holder = await holdPort(held, reusePort);
    try {
      const run = await runSluice({
        listen: `127.0.0.1:${rtmp}`,
        workers: 2,
        http_server: { enabled: true, listen: `127.0.0.1:${httpPort}` },
        http_api: { enabled: true, listen: `127.0.0.1:${api}` },
      });
      assert.equal(run.code, 1, `${role}: ${run.output}`);
      assert.ok(run.ms < 5000, `${role}: exited after ${run.ms} ms`);
      const lines = run.output.split('\n').filter((l) => l.startsWith('sluice:'));
      assert.equal(lines.length, 1, `${role}: ${run.output}`);
      assert.match(lines[0]!, new RegExp(`^sluice: cannot start: listen 127\\.0\\.0\\.1:${held}: already in use by another server`));
      assert.doesNotMatch(run.output, /sluice started/);
      for (const port of [rtmp, httpPort, api].filter((p) => p !== held)) assert.ok(await refusesConnection(port), `${role}: port ${port} left open`);
    } finally {
      await closeServer(holder);
    }
  }
});

test('a listener that cannot be opened (RTMPS without its certificate, an address not on this machine) stops the start', async () => {
  const [rtmp, rtmps] = [await freePort(), await freePort()];
  const noCert = await runSluice({
    listen: `127.0.0.1:${rtmp}`,
    http_server: { enabled: false },
    http_api: { enabled: false },
    rtmps: { enabled: true, listen: `127.0.0.1:${rtmps}`, cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' },
  });
  assert.equal(noCert.code, 1, noCert.output);
  assert.match(noCert.output, new RegExp(`sluice: cannot start: listen 127\\.0\\.0\\.1:${rtmps}: cannot read the certificate or key`));
  assert.ok(await refusesConnection(rtmp), 'the RTMP port was left open');
  // 192.0.2.1 is TEST-NET-1: never an address of this machine.
  const api = await runSluice({ listen: `127.0.0.1:${rtmp}`, http_server: { enabled: false }, http_api: { enabled: true, listen: '192.0.2.1:1985' } });
  assert.equal(api.code, 1, api.output);
  assert.match(api.output, /sluice: cannot start: listen 192\.0\.2\.1:1985: EADDRNOTAVAIL/);
});

test('a stale pid file is taken over, whatever process its pid now names', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pid-'));
  const pidPath = join(dir, 'sluice.pid');
  try {
    // A dead server's pid: a process that has exited.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => gone.once('exit', r));
    for (const stalePid of [gone.pid!, process.pid]) {
      writeFileSync(pidPath, `${stalePid}\n`);
      const server = await startServer({ config: { pid: pidPath } });
      try {
        await until(() => readFileSync(pidPath, 'utf8').trim() === String(server.proc.pid), 5000, 'the pid file taken over');
      } finally {
        await server.stop();
      }
      assert.equal(existsSync(pidPath), false, 'the pid file goes at stop');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

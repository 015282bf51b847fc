import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, run, until } from '../helpers/clients.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { normalizeMetadata } from '../../src/net/rtmp/commands.ts';

const PUBLISHED_S = 20.067; // av-bframes.flv

let server: TestServer;
let hookServer: http.Server;
const dvrBodies: Record<string, unknown>[] = [];

before(async () => {
  hookServer = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const json = JSON.parse(body) as Record<string, unknown>;
      if (json.action === 'on_dvr') dvrBodies.push(json);
      res.end('0');
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hookServer.address() as { port: number }).port}/hooks`;
  const hooks = { enabled: true, on_dvr: [hookUrl] };
  server = await startServer({
    workers: 2,
    config: {
      vhosts: {
        __defaultVhost__: { hls: { enabled: false }, dvr: { enabled: true, plan: 'session', path: './dvr/session/[app]/[stream].[timestamp].flv' }, http_hooks: hooks },
        seg: { hls: { enabled: false }, dvr: { enabled: true, plan: 'segment', duration: 5, path: './dvr/segment/[app]/[stream].[timestamp].flv' }, http_hooks: hooks },
      },
    },
  });
});

after(async () => {
  await server.stop();
  await new Promise((r) => hookServer.close(r));
});

interface Probe {
  streams: { codec_type: string; codec_name: string }[];
  format: { duration: string };
}

async function probe(file: string): Promise<Probe> {
  const r = await run('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], 20000).done;
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Probe;
}

/** Duration from the last tag's timestamp, and the patched metadata numbers. */
function inspect(file: string): { lastTagS: number; metaDuration: unknown; metaSize: unknown; firstTs: number } {
  const tags = readFlvFile(new Uint8Array(readFileSync(file))).tags;
  const meta = normalizeMetadata(tags[0]!.data);
  const timed = tags.filter((t) => t.type !== 18);
  return { lastTagS: timed[timed.length - 1]!.timestamp / 1000, metaDuration: meta?.duration, metaSize: meta?.filesize, firstTs: timed[0]!.timestamp };
}

function flvFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.flv')).map((f) => join(dir, f)).sort();
}

test('DVR session and segment plans record the published stream, patch metadata, and call on_dvr', async () => {
  const sessionPub = publish(server.rtmpUrl('live/rec'), 'av-bframes.flv');
  const segmentPub = publish(server.rtmpUrl('live?vhost=seg/cut'), 'av-bframes.flv');
  const [a, b] = await Promise.all([sessionPub.done, segmentPub.done]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);

  // session: one file for the whole publish
  const sessionDir = join(server.dir, 'dvr/session/live');
  await until(() => dvrBodies.some((d) => d.stream === 'rec'), 15000, 'on_dvr for the session file');
  const sessionFiles = flvFiles(sessionDir);
  assert.equal(sessionFiles.length, 1, String(sessionFiles));
  const file = sessionFiles[0]!;
  const p = await probe(file);
  assert.deepEqual(p.streams.map((s) => s.codec_name).sort(), ['aac', 'h264']);
  const duration = Number(p.format.duration);
  assert.ok(Math.abs(duration - PUBLISHED_S) / PUBLISHED_S < 0.1, `session duration ${duration}`);
  const info = inspect(file);
  assert.equal(info.firstTs, 0, 'timestamps rebased to 0');
  assert.equal(info.metaSize, statSync(file).size, 'filesize patched in place');
  assert.ok(Math.abs(Number(info.metaDuration) - info.lastTagS) < 0.1, `duration patched: ${String(info.metaDuration)} vs ${info.lastTagS}`);
  const body = dvrBodies.find((d) => d.stream === 'rec')!;
  assert.equal(body.action, 'on_dvr');
  assert.equal(body.app, 'live');
  assert.equal(body.vhost, '__defaultVhost__');
  assert.equal(resolve(String(body.cwd), String(body.file)), resolve(file));

  // segment: files of about 5 s (cut on the 2 s keyframes), adding up to the publish
  const segDir = join(server.dir, 'dvr/segment/live');
  await until(() => {
    const n = dvrBodies.filter((d) => d.stream === 'cut').length;
    return n >= 3 && n === flvFiles(segDir).length;
  }, 15000, `on_dvr for every segment (${flvFiles(segDir).length} files)`);
  const segments = flvFiles(segDir);
  assert.ok(segments.length >= 3 && segments.length <= 5, `segments: ${segments.length}`);
  let total = 0;
  for (const [i, seg] of segments.entries()) {
    const sp = await probe(seg);
    assert.deepEqual(sp.streams.map((s) => s.codec_name).sort(), ['aac', 'h264'], seg);
    const d = Number(sp.format.duration);
    if (i < segments.length - 1) assert.ok(d >= 4.5 && d <= 7.5, `segment ${i} lasts ${d}`);
    assert.equal(inspect(seg).firstTs, 0);
    total += d;
  }
  assert.ok(Math.abs(total - PUBLISHED_S) / PUBLISHED_S < 0.1, `segments add up to ${total}`);
  assert.equal(dvrBodies.filter((d) => d.stream === 'cut').length, segments.length);
});

test('an unwritable DVR path stops the DVR only: the stream still plays', async () => {
  // A file where the DVR wants a folder: mkdir fails, as it would on a read-only disk.
  const blocker = join(server.dir, 'dvr/session/blocked');
  await run('sh', ['-c', `mkdir -p ${join(server.dir, 'dvr/session')} && : > ${blocker}`]).done;
  const pub = publish(server.rtmpUrl('blocked/s'), 'av-200kbps.flv', { loop: true });
  try {
    await server.waitForLog(/dvr stopped: cannot write the recording/, 15000);
    const r = await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', server.rtmpUrl('blocked/s')], 20000).done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Probe).streams.length, 2);
    const lines = server.logs().split('\n').filter((l) => /dvr stopped/.test(l));
    assert.equal(lines.length, 1, 'logged once');
  } finally {
    await pub.stop();
  }
});

// H.265 and Opus in HLS need fMP4. ffmpeg 5.1 cannot publish them over RTMP, so
// ffmpeg encodes a short fragmented MP4 (libx265 with B-frames, libopus), our reader takes it
// apart, and our RTMP client publishes it as enhanced RTMP (hvc1 / Opus FourCC tags) to a real
// server with hls.variant fmp4. The stream's init segment must carry hvc1 + Opus, and ffprobe,
// reading the server's playlist, must find every packet at the source's milliseconds.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecorded, sleep } from '../fixtures/rtmp/our-clients.ts';
import { until } from '../helpers/clients.ts';
import { readBoxes } from '../../src/net/mp4/box-reader.ts';
import type { Dops } from '../../src/net/mp4/dops.ts';
import { readFragments } from '../../src/net/mp4/read-fragment.ts';
import { readInitSegment } from '../../src/net/mp4/read-init.ts';
import { ticksToMs } from '../../src/net/mp4/timescale.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sluice-hevc-'));
let server: TestServer;

before(async () => {
  server = await startServer({ workers: 2, vhost: { hls: { enabled: true, fragment: 1, window: 60, variant: 'fmp4', cleanup: false } } });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const si24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const exVideo = (frameType: number, packetType: number, body: Buffer) => Buffer.concat([Buffer.from([0x80 | (frameType << 4) | packetType]), Buffer.from('hvc1'), body]);
const exAudio = (packetType: number, body: Buffer) => Buffer.concat([Buffer.from([(9 << 4) | packetType]), Buffer.from('Opus'), body]);

function opusHead(d: Dops): Buffer {
  const b = Buffer.alloc(19);
  b.write('OpusHead', 0, 'latin1');
  b.writeUInt8(1, 8);
  b.writeUInt8(d.outputChannelCount, 9);
  b.writeUInt16LE(d.preSkip, 10);
  b.writeUInt32LE(d.inputSampleRate, 12);
  b.writeInt16LE(d.outputGain, 16);
  b.writeUInt8(d.channelMappingFamily, 18);
  return b;
}

type Msg = { type: 8 | 9; dts: number; pts: number; payload: Buffer };

async function source(): Promise<Msg[]> {
  const input = join(dir, 'in.mp4');
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=4',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=4',
    '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'keyint=25:min-keyint=25:bframes=2:log-level=error', '-tag:v', 'hvc1',
    '-c:a', 'libopus', '-b:a', '64k', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', input,
  ], { timeout: 60_000 });
  const bytes = readFileSync(input);
  const moov = readBoxes(bytes).find((b) => b.type === 'moov')!;
  const init = readInitSegment(bytes.subarray(0, moov.start + moov.size));
  const video = init.tracks.find((t) => t.entry.format === 'hvc1')!;
  const audio = init.tracks.find((t) => t.entry.format === 'Opus')!;
  assert.ok(video.entry.format === 'hvc1' && audio.entry.format === 'Opus');
  const msgs: Msg[] = [
    { type: 9, dts: 0, pts: 0, payload: exVideo(1, 0, Buffer.from(video.entry.config)) },
    { type: 8, dts: 0, pts: 0, payload: exAudio(0, opusHead(audio.entry.dops)) },
  ];
  const media: Msg[] = [];
  for (const f of readFragments(bytes, init.tracks.flatMap((t) => (t.extends ? [t.extends] : [])))) {
    for (const traf of f.trafs) {
      const isVideo = traf.tfhd.trackId === video.header.trackId;
      const ts = (isVideo ? video : audio).media.timescale;
      for (const s of traf.samples) {
        const dts = ticksToMs(s.dts, ts);
        const pts = ticksToMs(s.pts, ts);
        const key = (s.flags & 0x0001_0000) === 0;
        media.push(isVideo
          ? { type: 9, dts, pts, payload: exVideo(key ? 1 : 2, 1, Buffer.concat([si24(pts - dts), Buffer.from(s.data)])) }
          : { type: 8, dts, pts, payload: exAudio(1, Buffer.from(s.data)) });
      }
    }
  }
  media.sort((a, b) => a.dts - b.dts);
  return msgs.concat(media);
}

test('an enhanced RTMP H.265 + Opus publish becomes fMP4 HLS with the source timestamps', { timeout: 120_000 }, async () => {
  const msgs = await source();
  const pub = await connectRecorded(server.rtmpUrl('live'));
  await pub.client.publish('hevc');
  const t0 = Date.now();
  for (const m of msgs) {
    const wait = m.dts - (Date.now() - t0);
    if (wait > 5) await sleep(wait);
    pub.client.sendMedia(m.type, m.dts, m.payload);
  }
  const text = await until(async () => {
    const r = await fetch(server.httpUrl('live/hevc.m3u8'));
    return r.status === 200 ? r.text() : null;
  }, 10_000, 'the playlist');
  const initUri = /#EXT-X-MAP:URI="([^"]+)"/.exec(text!)![1]!;
  const init = readInitSegment(new Uint8Array(await (await fetch(server.httpUrl(`live/${initUri}`))).arrayBuffer()));
  assert.deepEqual(init.tracks.map((t) => t.entry.format), ['hvc1', 'Opus']);
  await sleep(300);
  await pub.client.close();
  await until(async () => (await (await fetch(server.httpUrl('live/hevc.m3u8'))).text()).includes('#EXT-X-ENDLIST'), 10_000, 'the ended playlist');

  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'packet=codec_type,pts,dts,stream_index:stream=index,codec_name,time_base', '-of', 'json', server.httpUrl('live/hevc.m3u8')], { timeout: 60_000, maxBuffer: 16 << 20 });
  const p = JSON.parse(stdout) as { packets: { codec_type: string; pts: number; dts: number; stream_index: number }[]; streams: { index: number; codec_name: string; time_base: string }[] };
  assert.deepEqual(p.streams.map((s) => s.codec_name).sort(), ['hevc', 'opus']);
  const tb = new Map(p.streams.map((s) => [s.index, s.time_base.split('/').map(Number) as [number, number]]));
  const ms = (v: number, i: number) => Math.round((v * tb.get(i)![0] * 1000) / tb.get(i)![1]);
  for (const [kind, type] of [['video', 9], ['audio', 8]] as const) {
    const got = p.packets.filter((x) => x.codec_type === kind).map((x) => ({ dts: ms(x.dts, x.stream_index), pts: ms(x.pts, x.stream_index) }));
    const want = msgs.slice(2).filter((m) => m.type === type).map((m) => ({ dts: m.dts, pts: m.pts }));
    assert.deepEqual(got, want, kind);
  }
});

// Codecs ffmpeg 5.1 cannot publish, sent by our own client as hand-built tags: enhanced
// RTMP HEVC (hvc1) and AV1 (av01) video with Opus audio, legacy HEVC (codec id 12), and
// a codec nobody knows. Each reaches a player byte for byte, and a player that joins
// later starts with the sequence headers and the latest keyframe, as with H.264. The
// publisher sends 128-byte chunks, so frames arrive in pieces and are stored as they come.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectRecorded, sleep } from '../fixtures/rtmp/our-clients.ts';
import { until } from '../helpers/clients.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ workers: 2 });
});
after(async () => {
  await server.stop();
});

const fourCC = (s: string) => Buffer.from(s, 'latin1');
const si24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);

/** ExVideoTagHeader: IsExHeader, frame type (1 key, 2 inter), packet type, FourCC. */
function exVideo(frameType: number, packetType: number, cc: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x80 | (frameType << 4) | packetType]), fourCC(cc), body]);
}
/** ExAudioTagHeader: sound format 9, packet type, FourCC. */
function exAudio(packetType: number, cc: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(9 << 4) | packetType]), fourCC(cc), body]);
}
/** Legacy video tag: frame type, codec id, AVC-style packet type and composition time. */
function legacyVideo(frameType: number, codecId: number, packetType: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(frameType << 4) | codecId, packetType]), si24(40), body]);
}

interface Msg {
  type: number;
  ts: number;
  payload: Buffer;
}

/** Two GOPs of a stream whose video/audio tags `make` builds. */
function stream(make: { seqV: Buffer; seqA?: Buffer; key: (i: number) => Buffer; inter: (i: number) => Buffer; audio?: (i: number) => Buffer }): Msg[] {
  const out: Msg[] = [{ type: 9, ts: 0, payload: make.seqV }];
  if (make.seqA) out.push({ type: 8, ts: 0, payload: make.seqA });
  for (let i = 0; i < 40; i++) {
    const ts = i * 40;
    out.push({ type: 9, ts, payload: i % 20 === 0 ? make.key(i) : make.inter(i) });
    if (make.audio) out.push({ type: 8, ts: ts + 5, payload: make.audio(i) });
  }
  return out;
}

const noise = (i: number, n: number) => Buffer.alloc(n, (i * 37) & 0xff);

const CASES: Record<string, Msg[]> = {
  'enhanced HEVC (hvc1) + Opus': stream({
    seqV: exVideo(1, 0, 'hvc1', noise(1, 40)),
    seqA: exAudio(0, 'Opus', Buffer.from('OpusHead\x01\x02\x38\x01\x80\xbb\x00\x00\x00\x00\x00', 'latin1')),
    key: (i) => exVideo(1, 1, 'hvc1', Buffer.concat([si24(0), noise(i, 3000)])),
    inter: (i) => exVideo(2, 3, 'hvc1', noise(i, 800)),
    audio: (i) => exAudio(1, 'Opus', noise(i, 120)),
  }),
  'enhanced AV1 (av01)': stream({
    seqV: exVideo(1, 0, 'av01', Buffer.from([0x81, 0x08, 0x0c, 0x00, 0x0a, 0x0b, 0x00, 0x00, 0x00, 0x42])),
    key: (i) => exVideo(1, 3, 'av01', noise(i, 2500)),
    inter: (i) => exVideo(2, 3, 'av01', noise(i, 600)),
  }),
  'legacy HEVC, codec id 12': stream({
    seqV: legacyVideo(1, 12, 0, noise(2, 60)),
    key: (i) => legacyVideo(1, 12, 1, noise(i, 2000)),
    inter: (i) => legacyVideo(2, 12, 1, noise(i, 500)),
  }),
  'an unknown video codec (id 15) and audio format (15)': stream({
    seqV: Buffer.concat([Buffer.from([0x1f]), noise(3, 30)]),
    key: (i) => Buffer.concat([Buffer.from([0x1f]), noise(i, 1000)]),
    inter: (i) => Buffer.concat([Buffer.from([0x2f]), noise(i, 300)]),
    audio: (i) => Buffer.concat([Buffer.from([0xf0]), noise(i, 50)]),
  }),
};

for (const [name, msgs] of Object.entries(CASES)) {
  test(`${name}: relayed untouched, and a late player starts at the latest keyframe`, async () => {
    const key = `s${Object.keys(CASES).indexOf(name)}`;
    const early = await connectRecorded(server.rtmpUrl('live'));
    const pub = await connectRecorded(server.rtmpUrl('live'), { chunkSize: 128 });
    try {
      await early.client.play(key);
      await pub.client.publish(key);
      for (const [i, m] of msgs.entries()) {
        pub.client.sendMedia(m.type, m.ts, m.payload);
        if (i % 10 === 9) await sleep(5);
      }
      await until(() => early.media().length >= msgs.length, 10000, `${msgs.length} messages for the early player`);
      const got = early.media();
      for (const type of [8, 9]) {
        const g = got.filter((m) => m.messageType === type);
        const w = msgs.filter((m) => m.type === type);
        assert.equal(g.length, w.length, `type ${type}`);
        w.forEach((m, i) => {
          assert.equal(g[i]!.timestamp, m.ts, `type ${type} #${i} timestamp`);
          assert.ok(Buffer.from(g[i]!.payload).equals(m.payload), `type ${type} #${i} bytes`);
        });
      }

      const late = await connectRecorded(server.rtmpUrl('live'));
      try {
        await late.client.play(key);
        const firstVideo = () => late.media().filter((m) => m.messageType === 9);
        await until(() => firstVideo().length >= 2, 5000, 'the late player to get video');
        // An unknown codec has no sequence header to repeat: its first picture is all.
        const unknown = name.startsWith('an unknown');
        const [seq, first] = unknown ? [null, firstVideo()[0]] : firstVideo();
        if (seq) assert.ok(Buffer.from(seq.payload).equals(msgs[0]!.payload), 'the sequence header comes first');
        const lastKey = msgs.filter((m) => m.type === 9 && m.ts === 20 * 40)[0]!;
        assert.equal(first!.timestamp, lastKey.ts, 'then the latest keyframe');
        assert.ok(Buffer.from(first!.payload).equals(lastKey.payload));
      } finally {
        await late.client.close();
      }
    } finally {
      await pub.client.close();
      await early.client.close();
    }
  });
}

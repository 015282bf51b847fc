// StreamSource without sockets or a runtime: a recording context, WorkerServices over a
// small pool, media handed to ingest() as the publisher's session does, and the chain
// read back the way HLS, DVR and the fan-outs read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamSource, type SourceArgs, type SourceStartRes } from '../../src/actors/stream/stream-source.ts';
import { PayloadScratch } from '../../src/actors/stream/media-chain.ts';
import { FLAG_JOIN_ONLY, FLAG_KEYFRAME, FLAG_METADATA, FLAG_SEQUENCE_HEADER, FLAG_SYNC, MSG_AUDIO, MSG_DATA_AMF0, MSG_VIDEO } from '../../src/actors/stream/media-flags.ts';
import { encodeData, normalizeMetadata } from '../../src/net/rtmp/commands.ts';
import { ChainReader, DIRECTORY_REF, type ActorRef, type ChainStart } from '../../src/runtime/index.ts';
import type { WorkerServices } from '../../src/actors/worker/worker-services.ts';
import { fakeContext, includesRef, testServices, type FakeContext } from '../helpers/actor-doubles.ts';

const SELF: ActorRef = { worker: 1, id: 50 };
const VIDEO_HEADER = Uint8Array.of(0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1f);
const AUDIO_HEADER = Uint8Array.of(0xaf, 0x00, 0x12, 0x10);
const keyframe = (n: number) => Uint8Array.of(0x17, 0x01, 0, 0, 0, n, n, n);
const interFrame = (n: number) => Uint8Array.of(0x27, 0x01, 0, 0, 0, n);
const audioFrame = (n: number) => Uint8Array.of(0xaf, 0x01, n, n);
const METADATA = encodeData('@setDataFrame', 'onMetaData', { width: 640, height: 360, framerate: 25 });

interface Started {
  source: StreamSource;
  services: WorkerServices;
  fake: FakeContext;
  registered: any[];
}

async function startedSource(opts: { gopCache?: boolean } = {}): Promise<Started> {
  const services = testServices();
  const registered: any[] = [];
  const fake = fakeContext({
    self: SELF,
    ask: (to, msg) => {
      assert.deepEqual(to, DIRECTORY_REF);
      registered.push(msg);
      return { ok: true, subscribers: 0 };
    },
  });
  const args: SourceArgs = {
    key: '__defaultVhost__/live/s', vhost: '__defaultVhost__', app: 'live', stream: 's', param: '', tcUrl: 'rtmp://127.0.0.1/live',
    publisher: { clientId: 'c1', ip: '127.0.0.9', ref: { worker: 1, id: 49 } },
    gopCache: opts.gopCache ?? true, timeJitter: 'off', chunkSize: 60000, hls: services.config.vhosts.__defaultVhost__!.hls,
  };
  const source = new StreamSource(args, services);
  const res = (await source.receive({ type: 'source/start' }, fake.ctx)) as SourceStartRes;
  assert.ok(res.ok);
  return { source, services, fake, registered };
}

function ingest(source: StreamSource, type: number, ts: number, payload: Uint8Array): void {
  // The bytes are borrowed for the call only: the session's buffer is reused after it.
  const borrowed = new Uint8Array(payload.length + 6);
  borrowed.set(payload, 3);
  source.ingest(type, ts, borrowed, 3, 3 + payload.length);
  borrowed.fill(0xee);
}

interface Seen {
  type: number;
  flags: number;
  ts: number;
  bytes: Uint8Array;
}

function readAll(source: StreamSource, startAt: ChainStart, includeJoinOnly = true, reader = new ChainReader(source.streamEntry!.media.chain, { startAt, includeJoinOnly })): Seen[] {
  const handle = source.streamEntry!.media;
  const scratch = new PayloadScratch();
  const out: Seen[] = [];
  for (let rec = reader.next(); rec; rec = reader.next()) {
    out.push({ type: rec.type, flags: rec.flags, ts: rec.timestamp, bytes: scratch.read(reader, rec, handle.chunkSize)!.slice() });
  }
  reader.close();
  return out;
}

const shape = (seen: Seen[]) => seen.map((s) => [s.type, s.flags, s.ts]);

test('start registers the stream in the directory and on its thread', async () => {
  const { source, services, registered } = await startedSource();
  assert.equal(registered.length, 1);
  assert.equal(registered[0].type, 'dir/register');
  assert.equal(registered[0].name, '__defaultVhost__/live/s');
  assert.deepEqual(registered[0].owner, SELF);
  assert.equal(registered[0].entry.publisherId, 'c1');
  assert.equal(services.sources.objectOf(SELF), source);
  assert.deepEqual(services.sources.refs(), [SELF]);
});

test('metadata, sequence headers, audio and video are stored once each, in order, flagged for joining', async () => {
  const { source, services } = await startedSource();
  // A reader from the start: nothing is trimmed before it has read it.
  const reader = new ChainReader(source.streamEntry!.media.chain, { startAt: 'oldest', includeJoinOnly: true });
  ingest(source, MSG_DATA_AMF0, 0, METADATA);
  ingest(source, MSG_VIDEO, 0, VIDEO_HEADER);
  ingest(source, MSG_AUDIO, 0, AUDIO_HEADER);
  ingest(source, MSG_VIDEO, 0, keyframe(1));
  ingest(source, MSG_AUDIO, 20, audioFrame(1));
  ingest(source, MSG_VIDEO, 40, interFrame(2));
  const seen = readAll(source, 'oldest', true, reader);
  assert.deepEqual(shape(seen), [
    [MSG_DATA_AMF0, FLAG_METADATA, 0],
    [MSG_VIDEO, FLAG_SEQUENCE_HEADER, 0],
    [MSG_AUDIO, FLAG_SEQUENCE_HEADER, 0],
    // Before the keyframe: metadata and both headers again, for readers joining there.
    [MSG_DATA_AMF0, FLAG_JOIN_ONLY | FLAG_METADATA, 0],
    [MSG_AUDIO, FLAG_JOIN_ONLY | FLAG_SEQUENCE_HEADER, 0],
    [MSG_VIDEO, FLAG_JOIN_ONLY | FLAG_SEQUENCE_HEADER, 0],
    [MSG_VIDEO, FLAG_SYNC | FLAG_KEYFRAME, 0],
    [MSG_AUDIO, 0, 20],
    [MSG_VIDEO, 0, 40],
  ]);
  assert.deepEqual(seen[1]!.bytes, VIDEO_HEADER);
  assert.deepEqual(seen[2]!.bytes, AUDIO_HEADER);
  assert.deepEqual(seen[6]!.bytes, keyframe(1));
  assert.deepEqual(seen[7]!.bytes, audioFrame(1));
  assert.deepEqual(seen[8]!.bytes, interFrame(2));
  // Players get onMetaData with the publisher's values and the server's name added.
  const meta = normalizeMetadata(seen[0]!.bytes)!;
  assert.equal(meta.width, 640);
  assert.equal(meta.height, 360);
  assert.equal(typeof meta.server, 'string');
  assert.deepEqual(services.mediaCounters, {
    messages: 6,
    bytes: METADATA.length + VIDEO_HEADER.length + AUDIO_HEADER.length + keyframe(1).length + audioFrame(1).length + interFrame(2).length,
  });
  const stats = (await source.receive({ type: 'source/stats' }, fakeContext({ self: SELF }).ctx)) as { audioFrames: number };
  assert.equal(stats.audioFrames, 2);
});

test('a reader joining at the latest keyframe gets metadata and sequence headers first, then the GOP', async () => {
  const { source } = await startedSource();
  ingest(source, MSG_DATA_AMF0, 0, METADATA);
  ingest(source, MSG_VIDEO, 0, VIDEO_HEADER);
  ingest(source, MSG_AUDIO, 0, AUDIO_HEADER);
  ingest(source, MSG_VIDEO, 0, keyframe(1));
  ingest(source, MSG_VIDEO, 40, interFrame(2));
  ingest(source, MSG_VIDEO, 80, keyframe(3));
  ingest(source, MSG_VIDEO, 120, interFrame(4));
  const seen = readAll(source, 'latest-sync', false);
  assert.deepEqual(shape(seen), [
    [MSG_DATA_AMF0, FLAG_JOIN_ONLY | FLAG_METADATA, 0],
    [MSG_AUDIO, FLAG_JOIN_ONLY | FLAG_SEQUENCE_HEADER, 80],
    [MSG_VIDEO, FLAG_JOIN_ONLY | FLAG_SEQUENCE_HEADER, 80],
    [MSG_VIDEO, FLAG_SYNC | FLAG_KEYFRAME, 80],
    [MSG_VIDEO, 0, 120],
  ]);
  assert.deepEqual(seen[2]!.bytes, VIDEO_HEADER);
  assert.deepEqual(seen[3]!.bytes, keyframe(3));
});

/** Two GOPs of 20 frames each (enough records for retention to run within each). */
function twoGops(source: StreamSource): void {
  ingest(source, MSG_VIDEO, 0, VIDEO_HEADER);
  ingest(source, MSG_AUDIO, 0, AUDIO_HEADER);
  for (let gop = 0; gop < 2; gop++) {
    for (let i = 0; i < 20; i++) {
      const ts = gop * 800 + i * 40;
      ingest(source, MSG_VIDEO, ts, i === 0 ? keyframe(gop) : interFrame(i));
    }
  }
}

test('with gop_cache, the chain keeps the latest GOP (with its headers) and lets the older one go', async () => {
  const { source } = await startedSource({ gopCache: true });
  twoGops(source);
  ingest(source, MSG_VIDEO, 1600, keyframe(9)); // a third keyframe: the second GOP is now the one before
  const seen = readAll(source, 'oldest');
  assert.ok(seen.length > 0);
  const first = seen[0]!;
  // What remains starts at a join group: metadata or headers, then a keyframe at 1600.
  assert.ok(first.flags & FLAG_JOIN_ONLY, 'the oldest record is a join-only header');
  const sync = seen.filter((s) => s.flags & FLAG_SYNC);
  assert.deepEqual(sync.map((s) => s.ts), [1600], 'older GOPs are trimmed');
  assert.deepEqual(shape(seen), [
    [MSG_AUDIO, FLAG_JOIN_ONLY | FLAG_SEQUENCE_HEADER, 1600],
    [MSG_VIDEO, FLAG_JOIN_ONLY | FLAG_SEQUENCE_HEADER, 1600],
    [MSG_VIDEO, FLAG_SYNC | FLAG_KEYFRAME, 1600],
  ]);
});

test('a reader still behind keeps what it has not read; without gop_cache nothing is kept for newcomers', async () => {
  const kept = await startedSource({ gopCache: true });
  const slow = new ChainReader(kept.source.streamEntry!.media.chain, { startAt: 'oldest', autoRelease: true });
  twoGops(kept.source);
  ingest(kept.source, MSG_VIDEO, 1600, keyframe(9));
  // The slow reader has read nothing yet: the first GOP is still there for it.
  assert.deepEqual(readAll(kept.source, 'oldest').filter((s) => s.flags & FLAG_SYNC).map((s) => s.ts), [0, 800, 1600]);
  slow.close();

  const none = await startedSource({ gopCache: false });
  twoGops(none.source);
  ingest(none.source, MSG_VIDEO, 1600, keyframe(9));
  ingest(none.source, MSG_VIDEO, 1640, interFrame(1));
  for (let i = 0; i < 16; i++) ingest(none.source, MSG_VIDEO, 1680 + i * 40, interFrame(2));
  const left = readAll(none.source, 'oldest');
  assert.equal(left.filter((s) => s.flags & FLAG_SYNC).length, 0, 'no GOP kept without gop_cache');
});

test('a reader attached before the media receives every message byte for byte', async () => {
  const { source } = await startedSource();
  const reader = new ChainReader(source.streamEntry!.media.chain, { startAt: 'next', includeJoinOnly: false });
  const scratch = new PayloadScratch();
  const sent: [number, number, Uint8Array][] = [
    [MSG_VIDEO, 0, VIDEO_HEADER], [MSG_AUDIO, 0, AUDIO_HEADER], [MSG_VIDEO, 0, keyframe(1)],
    [MSG_AUDIO, 23, audioFrame(1)], [MSG_VIDEO, 40, interFrame(2)], [MSG_AUDIO, 46, audioFrame(2)],
  ];
  for (const [type, ts, bytes] of sent) ingest(source, type, ts, bytes);
  const got: [number, number, Uint8Array][] = [];
  for (let rec = reader.next(); rec; rec = reader.next()) {
    if (rec.flags & FLAG_JOIN_ONLY) continue;
    got.push([rec.type, rec.timestamp, scratch.read(reader, rec, 60000)!.slice()]);
  }
  reader.close();
  assert.deepEqual(got, sent);
});

test('unpublish: source/end stops the source; once stopped its readers see the end and the thread forgets it', async () => {
  const { source, services } = await startedSource();
  const reader = new ChainReader(source.streamEntry!.media.chain, { startAt: 'oldest' });
  ingest(source, MSG_VIDEO, 0, VIDEO_HEADER);
  ingest(source, MSG_VIDEO, 0, keyframe(1));
  const ending = fakeContext({ self: SELF });
  await source.receive({ type: 'source/end' }, ending.ctx);
  assert.ok(includesRef(ending.stopped, SELF), 'the source stops itself');
  assert.equal(reader.isClosed(), false);
  source.stopped(); // what the runtime calls once it has stopped
  while (reader.next()) {
    // drain what was published before the end
  }
  assert.equal(reader.isClosed(), true);
  assert.equal(services.sources.objectOf(SELF), null);
  assert.deepEqual(services.sources.refs(), []);
  reader.close();
});

const fourCC = (s: string) => Buffer.from(s, 'latin1');
const body = (n: number, len: number) => Buffer.alloc(len, n);
/** ExVideoTagHeader: IsExHeader, frame type (1 key, 2 inter), packet type, FourCC. */
const exVideo = (frameType: number, packetType: number, cc: string, rest: Uint8Array) => Buffer.concat([Uint8Array.of(0x80 | (frameType << 4) | packetType), fourCC(cc), rest]);
/** ExAudioTagHeader: sound format 9, packet type, FourCC. */
const exAudio = (packetType: number, cc: string, rest: Uint8Array) => Buffer.concat([Uint8Array.of((9 << 4) | packetType), fourCC(cc), rest]);

test('frames of every codec are stored as their pieces arrive, the same records as whole; sequence headers and cut tag headers wait to be whole', async () => {
  const frames: [string, number, number, Uint8Array, number][] = [
    // name, type, timestamp, payload, the first piece's length
    ['legacy AVC keyframe', MSG_VIDEO, 0, Buffer.concat([keyframe(1), body(1, 300)]), 2],
    ['AAC frame', MSG_AUDIO, 10, Buffer.concat([audioFrame(2), body(2, 90)]), 2],
    ['enhanced HEVC keyframe (CodedFrames)', MSG_VIDEO, 40, exVideo(1, 1, 'hvc1', Buffer.concat([Uint8Array.of(0, 0, 0x28), body(3, 500)])), 8],
    ['enhanced AV1 inter frame (CodedFramesX)', MSG_VIDEO, 80, exVideo(2, 3, 'av01', body(4, 400)), 5],
    ['enhanced Opus frame', MSG_AUDIO, 90, exAudio(1, 'Opus', body(5, 120)), 16],
    ['MP3 frame', MSG_AUDIO, 100, Buffer.concat([Uint8Array.of(0x2f), body(6, 200)]), 1],
    ['Sorenson H.263 keyframe (codec id 2)', MSG_VIDEO, 120, Buffer.concat([Uint8Array.of(0x12), body(7, 250)]), 1],
  ];
  const whole = await startedSource();
  const inPieces = await startedSource();
  const readers = [whole, inPieces].map((s) => new ChainReader(s.source.streamEntry!.media.chain, { startAt: 'oldest', includeJoinOnly: true }));
  for (const s of [whole, inPieces]) {
    ingest(s.source, MSG_VIDEO, 0, VIDEO_HEADER);
    ingest(s.source, MSG_AUDIO, 0, AUDIO_HEADER);
  }
  for (const [name, type, ts, payload, firstLength] of frames) {
    ingest(whole.source, type, ts, payload);
    assert.equal(inPieces.source.openIngest(type, ts, payload.length, payload, 0, firstLength), true, name);
    // As the chunk reader does: the first piece is offered, then put like every other.
    inPieces.source.putIngest(payload, 0, firstLength);
    for (let p = firstLength; p < payload.length; p += 7) inPieces.source.putIngest(payload, p, Math.min(p + 7, payload.length));
    inPieces.source.endIngest();
  }
  const expected = readAll(whole.source, 'oldest', true, readers[0]);
  assert.equal(expected.filter((r) => !(r.flags & FLAG_JOIN_ONLY)).length, 2 + frames.length);
  assert.deepEqual(readAll(inPieces.source, 'oldest', true, readers[1]), expected);

  const refused: [string, number, Uint8Array, number][] = [
    ['legacy AVC sequence header', MSG_VIDEO, VIDEO_HEADER, 2],
    ['AAC sequence header', MSG_AUDIO, AUDIO_HEADER, 2],
    ['enhanced HEVC sequence start', MSG_VIDEO, exVideo(1, 0, 'hvc1', body(8, 40)), 20],
    ['enhanced Opus sequence start', MSG_AUDIO, exAudio(0, 'Opus', body(9, 19)), 20],
    ['enhanced HEVC frame whose composition time is not in the first piece', MSG_VIDEO, exVideo(1, 1, 'hvc1', body(10, 100)), 6],
    ['enhanced AV1 frame whose FourCC is cut', MSG_VIDEO, exVideo(2, 3, 'av01', body(11, 100)), 3],
    ['a data message', MSG_DATA_AMF0, METADATA, 20],
  ];
  for (const [name, type, payload, firstLength] of refused) {
    assert.equal(inPieces.source.openIngest(type, 200, payload.length, payload, 0, firstLength), false, name);
  }
});

// Writes the seed corpora in corpus/<target>/ from our own encoders and the sample
// media: valid inputs give the fuzzer a start deep inside each format. Run again only
// when a format changes: `node test/fuzz/make-seeds.ts` (files are named by content).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { encodeChunked } from '../../src/net/rtmp/chunk-writer.ts';
import { encodeCommand, encodeData } from '../../src/net/rtmp/commands.ts';
import { encodeAmf0 } from '../../src/net/amf/amf0.ts';
import { encodeAmf3 } from '../../src/net/amf/amf3.ts';
import { ClientHandshake, ServerHandshake } from '../../src/net/rtmp/handshake.ts';
import { parseVideoTag } from '../../src/net/codec/video-tag.ts';
import { parseAudioTag } from '../../src/net/codec/audio-tag.ts';
import { parseAvcConfig } from '../../src/net/codec/avc.ts';
import { CORPUS_DIR, saveInput } from './engine/corpus-files.ts';
import { mintStreamToken } from '../../src/auth/mint-token.ts';
import { FUZZ_NOW_S, FUZZ_SECRET } from './targets/stream-token.ts';
import { flvToCmaf } from '../helpers/flv-to-cmaf.ts';
import { Mp4Fragmenter } from '../../src/net/mp4/fragmenter.ts';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const MEDIA = path.resolve(HERE, '..', '..', '..', 'shared', 'media');
const out = new Map<string, Uint8Array[]>();
const add = (target: string, ...inputs: Uint8Array[]): void => {
  out.set(target, [...(out.get(target) ?? []), ...inputs]);
};
const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const of = (...b: number[]): Uint8Array => Uint8Array.of(...b);
const rnd = (n: number): Uint8Array => new Uint8Array(n).map((_, i) => (i * 131 + 7) & 0xff);
/** The handshake target picks the side with bit 0 of the last byte. */
const side = (b: Uint8Array, client: boolean): Uint8Array => {
  const c = b.slice();
  c[c.length - 1] = (c[c.length - 1]! & ~3) | (client ? 1 : 0);
  return c;
};

// --- RTMP handshake: our client's C0C1 (+C2) to the server, our server's answer to the client.
for (const complex of [true, false]) {
  const client = new ClientHandshake({ complex, random: rnd, now: () => 1000 });
  const c0c1 = client.start();
  const server = new ServerHandshake({ random: rnd, now: () => 2000 });
  const s0s1s2 = server.push(c0c1).send!;
  const c2 = client.push(s0s1s2).send!;
  add('rtmp-handshake', side(cat(c0c1, c2), false), side(cat(c0c1, c2, of(0x02, 0, 0, 0)), false), side(s0s1s2, true));
}

// --- RTMP chunks: a publisher's opening messages, as our writer chunks them.
const msg = (csid: number, type: number, payload: Uint8Array, timestamp = 0, streamId = 0): Uint8Array =>
  encodeChunked({ csid, type, streamId, timestamp, payload }, 128);
const connect = encodeCommand('connect', 1, {
  app: 'live', type: 'nonprivate', flashVer: 'FMLE/3.0', tcUrl: 'rtmp://127.0.0.1/live', objectEncoding: 0,
});
const metadata = encodeData('@setDataFrame', 'onMetaData', { width: 640, height: 360, videocodecid: 7, audiocodecid: 10 });
const flv = readFlvFile(readFileSync(path.join(MEDIA, 'av-1mbps.flv')));
const firstVideo = flv.tags.find((t) => t.type === 9)!;
const firstAudio = flv.tags.find((t) => t.type === 8)!;
const frame = flv.tags.find((t) => t.type === 9 && !parseVideoTag(t.data).sequenceHeader)!;
const publishing = cat(
  msg(2, 1, of(0, 0, 0x10, 0)), // Set Chunk Size 4096
  msg(3, 20, connect),
  msg(3, 20, encodeCommand('createStream', 2, null)),
  msg(8, 20, encodeCommand('publish', 3, null, 'stream', 'live'), 0, 1),
  msg(4, 18, metadata, 0, 1),
);
add('chunk-reader',
  cat(of(0x80), msg(3, 20, connect)),
  cat(of(0x40), publishing),
  cat(of(0x20), msg(6, 9, firstVideo.data, 0, 1), msg(4, 8, firstAudio.data, 0x1000000, 1)),
  cat(of(0xc0), msg(3, 17, cat(of(0), encodeCommand('connect', 1, { app: 'live', objectEncoding: 3 }))), msg(70, 18, metadata, 5, 1)),
  cat(of(0x10), msg(2, 2, of(0, 0, 0, 6)), msg(2, 3, of(0, 0, 0x10, 0)), msg(2, 4, of(0, 3, 0, 0, 0, 1)), msg(2, 5, of(0, 0x26, 0x25, 0xa0))),
);

// --- AMF: the target's first byte picks the decoder (see targets/amf.ts for the order).
const amf3Body = encodeAmf3({ app: 'live', list: [1, 2.5, 'x', null, true], when: new Date(0), nested: { a: { b: [] } } });
add('amf',
  cat(of(0), connect),
  cat(of(0), encodeAmf0('s', 1.5, true, null, undefined, [1, 'a'], new Date(0), { a: { b: 'c' } })),
  cat(of(1), amf3Body),
  cat(of(2), connect),
  cat(of(3), of(0), encodeCommand('connect', 1, { app: 'live', objectEncoding: 3 }), of(0x11), amf3Body),
  cat(of(4), metadata),
  cat(of(5), of(0), metadata),
  cat(of(6), metadata),
  cat(of(6), encodeData('onMetaData', { duration: 10, width: 1280 })),
  cat(of(7), of(0), metadata),
);

// --- FLV: the first 4 KB of each sample file.
for (const f of ['av-1mbps.flv', 'av-bframes.flv']) add('flv-reader', readFileSync(path.join(MEDIA, f)).subarray(0, 4096));

// --- Codec parsers: the first byte picks the parser (see targets/codec.ts for the order).
const HVCC_854X480 = Buffer.from(
  '0101600000009000000000005af000fcfdf8f800000f03200001001840010c01ffff01600000030090000003000003005a959409' +
    '210001002b42010101600000030090000003000003005aa006c201e1cde595952930bc05a02000000300200000030321' +
    '22000100064401c073c189', 'hex');
for (const f of ['av-1mbps.flv', 'av-bframes.flv']) {
  const tags = readFlvFile(readFileSync(path.join(MEDIA, f))).tags;
  const vsh = tags.find((t) => t.type === 9 && parseVideoTag(t.data).sequenceHeader)!.data;
  const ash = tags.find((t) => t.type === 8 && parseAudioTag(t.data).sequenceHeader)!.data;
  const avcc = vsh.subarray(parseVideoTag(vsh).headerLength);
  const asc = ash.subarray(parseAudioTag(ash).headerLength);
  const cfg = parseAvcConfig(avcc);
  add('codec', cat(of(0), vsh), cat(of(1), ash), cat(of(2), vsh), cat(of(3), ash), cat(of(4), avcc), cat(of(6), cfg.sps[0]!),
    cat(of(8), asc), cat(of(11), vsh));
}
const coded = frame.data.subarray(parseVideoTag(frame.data).headerLength, parseVideoTag(frame.data).headerLength + 600);
add('codec', cat(of(12), coded), cat(of(13), coded), cat(of(14), of(0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x68, 0xce)),
  cat(of(5), HVCC_854X480), cat(of(7), HVCC_854X480.subarray(74, 117)), cat(of(10), text('OpusHead'), of(1, 2, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0)),
  cat(of(9), of(0x81, 0x08, 0x0c, 0x00, 0x0a, 0x0b, 0x00, 0x00, 0x00, 0x42, 0xab, 0xbf, 0xc3, 0x70, 0x0b, 0xe0)),
  cat(of(0), of(0x90), text('hvc1'), HVCC_854X480), cat(of(0), of(0x91), text('hvc1'), of(0, 0, 0), coded.subarray(0, 60)));

// --- fMP4: init segment, the first segment cut to 4 KB, and a whole LL part, from our muxer.
{
  const cmaf = flvToCmaf(readFileSync(path.join(MEDIA, 'av-bframes.flv')), { fragment: 2, partMs: 200 });
  // A whole two-track fragment small enough for maxLen: tiny samples, B-frame offsets.
  const small = new Mp4Fragmenter({ video: cmaf.tracks[0]!, audio: cmaf.tracks[1]! });
  for (let ms = 0; ms <= 200; ms += 20) {
    small.pushVideo({ dts: ms, cts: ms % 40 === 0 ? 40 : 0, keyframe: ms === 0, data: of(0, 0, 0, 1, 0x65) });
    small.pushAudio({ dts: ms + 3, cts: 0, keyframe: true, data: of(0x21, 0x10) });
  }
  const fragment = small.fragment(200, { styp: true })!.bytes;
  add('mp4-reader', cat(of(0), cmaf.init), cat(of(1), fragment), cat(of(1), cmaf.segments[0]!.bytes.subarray(0, 4000)));
}

// --- HTTP paths and ranges: the first byte picks function, root/size and string decoding.
for (const p of ['/live/stream.flv', '/live/../../etc/passwd', '/%2e%2e/x', '/a//b/./c?x=1#y', '/%252e%252e/', '/sub/'])
  add('http-paths', cat(of(0), text(p)));
for (const r of ['bytes=0-99', 'bytes=-5', 'bytes=5-', 'bytes=0-0,5-6', 'Bytes = 10 - 20'])
  add('http-paths', cat(of(0x82), text(r)));

// --- HTTP requests.
for (const r of [
  'GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n',
  'GET /a.flv HTTP/1.1\r\nHost: a\r\nRange: bytes=10-99\r\n\r\n',
  'HEAD /sub/ HTTP/1.0\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n',
  'POST /api HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello',
  'POST /api HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  'GET /%2e%2e/x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\nGET /sub/live.m3u8 HTTP/1.1\r\nHost: a\r\n\r\n',
]) add('http-server', text(r));

// --- Config: the sample configurations.
for (const f of ['sluice.yaml', 'full.yaml']) add('config', readFileSync(path.resolve(HERE, '..', '..', 'conf', f)));
add('config', text('listen: 1935\nvhosts:\n  live:\n'), text('{"workers": 2, "log": {"level": "debug"}}'));

// --- Stream tokens: the first byte picks token or query (bit 0), play or publish (bit 1),
// live/x or live/other (bit 2); tokens valid at the target's fixed clock, and broken ones.
const mint = (o: Partial<Parameters<typeof mintStreamToken>[0]>) =>
  mintStreamToken({ secret: FUZZ_SECRET, act: 'publish', ttl: 3600, now: FUZZ_NOW_S - 60, ...o });
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const tokens = [
  await mint({ stream: 'live/x' }),
  await mint({ act: ['publish', 'play'], stream: 'live/*' }),
  await mint({ ttl: 10 }), // expired at the target's clock
  await mint({ nbf: 600 }),
  await mint({ secret: 'another secret' }),
  `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ act: 'publish', exp: FUZZ_NOW_S + 600 })}.`,
  `${b64({ alg: 'HS256', crit: ['b64'], b64: false })}.${b64({ act: 'publish', exp: FUZZ_NOW_S + 600 })}.AAAA`,
];
for (const t of tokens) add('stream-token', cat(of(4), text(t)), cat(of(6), text(t)));
add('stream-token', cat(of(5), text(`?vhost=v&token=${tokens[0]}&a=1`)), cat(of(7), text(`token=${tokens[1]}?x=%41`)), cat(of(1), text('?tokenx=1&&token')));

for (const [target, inputs] of out) {
  for (const input of inputs) saveInput(path.join(CORPUS_DIR, target), input);
  process.stdout.write(`${target}: ${inputs.length} seeds\n`);
}

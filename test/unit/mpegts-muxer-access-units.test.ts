import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isSluiceError } from '../../src/errors.ts';
import { parseAacConfig } from '../../src/net/codec/aac.ts';
import { adtsHeader } from '../helpers/adts-header.ts';
import { parseVideoTag } from '../../src/net/codec/video-tag.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { AnnexBAccessUnit } from '../../src/net/mpegts/annexb-access-unit.ts';
import { TsMuxer } from '../../src/net/mpegts/ts-muxer.ts';
import { hex, payloadUnits, readPcrBase, readPes, splitTs } from './mpegts-test-demux.ts';

const MEDIA = '/work/shared/media';

/** The AVCDecoderConfigurationRecord of a sample file. */
function sampleAvcConfig(): Uint8Array {
  for (const t of readFlvFile(readFileSync(`${MEDIA}/av-1mbps.flv`)).tags) {
    if (t.type !== 9) continue;
    const v = parseVideoTag(t.data);
    if (v.sequenceHeader) return t.data.slice(v.headerLength);
  }
  throw new Error('no sequence header');
}

/** SPS and PPS from an avcC record (parsed here by hand, independent of the codec module). */
function spsPps(record: Uint8Array): { sps: Uint8Array; pps: Uint8Array } {
  const spsLen = (record[6]! << 8) | record[7]!;
  const sps = record.subarray(8, 8 + spsLen);
  const o = 8 + spsLen + 1;
  const pps = record.subarray(o + 2, o + 2 + ((record[o]! << 8) | record[o + 1]!));
  return { sps, pps };
}

function avcc(nals: number[][], size = 4): Uint8Array {
  const out: number[] = [];
  for (const n of nals) {
    for (let k = size - 1; k >= 0; k--) out.push((n.length >> (8 * k)) & 0xff);
    out.push(...n);
  }
  return Uint8Array.from(out);
}

const SC = '00000001';
const AUD = SC + '09f0';
const IDR = [0x65, 0x88, 0x84, 0x00, 0x33];
const SLICE = [0x41, 0x9a, 0x02, 0x04];
const SEI = [0x06, 0x05, 0x01, 0x80];

function videoEs(ts: Uint8Array): { es: string; pts: number; dts: number; pcr: number; rai: boolean } {
  const units = payloadUnits(ts, 0x100);
  assert.equal(units.length, 1);
  const pes = readPes(units[0]!);
  assert.equal(pes.streamId, 0xe0);
  const first = splitTs(ts)[0]!;
  return {
    es: hex(pes.es),
    pts: pes.pts,
    dts: pes.dts,
    pcr: readPcrBase(first.adaptation),
    rai: first.adaptation !== null && (first.adaptation[0]! & 0x40) !== 0,
  };
}

describe('TsMuxer video access units (H.264)', () => {
  const record = sampleAvcConfig();
  const { sps, pps } = spsPps(record);
  const params = SC + hex(sps) + SC + hex(pps);

  it('keyframe: AUD, then SPS and PPS, then the frame; PTS/DTS/PCR in 90 kHz', () => {
    const m = new TsMuxer({ video: 'H264', audio: 'AAC' });
    m.setVideoConfig(record);
    const out = videoEs(m.writeVideo(1000, 80, true, avcc([SEI, IDR])));
    assert.equal(out.es, AUD + params + SC + hex(Uint8Array.from(SEI)) + SC + hex(Uint8Array.from(IDR)));
    assert.equal(out.pts, 1080 * 90);
    assert.equal(out.dts, 1000 * 90);
    assert.equal(out.pcr, 1000 * 90);
    assert.equal(out.rai, true);
  });

  it('non-keyframe: AUD only, and PTS without DTS when cts is 0', () => {
    const m = new TsMuxer({ video: 'H264', audio: null });
    m.setVideoConfig(record);
    const ts = m.writeVideo(40, 0, false, avcc([SLICE]));
    const out = videoEs(ts);
    assert.equal(out.es, AUD + SC + hex(Uint8Array.from(SLICE)));
    assert.equal(out.pts, 3600);
    assert.equal(out.dts, 3600);
    assert.equal(units0Flags(ts), 0x80); // PTS only
    assert.equal(out.rai, false);
  });

  it('does not duplicate an AUD or in-band SPS/PPS already present', () => {
    const m = new TsMuxer({ video: 'H264', audio: null });
    m.setVideoConfig(record);
    const body = avcc([[0x09, 0x10], [...sps], [...pps], IDR]);
    const out = videoEs(m.writeVideo(0, 0, true, body));
    assert.equal(out.es, SC + '0910' + params + SC + hex(Uint8Array.from(IDR)));
  });

  it('keeps the AUD first when inserting parameter sets after an existing AUD', () => {
    const m = new TsMuxer({ video: 'H264', audio: null });
    m.setVideoConfig(record);
    const out = videoEs(m.writeVideo(0, 0, true, avcc([[0x09, 0x10], IDR])));
    assert.equal(out.es, SC + '0910' + params + SC + hex(Uint8Array.from(IDR)));
  });

  it('follows a 2-byte NAL length size from the record', () => {
    const r2 = record.slice();
    r2[4] = 0xfc | 1;
    const m = new TsMuxer({ video: 'H264', audio: null });
    m.setVideoConfig(r2);
    const out = videoEs(m.writeVideo(0, 0, false, avcc([SLICE, SLICE], 2)));
    const s = SC + hex(Uint8Array.from(SLICE));
    assert.equal(out.es, AUD + s + s);
  });

  it('PCR trails the DTS by pcrDelayMs and is clamped at 0', () => {
    const m = new TsMuxer({ video: 'H264', audio: 'AAC', pcrDelayMs: 100 });
    m.setVideoConfig(record);
    assert.equal(videoEs(m.writeVideo(40, 40, false, avcc([SLICE]))).pcr, 0);
    assert.equal(videoEs(m.writeVideo(1000, 40, false, avcc([SLICE]))).pcr, 900 * 90);
  });

  it('rejects a NAL length that overruns the frame with TS_MUX', () => {
    const m = new TsMuxer({ video: 'H264', audio: null });
    m.setVideoConfig(record);
    const bad = avcc([SLICE]);
    bad[3] = 200;
    assert.throws(() => m.writeVideo(0, 0, false, bad), (e) => isSluiceError(e, 'TS_MUX'));
    assert.throws(() => m.writeVideo(0, 0, false, Uint8Array.of(0, 0, 1)), (e) => isSluiceError(e, 'TS_MUX'));
  });

  it('random frame bodies either mux into whole packets or throw TS_MUX', () => {
    const m = new TsMuxer({ video: 'H264', audio: null });
    m.setVideoConfig(record);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (body, key) => {
        try {
          const ts = m.writeVideo(0, 0, key, body);
          return ts.length % 188 === 0 && splitTs(ts).every((p) => p.pid === 0x100);
        } catch (e) {
          return isSluiceError(e, 'TS_MUX');
        }
      }),
    );
  });

  it('a bad decoder configuration is TS_MUX with the codec error as cause', () => {
    const m = new TsMuxer({ video: 'H264', audio: null });
    assert.throws(() => m.setVideoConfig(Uint8Array.of(1, 2)), (e) => isSluiceError(e, 'TS_MUX') && e.cause !== undefined);
  });
});

function units0Flags(ts: Uint8Array): number {
  return payloadUnits(ts, 0x100)[0]![7]!;
}

describe('Annex B access units (H.265)', () => {
  const vps = Uint8Array.of(0x40, 0x01, 0x0c);
  const sps = Uint8Array.of(0x42, 0x01, 0x01);
  const pps = Uint8Array.of(0x44, 0x01, 0xc1);
  const params = { hevc: true, nalLengthSize: 4, parameterSets: [vps, sps, pps] };
  const idr = [0x26, 0x01, 0xaf, 0x09]; // IDR_W_RADL (19)

  function build(body: Uint8Array, insert: boolean): string {
    const au = new AnnexBAccessUnit();
    au.scan(body, params);
    const out = new Uint8Array(au.size(params, insert && !au.hasParameterSets));
    const end = au.write(out, 0, body, params, insert && !au.hasParameterSets);
    assert.equal(end, out.length);
    return hex(out);
  }

  it('inserts the H.265 AUD (type 35) and VPS/SPS/PPS before a keyframe', () => {
    assert.equal(
      build(avcc([idr]), true),
      SC + '460150' + SC + hex(vps) + SC + hex(sps) + SC + hex(pps) + SC + hex(Uint8Array.from(idr)),
    );
  });
  it('recognises an existing H.265 AUD and in-band SPS', () => {
    const body = avcc([[0x46, 0x01, 0x10], [...vps], [...sps], [...pps], idr]);
    const au = new AnnexBAccessUnit();
    au.scan(body, params);
    assert.equal(au.hasAud, true);
    assert.equal(au.hasParameterSets, true);
    assert.equal(build(body, true).startsWith(SC + '460110' + SC + hex(vps)), true);
  });
  it('starts an H.265 stream with stream type 0x24 in the PMT', () => {
    const m = new TsMuxer({ video: 'H265', audio: 'AAC' });
    const pmt = payloadUnits(m.startSegment(), 0x1000)[0]!;
    assert.equal(hex(pmt.subarray(13, 23)), '24e100f0000fe101f000');
  });
});

describe('TsMuxer audio', () => {
  it('AAC: ADTS header from the AudioSpecificConfig, PES with PTS only, no PCR when video exists', () => {
    const m = new TsMuxer({ video: 'H264', audio: 'AAC' });
    const asc = Uint8Array.of(0x12, 0x10); // LC, 44.1 kHz, stereo
    m.setAudioConfig(asc);
    const raw = Uint8Array.from({ length: 100 }, (_, i) => i);
    const ts = m.writeAudio(1000, raw);
    const packets = splitTs(ts);
    assert.ok(packets.every((p) => p.pid === 0x101));
    assert.equal(readPcrBase(packets[0]!.adaptation), -1);
    const pes = readPes(payloadUnits(ts, 0x101)[0]!);
    assert.equal(pes.streamId, 0xc0);
    assert.equal(pes.pts, 90000);
    assert.equal(pes.lengthField, 3 + 5 + 107);
    assert.equal(hex(pes.es.subarray(0, 7)), 'fff150800d7ffc');
    assert.deepEqual(pes.es.subarray(0, 7), adtsHeader(parseAacConfig(asc), raw.length));
    assert.deepEqual(pes.es.subarray(7), raw);
  });

  it('AAC before its config, or an oversized frame, is TS_MUX', () => {
    const m = new TsMuxer({ video: null, audio: 'AAC' });
    assert.throws(() => m.writeAudio(0, new Uint8Array(10)), (e) => isSluiceError(e, 'TS_MUX'));
    m.setAudioConfig(Uint8Array.of(0x12, 0x10));
    assert.throws(() => m.writeAudio(0, new Uint8Array(9000)), (e) => isSluiceError(e, 'TS_MUX'));
  });

  it('audio-only: PCR and random access on the audio PID, PMT PCR_PID = audio', () => {
    const m = new TsMuxer({ video: null, audio: 'AAC' });
    m.setAudioConfig(Uint8Array.of(0x11, 0x90)); // LC 48 kHz stereo
    const seg = m.startSegment();
    const pmt = payloadUnits(seg, 0x1000)[0]!;
    assert.equal(hex(pmt.subarray(9, 11)), 'e101');
    const first = splitTs(m.writeAudio(500, new Uint8Array(300)))[0]!;
    assert.equal(readPcrBase(first.adaptation), 45000);
    assert.equal(first.adaptation![0]! & 0x40, 0x40);
  });

  it('MP3: frames as is; stream type 0x03, or 0x04 once an MPEG-2 frame was seen', () => {
    const m = new TsMuxer({ video: null, audio: 'MP3' });
    const pmtType = (): number => payloadUnits(m.startSegment(), 0x1000)[0]![13]!;
    assert.equal(pmtType(), 0x03);
    const frame = Uint8Array.of(0xff, 0xf3, 0x64, 0xc4, 1, 2, 3); // MPEG-2 layer III
    const pes = readPes(payloadUnits(m.writeAudio(0, frame), 0x101)[0]!);
    assert.deepEqual(pes.es, frame);
    assert.equal(pmtType(), 0x04);
  });

  it('refuses a muxer without tracks and tracks it was not built for', () => {
    assert.throws(() => new TsMuxer({ video: null, audio: null }), (e) => isSluiceError(e, 'TS_MUX'));
    const m = new TsMuxer({ video: null, audio: 'MP3' });
    assert.throws(() => m.writeVideo(0, 0, true, new Uint8Array(8)), (e) => isSluiceError(e, 'TS_MUX'));
    assert.throws(() => m.setAudioConfig(Uint8Array.of(0x12, 0x10)), (e) => isSluiceError(e, 'TS_MUX'));
  });
});

describe('TsMuxer segments', () => {
  it('packets are a view of one output buffer, reused by the next call (nothing allocated per frame)', () => {
    const m = new TsMuxer({ video: null, audio: 'MP3' });
    const first = m.writeAudio(0, new Uint8Array(300));
    const bytes = first.slice();
    const second = m.writeAudio(26, new Uint8Array(300));
    assert.equal(second.buffer, first.buffer);
    assert.equal(second.byteOffset, 0);
    assert.notDeepEqual(first, bytes, 'the first view now shows the second frame');
  });

  it('startSegment is PAT then PMT; counters run on across segments', () => {
    const m = new TsMuxer({ video: 'H264', audio: 'AAC' });
    const a = splitTs(m.startSegment());
    const b = splitTs(m.startSegment());
    assert.deepEqual(
      a.map((p) => [p.pid, p.cc]),
      [
        [0, 0],
        [0x1000, 0],
      ],
    );
    assert.deepEqual(
      b.map((p) => [p.pid, p.cc]),
      [
        [0, 1],
        [0x1000, 1],
      ],
    );
    m.reset();
    assert.equal(splitTs(m.startSegment())[0]!.cc, 0);
  });
});

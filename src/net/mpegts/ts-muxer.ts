// Access units in, 188-byte packets out. Timestamps go in as FLV milliseconds and come out as
// 90 kHz PTS/DTS with NO offset (PTS = (dts + cts) * 90, DTS = dts * 90, wrapped to 33 bits),
// so a TS read back shows the publisher's own timeline. The PCR is the DTS minus `pcrDelayMs`
// (default 0, as SRS does), clamped at 0: it never runs ahead of the DTS it precedes.
// The packets come back as a view of the muxer's own output buffer, valid until its next
// call: a muxer running for hours allocates nothing per frame. Copy them to keep them.

import { SluiceError } from '../../errors.ts';
import { parseAacConfig, writeAdtsHeader, type AacConfig } from '../codec/aac.ts';
import { parseAvcConfig } from '../codec/avc.ts';
import { parseHevcConfig } from '../codec/hevc.ts';
import { AnnexBAccessUnit, type VideoParams } from './annexb-access-unit.ts';
import { PES_HEADER_MAX, STREAM_ID_AUDIO, STREAM_ID_VIDEO, writePesHeader } from './pes.ts';
import {
  PID_AUDIO,
  PID_PAT,
  PID_PMT,
  PID_VIDEO,
  pmtPayload,
  patPayload,
  STREAM_TYPE_AAC_ADTS,
  STREAM_TYPE_H264,
  STREAM_TYPE_H265,
  STREAM_TYPE_MP3,
  STREAM_TYPE_MP3_LSF,
  type PmtStream,
} from './psi.ts';
import { TS_PACKET_SIZE, TsPacketizer, type PacketFlags } from './ts-packet.ts';

export type TsVideoCodec = 'H264' | 'H265';
export type TsAudioCodec = 'AAC' | 'MP3';

export type TsMuxerOptions = {
  video: TsVideoCodec | null;
  audio: TsAudioCodec | null;
  /** PCR = DTS - pcrDelayMs (clamped at 0). Default 0. */
  pcrDelayMs?: number;
};

const ADTS_HEADER_SIZE = 7;

export class TsMuxer {
  readonly video: TsVideoCodec | null;
  readonly audio: TsAudioCodec | null;
  private readonly pcrDelay90: number;
  private readonly packetizer = new TsPacketizer();
  private readonly au = new AnnexBAccessUnit();
  private readonly flags: PacketFlags = { pcr: -1, randomAccess: false, discontinuity: false };
  private readonly videoParams: VideoParams;
  private aac: AacConfig | null = null;
  private mp3Lsf = false;
  private pes = new Uint8Array(64 * 1024);
  private out = new Uint8Array(64 * 1024);

  constructor(opts: TsMuxerOptions) {
    if (opts.video === null && opts.audio === null) throw new SluiceError('TS_MUX', 'no track to mux');
    this.video = opts.video;
    this.audio = opts.audio;
    this.pcrDelay90 = Math.round((opts.pcrDelayMs ?? 0) * 90);
    this.videoParams = { hevc: opts.video === 'H265', nalLengthSize: 4, parameterSets: [] };
  }

  /** The decoder configuration record (the FLV video payload after its tag header). */
  setVideoConfig(record: Uint8Array): void {
    if (this.video === null) throw new SluiceError('TS_MUX', 'video config on a muxer without video');
    try {
      if (this.video === 'H264') {
        const c = parseAvcConfig(record);
        this.videoParams.nalLengthSize = c.nalLengthSize;
        this.videoParams.parameterSets = [...c.sps, ...c.pps];
      } else {
        const c = parseHevcConfig(record);
        this.videoParams.nalLengthSize = c.nalLengthSize;
        this.videoParams.parameterSets = [...c.vps, ...c.sps, ...c.pps];
      }
    } catch (err) {
      throw new SluiceError('TS_MUX', `bad ${this.video} configuration`, { cause: err });
    }
    if (this.videoParams.nalLengthSize === 3) {
      throw new SluiceError('TS_MUX', 'NAL length size 3 is not allowed');
    }
  }

  /** The AudioSpecificConfig (the FLV AAC sequence header payload). */
  setAudioConfig(asc: Uint8Array): void {
    if (this.audio !== 'AAC') throw new SluiceError('TS_MUX', 'AAC config on a muxer without AAC');
    try {
      this.aac = parseAacConfig(asc);
    } catch (err) {
      throw new SluiceError('TS_MUX', 'bad AudioSpecificConfig', { cause: err });
    }
  }

  /** PAT and PMT, to open each segment (so each one plays alone); valid until the next call. */
  startSegment(): Uint8Array {
    const streams: PmtStream[] = [];
    if (this.video !== null) {
      streams.push({ streamType: this.video === 'H264' ? STREAM_TYPE_H264 : STREAM_TYPE_H265, pid: PID_VIDEO });
    }
    if (this.audio !== null) {
      const type = this.audio === 'AAC' ? STREAM_TYPE_AAC_ADTS : this.mp3Lsf ? STREAM_TYPE_MP3_LSF : STREAM_TYPE_MP3;
      streams.push({ streamType: type, pid: PID_AUDIO });
    }
    const out = this.output(2 * TS_PACKET_SIZE);
    let off = this.packetizer.write(out, 0, PID_PAT, patPayload(), null);
    off = this.packetizer.write(out, off, PID_PMT, pmtPayload(streams, this.pcrPid()), null);
    return out.subarray(0, off);
  }

  /**
   * One video access unit: `body` is the length-prefixed NAL units (the FLV payload after the
   * tag header). Returns whole packets, valid until the next call.
   */
  writeVideo(dtsMs: number, ctsMs: number, keyframe: boolean, body: Uint8Array): Uint8Array {
    if (this.video === null) throw new SluiceError('TS_MUX', 'video on a muxer without video');
    const p = this.videoParams;
    this.au.scan(body, p);
    const insert = keyframe && !this.au.hasParameterSets && p.parameterSets.length > 0;
    const esLength = this.au.size(p, insert);
    const dts90 = Math.round(dtsMs * 90);
    const pts90 = Math.round((dtsMs + ctsMs) * 90);
    const pes = this.reserve(PES_HEADER_MAX + esLength);
    const hdr = writePesHeader(pes, 0, STREAM_ID_VIDEO, pts90, pts90 === dts90 ? -1 : dts90, esLength);
    const end = this.au.write(pes, hdr, body, p, insert);
    const f = this.flags;
    f.pcr = Math.max(0, dts90 - this.pcrDelay90);
    f.randomAccess = keyframe;
    return this.packets(PID_VIDEO, pes.subarray(0, end));
  }

  /** One audio frame: raw AAC (ADTS is added here) or one MP3 frame; packets valid until the next call. */
  writeAudio(dtsMs: number, raw: Uint8Array): Uint8Array {
    if (this.audio === null) throw new SluiceError('TS_MUX', 'audio on a muxer without audio');
    const pts90 = Math.round(dtsMs * 90);
    let esLength = raw.length;
    if (this.audio === 'AAC') {
      if (this.aac === null) throw new SluiceError('TS_MUX', 'AAC frame before its AudioSpecificConfig');
      esLength += ADTS_HEADER_SIZE;
    } else if (raw.length >= 2 && raw[0] === 0xff && (raw[1]! & 0xe0) === 0xe0) {
      this.mp3Lsf = (raw[1]! & 0x08) === 0; // version bit clear: MPEG-2 or 2.5
    }
    const pes = this.reserve(PES_HEADER_MAX + esLength);
    let off = writePesHeader(pes, 0, STREAM_ID_AUDIO, pts90, -1, esLength);
    if (this.aac !== null && this.audio === 'AAC') {
      try {
        off = writeAdtsHeader(pes, off, this.aac, raw.length);
      } catch (err) {
        throw new SluiceError('TS_MUX', 'AAC frame does not fit ADTS', { cause: err });
      }
    }
    pes.set(raw, off);
    const f = this.flags;
    f.pcr = this.video === null ? Math.max(0, pts90 - this.pcrDelay90) : -1;
    f.randomAccess = this.video === null;
    return this.packets(PID_AUDIO, pes.subarray(0, off + raw.length));
  }

  /** Continuity counters back to 0 (a new, unrelated output). */
  reset(): void {
    this.packetizer.resetCounters();
  }

  private pcrPid(): number {
    return this.video !== null ? PID_VIDEO : PID_AUDIO;
  }

  private reserve(n: number): Uint8Array {
    if (this.pes.length < n) this.pes = new Uint8Array(Math.max(n, this.pes.length * 2));
    return this.pes;
  }

  private output(n: number): Uint8Array {
    if (this.out.length < n) this.out = new Uint8Array(Math.max(n, this.out.length * 2));
    return this.out;
  }

  private packets(pid: number, payload: Uint8Array): Uint8Array {
    const out = this.output(this.packetizer.packetCount(payload.length, this.flags) * TS_PACKET_SIZE);
    return out.subarray(0, this.packetizer.write(out, 0, pid, payload, this.flags));
  }
}

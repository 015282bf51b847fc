import { isSluiceError } from '../../errors.ts';
import { parseAacConfig } from './aac.ts';
import { parseAudioTag } from './audio-tag.ts';
import { parseAv1Config } from './av1.ts';
import { parseAvcConfig } from './avc.ts';
import { parseHevcConfig } from './hevc.ts';
import { parseOpusHead } from './opus.ts';
import { parseVideoTag } from './video-tag.ts';

/** The `video` object of /api/v1/streams, in SRS's shape. */
export interface VideoDescription {
  codec: string;
  profile: string;
  level: string;
  width: number;
  height: number;
}

/** The `audio` object of /api/v1/streams. */
export interface AudioDescription {
  codec: string;
  sample_rate: number;
  channel: number;
  profile: string;
}

export interface StreamDescription {
  video: VideoDescription | null;
  audio: AudioDescription | null;
}

// Like SRS: codecs it has no profile table for say 'Other'.
const OTHER = 'Other';

function metaNumber(metadata: Record<string, unknown> | null | undefined, key: string): number {
  const v = metadata?.[key];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v) : 0;
}

// A malformed configuration still leaves the codec known: report that rather than fail the API.
function tolerate<T>(parse: () => T): T | null {
  try {
    return parse();
  } catch (err) {
    if (isSluiceError(err)) return null;
    throw err;
  }
}

function describeVideo(tag: Uint8Array, metadata: Record<string, unknown> | null | undefined): VideoDescription {
  const info = parseVideoTag(tag);
  const out: VideoDescription = {
    codec: info.codec,
    profile: OTHER,
    level: OTHER,
    width: metaNumber(metadata, 'width'),
    height: metaNumber(metadata, 'height'),
  };
  if (!info.sequenceHeader || info.truncated || info.packetType !== 0) return out;
  const payload = tag.subarray(info.headerLength);
  let parsed: { profileName: string; levelName: string; width: number; height: number } | null = null;
  if (info.codec === 'H264') parsed = tolerate(() => parseAvcConfig(payload));
  else if (info.codec === 'H265') parsed = tolerate(() => parseHevcConfig(payload));
  else if (info.codec === 'AV1') parsed = tolerate(() => parseAv1Config(payload));
  if (parsed !== null) {
    out.profile = parsed.profileName;
    out.level = parsed.levelName;
    if (parsed.width > 0) {
      out.width = parsed.width;
      out.height = parsed.height;
    }
  }
  return out;
}

function describeAudio(tag: Uint8Array): AudioDescription {
  const info = parseAudioTag(tag);
  const out: AudioDescription = {
    codec: info.codec,
    sample_rate: info.soundRateHz,
    // SRS reports the FLV sound-type flag + 1, whatever the codec config says.
    channel: info.soundType + 1,
    profile: OTHER,
  };
  const payload = info.truncated ? null : tag.subarray(info.headerLength);
  if (info.codec === 'AAC' && info.sequenceHeader && payload !== null) {
    const asc = tolerate(() => parseAacConfig(payload));
    if (asc !== null) {
      out.sample_rate = asc.outputSampleRate;
      out.profile = asc.profileName;
      if (info.enhanced) out.channel = asc.channels;
    }
  } else if (info.codec === 'Opus') {
    out.sample_rate = 48000;
    const head = info.sequenceHeader && payload !== null ? tolerate(() => parseOpusHead(payload)) : null;
    out.channel = head !== null ? head.channels : info.enhanced ? 2 : out.channel;
  }
  return out;
}

/**
 * What the HTTP API reports about a stream's codecs, from the cached sequence headers
 * (whole FLV/RTMP tag payloads, tag header bytes included) and the onMetaData object.
 * `video`/`audio` are null when no such tag was given. Never throws on bad media.
 */
export function describeStream(
  videoSeqHeader?: Uint8Array | null,
  audioSeqHeader?: Uint8Array | null,
  metadata?: Record<string, unknown> | null,
): StreamDescription {
  return {
    video: videoSeqHeader && videoSeqHeader.length > 0 ? describeVideo(videoSeqHeader, metadata) : null,
    audio: audioSeqHeader && audioSeqHeader.length > 0 ? describeAudio(audioSeqHeader) : null,
  };
}

// A reference driver of the fMP4 codecs for tests, doing what the HLS actor is meant to:
// read FLV, make tracks from the sequence headers, feed the samples to CmafSegmenter, store
// its segments and parts and list them in an Fmp4Window. It also records every sample's FLV
// timestamps (those HlsSegmenter keeps), for comparison with what ffprobe reads back.

import { parseAudioTag } from '../../src/net/codec/audio-tag.ts';
import { parseVideoTag } from '../../src/net/codec/video-tag.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { HlsSegmenter } from '../../src/net/hls/segmenter.ts';
import { Fmp4Window } from '../../src/net/hls/fmp4-window.ts';
import { CmafSegmenter, type CmafEvent } from '../../src/net/hls/cmaf-segmenter.ts';
import type { Mp4Sample } from '../../src/net/mp4/fragmenter.ts';
import { aacTrack, avcTrack, type Mp4Track } from '../../src/net/mp4/track.ts';

export type CmafPart = { uri: string; bytes: Uint8Array; durationMs: number; independent: boolean };
export type CmafSegment = { uri: string; msn: number; bytes: Uint8Array; startMs: number; durationMs: number; parts: CmafPart[] };
export type Expected = { video: { dts: number; pts: number; key: boolean }[]; audio: { dts: number; pts: number }[] };
export type CmafResult = { init: Uint8Array; tracks: Mp4Track[]; segments: CmafSegment[]; playlist: string; window: Fmp4Window; expected: Expected };

export type CmafOptions = { fragment: number; partMs?: number; window?: number };

export function flvToCmaf(flv: Uint8Array, opts: CmafOptions): CmafResult {
  const { tags } = readFlvFile(flv);
  let video: Mp4Track | undefined;
  let audio: Mp4Track | undefined;
  const media: { kind: 'video' | 'audio'; sample: Mp4Sample }[] = [];
  for (const t of tags) {
    if (t.type === 9) {
      const v = parseVideoTag(t.data);
      const body = t.data.subarray(v.headerLength);
      if (v.sequenceHeader) video ??= avcTrack(body, 1);
      else if (!v.endOfSequence && !v.command) media.push({ kind: 'video', sample: { dts: t.timestamp, cts: v.compositionTime, keyframe: v.keyframe, data: body } });
    } else if (t.type === 8) {
      const a = parseAudioTag(t.data);
      const body = t.data.subarray(a.headerLength);
      if (a.sequenceHeader) audio ??= aacTrack(body, 2);
      else media.push({ kind: 'audio', sample: { dts: t.timestamp, cts: 0, keyframe: true, data: body } });
    }
  }
  const tracks = { ...(video ? { video } : {}), ...(audio ? { audio } : {}) };
  const segmenter = new CmafSegmenter(tracks, { fragment: opts.fragment, ...(opts.partMs !== undefined ? { partMs: opts.partMs } : {}) });
  const lowLatency = opts.partMs !== undefined;
  const window = new Fmp4Window({
    window: opts.window ?? 1e9,
    targetDuration: opts.fragment,
    map: 'init.mp4',
    ...(lowLatency ? { partTarget: opts.partMs! / 1000 } : {}),
  });
  const expected: Expected = { video: [], audio: [] };
  const segments: CmafSegment[] = [];
  let init: Uint8Array | null = null;
  let parts: CmafPart[] = [];
  // What the HLS actor does with the events: store the bytes, list them in the window.
  const apply = (events: CmafEvent[]): void => {
    for (const e of events) {
      if (e.type === 'segment-start') {
        init ??= e.init;
        if (e.discontinuity) window.markDiscontinuity();
        parts = [];
      } else if (e.type === 'part') {
        const msn = window.nextMsn;
        const uri = `seg-${msn}.${window.nextPart}.m4s`;
        window.addPart({ uri, duration: e.durationMs / 1000, independent: e.independent });
        window.setPreloadHint(`seg-${msn}.${window.nextPart}.m4s`);
        parts.push({ uri, bytes: e.bytes, durationMs: e.durationMs, independent: e.independent });
      } else {
        const msn = window.nextMsn;
        const uri = `seg-${msn}.m4s`;
        window.addSegment({ uri, duration: e.durationMs / 1000 });
        segments.push({ uri, msn, bytes: e.bytes, startMs: e.startMs, durationMs: e.durationMs, parts });
      }
    }
  };
  // The segmenter drops what cannot start a segment; the expectation follows HlsSegmenter.
  const cuts = new HlsSegmenter({ fragment: opts.fragment, hasVideo: video !== undefined });
  for (const { kind, sample } of media) {
    if (kind === 'video') {
      if (cuts.onVideo(sample.dts, sample.keyframe) !== 'drop') expected.video.push({ dts: sample.dts, pts: sample.dts + sample.cts, key: sample.keyframe });
      apply(segmenter.pushVideo(sample));
    } else {
      if (cuts.onAudio(sample.dts) !== 'drop') expected.audio.push({ dts: sample.dts, pts: sample.dts });
      apply(segmenter.pushAudio(sample));
    }
  }
  apply(segmenter.end());
  window.end();
  const tracksOut = [video, audio].filter((t) => t !== undefined);
  return { init: init!, tracks: tracksOut, segments, playlist: window.render(), window, expected };
}

// A reference driver of the fMP4 codecs for tests: reads an FLV file and muxes it the way
// the HLS actor is meant to: HlsSegmenter decides segment cuts (keyframes after `fragment`
// seconds), Mp4Fragmenter makes one fragment per part (low latency) or per segment, and
// Fmp4Window numbers them and renders the playlist. It also records what every sample's
// timestamps were in the FLV, for comparison with what ffprobe reads back.

import { parseAudioTag } from '../../src/net/codec/audio-tag.ts';
import { parseVideoTag } from '../../src/net/codec/video-tag.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { HlsSegmenter } from '../../src/net/hls/segmenter.ts';
import { Fmp4Window } from '../../src/net/hls/fmp4-window.ts';
import { Mp4Fragmenter, type Mp4Fragment, type Mp4Sample } from '../../src/net/mp4/fragmenter.ts';
import { aacTrack, avcTrack, type Mp4Track } from '../../src/net/mp4/track.ts';

export type CmafPart = { uri: string; bytes: Uint8Array; durationMs: number; independent: boolean };
export type CmafSegment = { uri: string; msn: number; bytes: Uint8Array; startMs: number; durationMs: number; parts: CmafPart[] };
export type Expected = { video: { dts: number; pts: number; key: boolean }[]; audio: { dts: number; pts: number }[] };
export type CmafResult = { init: Uint8Array; tracks: Mp4Track[]; segments: CmafSegment[]; playlist: string; window: Fmp4Window; expected: Expected };

/** A track that stays silent this long past a cut no longer holds it back. */
const GIVE_UP_MS = 1000;

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
  const fragmenter = new Mp4Fragmenter({ ...(video ? { video } : {}), ...(audio ? { audio } : {}) });
  const segmenter = new HlsSegmenter({ fragment: opts.fragment, hasVideo: video !== undefined });
  const lowLatency = opts.partMs !== undefined;
  const window = new Fmp4Window({
    window: opts.window ?? 1e9,
    targetDuration: opts.fragment,
    map: 'init.mp4',
    ...(lowLatency ? { partTarget: opts.partMs! / 1000 } : {}),
  });
  const expected: Expected = { video: [], audio: [] };
  const segments: CmafSegment[] = [];
  let open: { parts: CmafPart[]; fragments: Mp4Fragment[] } | null = null;
  let partStart = 0;
  let lastDelta = 0;
  let lastMainDts = -1;

  const takePart = (fragment: Mp4Fragment | null): void => {
    if (fragment === null || open === null) return;
    open.fragments.push(fragment);
    if (!lowLatency) return;
    const msn = window.nextMsn;
    const uri = `seg-${msn}.${window.nextPart}.m4s`;
    const durationMs = fragment.endMs - fragment.startMs;
    window.addPart({ uri, duration: durationMs / 1000, independent: fragment.independent });
    window.setPreloadHint(`seg-${msn}.${window.nextPart}.m4s`);
    open.parts.push({ uri, bytes: fragment.bytes, durationMs, independent: fragment.independent });
  };
  const closeSegment = (): void => {
    if (open === null || open.fragments.length === 0) return;
    const startMs = open.fragments[0]!.startMs;
    const durationMs = open.fragments.at(-1)!.endMs - startMs;
    const msn = window.nextMsn;
    const uri = `seg-${msn}.m4s`;
    window.addSegment({ uri, duration: durationMs / 1000 });
    segments.push({ uri, msn, bytes: Buffer.concat(open.fragments.map((f) => f.bytes)), startMs, durationMs, parts: open.parts });
    open = null;
  };

  // Cuts decided but not yet made: each waits until every track has reached it.
  const cuts: { atMs: number; segment: boolean }[] = [];
  const makeCuts = (nowMs: number): void => {
    while (cuts.length > 0 && (fragmenter.isComplete(cuts[0]!.atMs) || nowMs - cuts[0]!.atMs > GIVE_UP_MS)) {
      const cut = cuts.shift()!;
      takePart(fragmenter.fragment(cut.atMs));
      if (!cut.segment) continue;
      closeSegment();
      open = { parts: [], fragments: [] };
    }
  };

  for (const { kind, sample } of media) {
    const decision = kind === 'video' ? segmenter.onVideo(sample.dts, sample.keyframe) : segmenter.onAudio(sample.dts);
    if (decision === 'drop') continue;
    if (kind === 'video') {
      expected.video.push({ dts: sample.dts, pts: sample.dts + sample.cts, key: sample.keyframe });
      fragmenter.pushVideo(sample);
    } else {
      expected.audio.push({ dts: sample.dts, pts: sample.dts });
      fragmenter.pushAudio(sample);
    }
    const main = kind === 'video' || video === undefined;
    if (decision === 'cut' || decision === 'cut-discontinuity') {
      cuts.push({ atMs: sample.dts, segment: true });
      partStart = sample.dts;
    } else if (main && lowLatency && sample.dts - partStart + lastDelta > opts.partMs!) {
      // Cut before a sample that would carry the part past its target.
      cuts.push({ atMs: sample.dts, segment: false });
      partStart = sample.dts;
    }
    if (main) {
      if (lastMainDts >= 0) lastDelta = sample.dts - lastMainDts;
      lastMainDts = sample.dts;
    }
    makeCuts(sample.dts);
  }
  makeCuts(Number.POSITIVE_INFINITY);
  takePart(fragmenter.flush());
  closeSegment();
  window.end();
  return { init: fragmenter.initSegment(), tracks: fragmenter.tracks, segments, playlist: window.render(), window, expected };
}

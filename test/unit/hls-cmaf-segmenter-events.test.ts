// CmafSegmenter's events on synthetic streams: order, cuts that wait for the audio, parts
// within the part target, discontinuities, new tracks, small steps back, a silent track,
// and the end of the stream. (The sample files go through it in the ffprobe and hls.js tests.)

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseVideoTag } from '../../src/net/codec/video-tag.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { CmafSegmenter, type CmafEvent } from '../../src/net/hls/cmaf-segmenter.ts';
import { readFragments } from '../../src/net/mp4/read-fragment.ts';
import { aacTrack, avcTrack } from '../../src/net/mp4/track.ts';

const avcRecord = ((): Uint8Array => {
  const { tags } = readFlvFile(readFileSync('/work/shared/media/av-bframes.flv'));
  const tag = tags.find((t) => t.type === 9 && parseVideoTag(t.data).sequenceHeader)!;
  return tag.data.subarray(parseVideoTag(tag.data).headerLength);
})();
const video = avcTrack(avcRecord);
const audio = aacTrack(Uint8Array.of(0x11, 0x90));
const data = Uint8Array.of(0, 0, 0, 1, 0x65);

/** Feeds 25 fps video (a keyframe every `gop` frames, 2 s by default) and 48 kHz AAC-ish audio every 21 ms, interleaved by time. */
function feed(s: CmafSegmenter, fromMs: number, toMs: number, gop = 50, audioOn = true): CmafEvent[] {
  const events: CmafEvent[] = [];
  let v = fromMs;
  let a = fromMs;
  while (v < toMs || (audioOn && a < toMs)) {
    if (!audioOn || v <= a) {
      events.push(...s.pushVideo({ dts: v, cts: 0, keyframe: Math.round((v - fromMs) / 40) % gop === 0, data }));
      v += 40;
    } else {
      events.push(...s.pushAudio({ dts: a, cts: 0, keyframe: true, data }));
      a += 21;
    }
  }
  return events;
}

const kinds = (events: CmafEvent[]): string => events.map((e) => (e.type === 'segment-start' ? (e.init ? 'I' : e.discontinuity ? 'D' : 'S') : e.type === 'part' ? 'p' : 'E')).join('');

describe('CmafSegmenter', () => {
  it('fmp4: one fragment per segment, cut on the keyframe after 2 s, the init segment once', () => {
    const s = new CmafSegmenter({ video, audio }, { fragment: 2 });
    const events = [...feed(s, 0, 6000), ...s.end()];
    assert.equal(kinds(events), 'IESESE');
    const ends = events.filter((e) => e.type === 'segment-end');
    assert.deepEqual(ends.map((e) => [e.startMs, e.durationMs]), [[0, 2000], [2000, 2000], [4000, 2000]]);
    for (const e of ends) assert.equal(readFragments(e.bytes).length, 1);
  });

  it('a cut waits until the audio reaches it, so each segment holds all audio before it', () => {
    const s = new CmafSegmenter({ video, audio }, { fragment: 2 });
    const events = [...feed(s, 0, 4100), ...s.end()];
    const first = events.find((e) => e.type === 'segment-end')!;
    const [, a] = readFragments(first.bytes)[0]!.trafs;
    const last = a!.samples.at(-1)!;
    // Audio every 21 ms: the last frame before 2000 ms starts at 1995 ms and ends at 2016 ms.
    assert.equal(last.dts / 48, 1995);
    assert.equal((last.dts + last.duration) / 48, 2016);
  });

  it('low latency: parts within the part target, independent at segment starts, segment = its parts', () => {
    const s = new CmafSegmenter({ video, audio }, { fragment: 2, partMs: 200 });
    const events = [...feed(s, 0, 4000), ...s.end()];
    assert.match(kinds(events), /^I(p{10}ES)p{10}E$/);
    let parts: Uint8Array[] = [];
    for (const e of events) {
      if (e.type === 'part') {
        assert.ok(e.durationMs <= 200, `part of ${e.durationMs} ms`);
        assert.equal(e.independent, parts.length === 0);
        parts.push(e.bytes);
      } else if (e.type === 'segment-end') {
        assert.deepEqual(Buffer.from(e.bytes), Buffer.concat(parts));
        parts = [];
      }
    }
  });

  it('a jump back is a discontinuity: the segment ends at once, the next one starts a new timeline', () => {
    const s = new CmafSegmenter({ video, audio }, { fragment: 2 });
    const events = [...feed(s, 10_000, 13_000), ...feed(s, 0, 2500), ...s.end()];
    assert.equal(kinds(events), 'IESEDESE');
    const d = events.filter((e) => e.type === 'segment-start')[2]!;
    assert.deepEqual([d.startMs, d.type === 'segment-start' && d.init], [0, null]);
  });

  it('new tracks start the next segment under a new init segment', () => {
    const s = new CmafSegmenter({ video, audio }, { fragment: 2 });
    const before = feed(s, 0, 2500);
    s.setTracks({ video, audio: aacTrack(Uint8Array.of(0x12, 0x10)) });
    const after = [...feed(s, 4000, 6500), ...s.end()];
    assert.equal(kinds(before), 'IES');
    // The keyframe at 4000 ms ends the segment open since 2000 ms and starts one under the new init.
    assert.equal(kinds(after), 'EIESE');
    const [first, second] = [...before, ...after].filter((e) => e.type === 'segment-start' && e.init !== null);
    assert.notDeepEqual(first, second);
  });

  it('a small step back keeps the pts and raises the dts (MP4 has no negative durations)', () => {
    const s = new CmafSegmenter({ video }, { fragment: 2 });
    const events = [
      ...s.pushVideo({ dts: 0, cts: 0, keyframe: true, data }),
      ...s.pushVideo({ dts: 40, cts: 0, keyframe: false, data }),
      ...s.pushVideo({ dts: 30, cts: 20, keyframe: false, data }),
      ...s.pushVideo({ dts: 80, cts: 0, keyframe: false, data }),
      ...s.end(),
    ];
    const [v] = readFragments(events.find((e) => e.type === 'segment-end')!.bytes)[0]!.trafs;
    assert.deepEqual(v!.samples.map((x) => [x.dts / 90, x.pts / 90]), [[0, 0], [40, 40], [40, 50], [80, 80]]);
  });

  it('audio that stops does not hold the cuts back for more than giveUpMs', () => {
    const s = new CmafSegmenter({ video, audio }, { fragment: 2, giveUpMs: 500 });
    feed(s, 0, 1000);
    const silent: CmafEvent[] = [];
    let endedAt = -1;
    for (let v = 1000; v < 5000; v += 40) {
      const events = s.pushVideo({ dts: v, cts: 0, keyframe: v % 2000 === 0 && v > 1000, data });
      if (endedAt < 0 && events.some((e) => e.type === 'segment-end')) endedAt = v;
      silent.push(...events);
    }
    // The cut at 2000 ms waits for audio that never comes, then goes ahead 500 ms later.
    assert.equal(kinds(silent), 'ESES');
    assert.equal(endedAt, 2520);
    assert.equal(silent.find((e) => e.type === 'segment-end')!.durationMs, 2000);
  });

  it('drops audio that runs back or far ahead of the video', () => {
    const s = new CmafSegmenter({ video, audio }, { fragment: 2 });
    feed(s, 0, 1000);
    assert.deepEqual(s.pushAudio({ dts: 500, cts: 0, keyframe: true, data }), []);
    assert.deepEqual(s.pushAudio({ dts: 60_000, cts: 0, keyframe: true, data }), []);
    const ends = s.end().filter((e) => e.type === 'segment-end');
    const [, a] = readFragments(ends[0]!.bytes)[0]!.trafs;
    assert.ok(a!.samples.every((x) => x.dts / 48 < 1100));
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseVideoTag } from '../../src/net/codec/video-tag.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { HlsSegmenter, type SegmentDecision } from '../../src/net/hls/segmenter.ts';

type Frame = { kind: 'v' | 'a'; dts: number; key: boolean };

function sampleFrames(name: string): Frame[] {
  const frames: Frame[] = [];
  for (const t of readFlvFile(readFileSync(`/work/shared/media/${name}`)).tags) {
    if (t.type === 9) {
      const v = parseVideoTag(t.data);
      if (!v.sequenceHeader) frames.push({ kind: 'v', dts: t.timestamp, key: v.keyframe });
    } else if (t.type === 8) {
      frames.push({ kind: 'a', dts: t.timestamp, key: false });
    }
  }
  return frames;
}

/** Runs the frames through a segmenter; returns [dts of each cut, closed durations]. */
function cuts(seg: HlsSegmenter, frames: Frame[]): { at: number[]; closed: number[]; decisions: Map<SegmentDecision, number> } {
  const at: number[] = [];
  const closed: number[] = [];
  const decisions = new Map<SegmentDecision, number>();
  for (const f of frames) {
    const d = f.kind === 'v' ? seg.onVideo(f.dts, f.key) : seg.onAudio(f.dts);
    decisions.set(d, (decisions.get(d) ?? 0) + 1);
    if (d === 'cut' || d === 'cut-discontinuity') {
      at.push(f.dts);
      closed.push(seg.closedDurationMs);
      if (f.kind === 'v') assert.ok(f.key || d === 'cut-discontinuity', `cut on a non-keyframe at ${f.dts}`);
    }
  }
  return { at, closed, decisions };
}

const range = (from: number, step: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i * step);

describe('HlsSegmenter on av-1mbps.flv (keyframes every 2 s from 23 ms)', () => {
  const frames = sampleFrames('av-1mbps.flv');

  it('fragment 2: a cut on every keyframe, 2000 ms each', () => {
    const seg = new HlsSegmenter({ fragment: 2, hasVideo: true });
    const r = cuts(seg, frames);
    assert.deepEqual(r.at, range(23, 2000, 15));
    assert.deepEqual(r.closed, [-1, ...Array(14).fill(2000)]);
    assert.equal(r.decisions.get('cut-discontinuity'), undefined);
    // Audio before the first keyframe has no segment to go to.
    assert.ok((r.decisions.get('drop') ?? 0) >= 1);
    assert.equal(seg.segmentStartMs, 28023);
    assert.equal(seg.segmentDurationMs, 29983 - 28023);
    assert.equal(seg.close(), 1960);
  });

  it('fragment 3: the first keyframe at or after 3 s, so every other one', () => {
    const r = cuts(new HlsSegmenter({ fragment: 3, hasVideo: true }), frames);
    assert.deepEqual(r.at, range(23, 4000, 8));
  });

  it('fragment 10 (SRS default): 10 s segments', () => {
    const r = cuts(new HlsSegmenter({ fragment: 10, hasVideo: true }), frames);
    assert.deepEqual(r.at, [23, 10023, 20023]);
    assert.deepEqual(r.closed, [-1, 10000, 10000]);
  });

  it('fragment 1.9: still only on keyframes', () => {
    const r = cuts(new HlsSegmenter({ fragment: 1.9, hasVideo: true }), frames);
    assert.deepEqual(r.at, range(23, 2000, 15));
  });

  it('av-bframes.flv, fragment 5: cuts at 0, 6, 12, 18 s', () => {
    const r = cuts(new HlsSegmenter({ fragment: 5, hasVideo: true }), sampleFrames('av-bframes.flv'));
    assert.deepEqual(r.at, [0, 6000, 12000, 18000]);
  });

  it('the same stream treated as audio-only cuts on time', () => {
    const audio = frames.filter((f) => f.kind === 'a');
    const r = cuts(new HlsSegmenter({ fragment: 2, hasVideo: false }), audio);
    assert.equal(r.at[0], 0);
    for (let i = 1; i < r.at.length; i++) {
      const gap = r.at[i]! - r.at[i - 1]!;
      assert.ok(gap >= 2000 && gap < 2030, `gap ${gap}`); // one AAC frame is ~23 ms
      assert.equal(r.closed[i], gap);
    }
    assert.equal(r.at.length, 15);
  });
});

describe('HlsSegmenter decisions', () => {
  it('drops video before the first keyframe and audio until a segment is open', () => {
    const s = new HlsSegmenter({ fragment: 2, hasVideo: true });
    assert.equal(s.onAudio(0), 'drop');
    assert.equal(s.onVideo(0, false), 'drop');
    assert.equal(s.open, false);
    assert.equal(s.onVideo(40, true), 'cut');
    assert.equal(s.closedDurationMs, -1);
    assert.equal(s.onAudio(41), 'continue');
    assert.equal(s.onVideo(2000, false), 'continue');
    assert.equal(s.onVideo(2040, true), 'cut');
    assert.equal(s.closedDurationMs, 2000);
  });

  it('a forward jump over jumpMs cuts with a discontinuity, even off a keyframe', () => {
    const s = new HlsSegmenter({ fragment: 10, hasVideo: true, jumpMs: 5000 });
    s.onVideo(0, true);
    s.onVideo(40, false);
    assert.equal(s.onVideo(4000, false), 'continue'); // 3.96 s gap is under the limit
    assert.equal(s.onVideo(9040, false), 'cut-discontinuity');
    assert.equal(s.closedDurationMs, 4000); // up to the last timestamp before the jump
    assert.equal(s.segmentStartMs, 9040);
    assert.equal(s.onVideo(9080, false), 'continue');
  });

  it('a step back over backJumpMs cuts with a discontinuity; small jitter does not', () => {
    const s = new HlsSegmenter({ fragment: 10, hasVideo: false });
    assert.equal(s.onAudio(50000), 'cut');
    assert.equal(s.onAudio(50023), 'continue');
    assert.equal(s.onAudio(50010), 'continue');
    assert.equal(s.onAudio(100), 'cut-discontinuity');
    assert.equal(s.closedDurationMs, 23);
  });

  it('audio jumps do not cut or stretch a video stream', () => {
    const s = new HlsSegmenter({ fragment: 2, hasVideo: true });
    s.onVideo(0, true);
    assert.equal(s.onAudio(60_000), 'continue');
    assert.equal(s.onVideo(40, false), 'continue');
    assert.equal(s.segmentDurationMs, 40);
  });

  it('markDiscontinuity: the next keyframe cuts with a discontinuity, whatever the time', () => {
    const s = new HlsSegmenter({ fragment: 10, hasVideo: true });
    s.onVideo(0, true);
    s.markDiscontinuity();
    assert.equal(s.onVideo(40, false), 'continue');
    assert.equal(s.onVideo(80, true), 'cut-discontinuity');
    assert.equal(s.closedDurationMs, 40);
    assert.equal(s.onVideo(120, true), 'continue');
  });

  it('close() ends the segment; a republish from 0 opens the next one with a discontinuity', () => {
    const s = new HlsSegmenter({ fragment: 2, hasVideo: true });
    s.onVideo(0, true);
    s.onVideo(5000, false);
    assert.equal(s.close(), 5000);
    assert.equal(s.close(), -1);
    assert.equal(s.onAudio(0), 'drop');
    assert.equal(s.onVideo(0, false), 'drop');
    assert.equal(s.onVideo(40, true), 'cut-discontinuity');
    assert.equal(s.closedDurationMs, -1);
  });

  it('monotonic streams: cuts only on keyframes, segments at least `fragment` long (except the last)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ step: fc.integer({ min: 0, max: 500 }), key: fc.boolean() }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 5 }),
        (steps, fragment) => {
          const s = new HlsSegmenter({ fragment, hasVideo: true });
          let dts = 0;
          for (const { step, key } of steps) {
            dts += step;
            const d = s.onVideo(dts, key);
            if (d === 'cut-discontinuity') return false;
            if (d === 'cut' && (!key || (s.closedDurationMs !== -1 && s.closedDurationMs < fragment * 1000))) return false;
          }
          return true;
        },
      ),
    );
  });
});

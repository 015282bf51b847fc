import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isSluiceError } from '../../src/errors.ts';
import { parseMediaPlaylist, renderMediaPlaylist, targetDurationOf } from '../../src/net/hls/m3u8.ts';
import { PlaylistWindow } from '../../src/net/hls/playlist-window.ts';

describe('renderMediaPlaylist', () => {
  it('writes the SRS shape: version, sequence, target, discontinuity, EXTINF with 3 decimals', () => {
    const text = renderMediaPlaylist({
      mediaSequence: 0,
      segments: [
        { uri: 'test-0.ts', duration: 2, discontinuity: true },
        { uri: 'test-1.ts', duration: 2.0004 },
      ],
      ended: false,
    });
    assert.equal(
      text,
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-TARGETDURATION:2',
        '#EXT-X-DISCONTINUITY',
        '#EXTINF:2.000, no desc',
        'test-0.ts',
        '#EXTINF:2.000, no desc',
        'test-1.ts',
        '',
      ].join('\n'),
    );
  });

  it('ends with EXT-X-ENDLIST and marks a discontinuity in the middle', () => {
    const text = renderMediaPlaylist({
      mediaSequence: 7,
      segments: [
        { uri: 'a-7.ts', duration: 10.01 },
        { uri: 'a-8.ts', duration: 3.5, discontinuity: true },
      ],
      ended: true,
    });
    assert.match(text, /#EXT-X-MEDIA-SEQUENCE:7\n#EXT-X-TARGETDURATION:11\n#EXTINF:10\.010, no desc\na-7\.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:3\.500, no desc\na-8\.ts\n#EXT-X-ENDLIST\n$/);
  });

  it('target duration: ceiling of the longest duration, never below the given floor or 1', () => {
    const cases: [number[], number | undefined, number][] = [
      [[2, 2, 2], undefined, 2],
      [[1.999, 2.001], undefined, 3],
      [[9.9996], undefined, 10], // written as 10.000
      [[0.2], undefined, 1],
      [[], undefined, 1],
      [[2], 10, 10],
      [[12.3], 10, 13],
    ];
    for (const [durations, floor, want] of cases) {
      assert.equal(targetDurationOf(durations.map((d, i) => ({ uri: `${i}.ts`, duration: d })), floor), want, `${durations}`);
    }
  });

  it('every EXTINF rounded to the nearest integer is <= the target (RFC 8216 4.3.3.1)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 60, noNaN: true }), { minLength: 1, maxLength: 20 }), (ds) => {
        const text = renderMediaPlaylist({ mediaSequence: 0, segments: ds.map((d, i) => ({ uri: `s${i}.ts`, duration: d })), ended: false });
        const p = parseMediaPlaylist(text);
        return p.segments.every((s) => Math.round(s.duration) <= p.targetDuration && Math.abs(s.duration - ds[s.sequence]!) <= 0.0005);
      }),
    );
  });

  it('refuses negative durations and URIs that would break the file', () => {
    for (const seg of [
      { uri: 'a.ts', duration: -1 },
      { uri: 'a.ts', duration: Number.NaN },
      { uri: 'a\n#EXT-X-ENDLIST', duration: 1 },
      { uri: '', duration: 1 },
    ]) {
      assert.throws(() => renderMediaPlaylist({ mediaSequence: 0, segments: [seg], ended: false }), (e) => isSluiceError(e, 'HLS_PLAYLIST'));
    }
  });

  it('writes EXT-X-DISCONTINUITY-SEQUENCE only when given', () => {
    const base = { mediaSequence: 3, segments: [{ uri: 'x.ts', duration: 1 }], ended: false };
    assert.doesNotMatch(renderMediaPlaylist(base), /DISCONTINUITY-SEQUENCE/);
    assert.match(renderMediaPlaylist({ ...base, discontinuitySequence: 2 }), /#EXT-X-TARGETDURATION:1\n#EXT-X-DISCONTINUITY-SEQUENCE:2\n/);
  });
});

describe('parseMediaPlaylist', () => {
  it('reads what it writes', () => {
    const segments = [
      { uri: 'test-4.ts?hls_ctx=abcd1234', duration: 2.002, discontinuity: true },
      { uri: 'test-5.ts', duration: 1.96, discontinuity: false },
    ];
    const p = parseMediaPlaylist(renderMediaPlaylist({ mediaSequence: 4, discontinuitySequence: 1, segments, ended: true }));
    assert.deepEqual(p, {
      version: 3,
      targetDuration: 3,
      mediaSequence: 4,
      discontinuitySequence: 1,
      ended: true,
      segments: [
        { uri: 'test-4.ts?hls_ctx=abcd1234', duration: 2.002, title: 'no desc', discontinuity: true, sequence: 4 },
        { uri: 'test-5.ts', duration: 1.96, title: 'no desc', discontinuity: false, sequence: 5 },
      ],
    });
  });

  it('accepts CRLF, a BOM, unknown tags, comments and integer EXTINF', () => {
    const p = parseMediaPlaylist('\uFEFF#EXTM3U\r\n#EXT-X-TARGETDURATION:6\r\n#EXT-X-PLAYLIST-TYPE:EVENT\r\n# a comment\r\n#EXTINF:6,\r\nseg.ts\r\n');
    assert.equal(p.targetDuration, 6);
    assert.equal(p.version, null);
    assert.deepEqual(p.segments, [{ uri: 'seg.ts', duration: 6, title: '', discontinuity: false, sequence: 0 }]);
  });

  it('rejects what is not a media playlist with HLS_PLAYLIST', () => {
    const bad = [
      '',
      'EXTM3U\n',
      '#EXTM3U\n#EXTINF:2,\na.ts\n', // no target duration
      '#EXTM3U\n#EXT-X-TARGETDURATION:2\nuri-without-extinf.ts\n',
      '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n',
      '#EXTM3U\n#EXT-X-TARGETDURATION:x\n',
      '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:-1,\na.ts\n',
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,AVERAGE-BANDWIDTH=1\n/live/test.m3u8?hls_ctx=abcdefgh\n',
    ];
    for (const text of bad) assert.throws(() => parseMediaPlaylist(text), (e) => isSluiceError(e, 'HLS_PLAYLIST'), JSON.stringify(text));
  });

  it('random text either parses or throws HLS_PLAYLIST', () => {
    const line = fc.oneof(
      fc.constantFrom('#EXTM3U', '#EXT-X-TARGETDURATION:4', '#EXTINF:1.5,', '#EXT-X-DISCONTINUITY', '#EXT-X-ENDLIST', 'a.ts', ''),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        try {
          parseMediaPlaylist(lines.join('\n'));
          return true;
        } catch (e) {
          return isSluiceError(e, 'HLS_PLAYLIST');
        }
      }),
    );
  });
});

describe('PlaylistWindow', () => {
  const seg = (n: number, d = 2): { uri: string; duration: number } => ({ uri: `test-${n}.ts`, duration: d });

  it('keeps about `window` seconds: 2 s segments in a 10 s window hold 6', () => {
    const w = new PlaylistWindow({ window: 10 });
    const removed: number[] = [];
    for (let i = 0; i < 20; i++) {
      assert.equal(w.nextSequence, i);
      const r = w.add(seg(i));
      assert.equal(r.sequence, i);
      removed.push(...r.removed.map((s) => s.sequence));
      assert.ok(w.segments.length <= 6);
    }
    assert.equal(w.segments.length, 6);
    assert.equal(w.mediaSequence, 14);
    assert.deepEqual(removed, Array.from({ length: 14 }, (_, i) => i));
    assert.equal(w.duration, 12);
    const p = parseMediaPlaylist(w.render());
    assert.equal(p.mediaSequence, 14);
    assert.deepEqual(p.segments.map((s) => s.uri), [14, 15, 16, 17, 18, 19].map((n) => `test-${n}.ts`));
  });

  it('does not drift with durations that are not exact in binary', () => {
    const w = new PlaylistWindow({ window: 1 });
    for (let i = 0; i < 1000; i++) w.add(seg(i, 0.1));
    assert.equal(w.segments.length, 11);
  });

  it('always keeps the newest segment, however long', () => {
    const w = new PlaylistWindow({ window: 5 });
    w.add(seg(0, 2));
    const r = w.add(seg(1, 30));
    assert.deepEqual(r.removed.map((s) => s.uri), ['test-0.ts']);
    assert.equal(w.segments.length, 1);
    assert.match(w.render(), /#EXT-X-TARGETDURATION:30\n/);
  });

  it('starts with a discontinuity like SRS, and numbers on across a republish', () => {
    const w = new PlaylistWindow({ window: 60 });
    w.add(seg(0));
    w.add(seg(1));
    w.end();
    let p = parseMediaPlaylist(w.render());
    assert.equal(p.ended, true);
    assert.deepEqual(p.segments.map((s) => s.discontinuity), [true, false]);
    // republish: adding again reopens the playlist and marks the join
    assert.equal(w.add(seg(2)).sequence, 2);
    w.markDiscontinuity();
    w.add(seg(3));
    w.add(seg(4));
    p = parseMediaPlaylist(w.render());
    assert.equal(p.ended, false);
    assert.deepEqual(p.segments.map((s) => [s.sequence, s.discontinuity]), [
      [0, true],
      [1, false],
      [2, true],
      [3, true],
      [4, false],
    ]);
  });

  it('can leave out the starting discontinuity and count removed ones (RFC 8216 6.2.1)', () => {
    const w = new PlaylistWindow({ window: 4, discontinuityAtStart: false, discontinuitySequence: true, targetDuration: 5 });
    w.add(seg(0));
    w.markDiscontinuity();
    w.add(seg(1));
    w.add(seg(2));
    assert.match(w.render(), /#EXT-X-TARGETDURATION:5\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n#EXTINF/);
    w.add(seg(3)); // drops 0
    w.add(seg(4)); // drops 1, which carried the discontinuity
    const p = parseMediaPlaylist(w.render());
    assert.equal(p.discontinuitySequence, 1);
    assert.equal(p.mediaSequence, 2);
  });

  it('clear() hands back every segment (dispose) and keeps the numbering', () => {
    const w = new PlaylistWindow({ window: 60, firstSequence: 100 });
    w.add(seg(100));
    w.add(seg(101));
    assert.deepEqual(w.clear().map((s) => s.sequence), [100, 101]);
    assert.equal(w.segments.length, 0);
    assert.equal(w.mediaSequence, 102);
    assert.equal(w.add(seg(102)).sequence, 102);
    assert.equal(w.segments[0]!.discontinuity, true);
  });

  it('refuses a non-positive window or a bad duration', () => {
    assert.throws(() => new PlaylistWindow({ window: 0 }), (e) => isSluiceError(e, 'HLS_PLAYLIST'));
    const w = new PlaylistWindow({ window: 10 });
    assert.throws(() => w.add({ uri: 'a.ts', duration: Number.POSITIVE_INFINITY }), (e) => isSluiceError(e, 'HLS_PLAYLIST'));
  });
});

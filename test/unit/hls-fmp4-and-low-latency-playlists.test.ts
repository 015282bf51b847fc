// The fMP4 and low-latency media playlists: the exact text for a window with parts, a
// preload hint, discontinuities and a changed init segment; the live window's sliding,
// part trimming and numbering; and the blocking-reload classifier's table of requests.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSluiceError } from '../../src/errors.ts';
import { advancePartLimit, blockingTimeoutMs, isSatisfied, parseReloadRequest, type ReloadState } from '../../src/net/hls/blocking-reload.ts';
import { renderFmp4Playlist } from '../../src/net/hls/fmp4-playlist.ts';
import { Fmp4Window } from '../../src/net/hls/fmp4-window.ts';
import { parseMediaPlaylist } from '../../src/net/hls/m3u8.ts';

const part = (uri: string, independent = false, duration = 0.2) => ({ uri, duration, independent });

describe('renderFmp4Playlist', () => {
  it('plain fMP4: version 6, EXT-X-MAP once, EXTINF per segment, ENDLIST', () => {
    const text = renderFmp4Playlist({
      targetDuration: 2,
      mediaSequence: 0,
      discontinuitySequence: 0,
      ended: true,
      segments: [
        { msn: 4, uri: 'seg-4.m4s', duration: 2.0, map: 'init.mp4' },
        { msn: 5, uri: 'seg-5.m4s', duration: 2.5, map: 'init.mp4', programDateTime: new Date(Date.UTC(2026, 11, 5, 23, 0, 0, 250)) },
      ],
    });
    assert.equal(
      text,
      [
        '#EXTM3U',
        '#EXT-X-VERSION:6',
        '#EXT-X-TARGETDURATION:3',
        '#EXT-X-MEDIA-SEQUENCE:4',
        '#EXT-X-DISCONTINUITY-SEQUENCE:0',
        '#EXT-X-MAP:URI="init.mp4"',
        '#EXTINF:2.000,',
        'seg-4.m4s',
        '#EXT-X-PROGRAM-DATE-TIME:2026-12-05T23:00:00.250Z',
        '#EXTINF:2.500,',
        'seg-5.m4s',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
    assert.deepEqual(parseMediaPlaylist(text).segments.map((s) => [s.sequence, s.uri, s.duration]), [[4, 'seg-4.m4s', 2], [5, 'seg-5.m4s', 2.5]]);
  });

  it('low latency: server control, part info, parts before their EXTINF, open parts and the preload hint last', () => {
    const text = renderFmp4Playlist({
      targetDuration: 2,
      mediaSequence: 0,
      discontinuitySequence: 1,
      ended: false,
      segments: [
        { msn: 10, uri: 'seg-10.m4s', duration: 2, map: 'init-0.mp4' },
        { msn: 11, uri: 'seg-11.m4s', duration: 0.4, map: 'init-1.mp4', discontinuity: true, parts: [part('seg-11.0.m4s', true), part('seg-11.1.m4s')] },
      ],
      lowLatency: { partTarget: 0.2, open: { msn: 12, map: 'init-1.mp4', parts: [part('seg-12.0.m4s', true)] }, preloadHint: 'seg-12.1.m4s' },
    });
    assert.equal(
      text,
      [
        '#EXTM3U',
        '#EXT-X-VERSION:6',
        '#EXT-X-TARGETDURATION:2',
        '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.600',
        '#EXT-X-PART-INF:PART-TARGET=0.200',
        '#EXT-X-MEDIA-SEQUENCE:10',
        '#EXT-X-DISCONTINUITY-SEQUENCE:1',
        '#EXT-X-MAP:URI="init-0.mp4"',
        '#EXTINF:2.000,',
        'seg-10.m4s',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-MAP:URI="init-1.mp4"',
        '#EXT-X-PART:DURATION=0.200,URI="seg-11.0.m4s",INDEPENDENT=YES',
        '#EXT-X-PART:DURATION=0.200,URI="seg-11.1.m4s"',
        '#EXTINF:0.400,',
        'seg-11.m4s',
        '#EXT-X-PART:DURATION=0.200,URI="seg-12.0.m4s",INDEPENDENT=YES',
        '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="seg-12.1.m4s"',
        '',
      ].join('\n'),
    );
    // The RFC 8216 reader (m3u8.ts) skips the low-latency tags and still sees both segments.
    assert.deepEqual(parseMediaPlaylist(text).segments.map((s) => [s.sequence, s.uri, s.discontinuity]), [[10, 'seg-10.m4s', false], [11, 'seg-11.m4s', true]]);
  });

  it('refuses what would make a broken playlist', () => {
    const base = { targetDuration: 2, mediaSequence: 0, discontinuitySequence: 0, ended: false };
    const seg = { msn: 0, uri: 'a.m4s', duration: 1, map: 'init.mp4' };
    for (const input of [
      { ...base, segments: [{ ...seg, uri: 'a"b' }] },
      { ...base, segments: [{ ...seg, uri: 'a\nb' }] },
      { ...base, segments: [{ ...seg, duration: Number.NaN }] },
      { ...base, segments: [seg, { ...seg, msn: 2 }] },
      { ...base, segments: [seg], lowLatency: { partTarget: 0, open: null, preloadHint: null } },
      { ...base, segments: [seg], lowLatency: { partTarget: 1, partHoldBack: 1.5, open: null, preloadHint: null } },
    ]) {
      assert.throws(() => renderFmp4Playlist(input), (e) => isSluiceError(e, 'HLS_PLAYLIST'));
    }
  });
});

describe('Fmp4Window', () => {
  it('numbers parts within their segment, slides segments out, counts removed discontinuities', () => {
    const w = new Fmp4Window({ window: 4, targetDuration: 2, partTarget: 0.5, map: 'init.mp4', firstMsn: 3 });
    const removed: number[] = [];
    for (let s = 0; s < 6; s++) {
      if (s === 1) w.markDiscontinuity();
      for (let p = 0; p < 4; p++) assert.deepEqual(w.addPart(part(`s${s}.${p}`, p === 0, 0.5)), { msn: 3 + s, part: p });
      removed.push(...w.addSegment({ uri: `s${s}`, duration: 2 }).removed.map((r) => r.msn));
    }
    assert.deepEqual(removed, [3, 4, 5]);
    assert.deepEqual(w.segments.map((s) => s.msn), [6, 7, 8]);
    const text = w.render();
    assert.match(text, /#EXT-X-MEDIA-SEQUENCE:6\n#EXT-X-DISCONTINUITY-SEQUENCE:1\n/);
    assert.deepEqual(w.segments.map((s) => s.parts?.length), [4, 4, 4]);
  });

  it('keeps parts only for segments ending within three target durations of the end', () => {
    const w = new Fmp4Window({ window: 100, targetDuration: 2, partTarget: 1, map: 'init.mp4' });
    for (let s = 0; s < 5; s++) {
      w.addPart(part(`s${s}.0`, true, 1));
      w.addPart(part(`s${s}.1`, false, 1));
      w.addSegment({ uri: `s${s}`, duration: 2 });
    }
    // Segment 0 ends 8 s before the end (> 6 s): its parts go; segment 1 ends exactly 6 s before.
    assert.deepEqual(w.segments.map((s) => s.parts?.length), [0, 2, 2, 2, 2]);
    assert.doesNotMatch(w.render(), /URI="s0\./);
  });

  it('reload state follows parts and segments; end() stops blocking; a new part reopens with a discontinuity', () => {
    const w = new Fmp4Window({ window: 10, targetDuration: 2, partTarget: 0.2, map: 'init.mp4' });
    assert.deepEqual(w.reloadState(), { lastMsn: -1, lastPart: null, partTarget: 0.2, ended: false });
    w.addPart(part('a', true));
    assert.deepEqual(w.reloadState().lastPart, { msn: 0, part: 0 });
    w.addSegment({ uri: 's0', duration: 0.2 });
    assert.deepEqual(w.reloadState(), { lastMsn: 0, lastPart: { msn: 0, part: 0 }, partTarget: 0.2, ended: false });
    w.setPreloadHint('s1.0');
    w.end();
    assert.equal(w.reloadState().ended, true);
    assert.doesNotMatch(w.render(), /PRELOAD-HINT/);
    w.addPart(part('b', true));
    w.addSegment({ uri: 's1', duration: 0.2 });
    assert.equal(w.segments[1]!.discontinuity, true);
    assert.doesNotMatch(w.render(), /ENDLIST/);
  });

  it('without a part target it is the plain fMP4 playlist and refuses parts', () => {
    const w = new Fmp4Window({ window: 10, targetDuration: 2, map: 'init.mp4' });
    assert.throws(() => w.addPart(part('x')), (e) => isSluiceError(e, 'HLS_PLAYLIST'));
    const ll = new Fmp4Window({ window: 10, targetDuration: 2, partTarget: 0.2, map: 'init.mp4' });
    ll.addPart(part('p', true));
    assert.throws(() => ll.markDiscontinuity(), (e) => isSluiceError(e, 'HLS_PLAYLIST'));
    w.addSegment({ uri: 's0.m4s', duration: 2 });
    assert.doesNotMatch(w.render(), /PART|SERVER-CONTROL/);
  });
});

describe('blocking reload requests', () => {
  // Segments 0..9 complete, parts 0..3 of segment 10 published, 200 ms parts (limit 15).
  const live: ReloadState = { lastMsn: 9, lastPart: { msn: 10, part: 3 }, partTarget: 0.2, ended: false };
  const table: { query: string; state?: ReloadState; expect: unknown }[] = [
    { query: '', expect: { kind: 'now', skip: false } },
    { query: '_HLS_msn=9', expect: { kind: 'now', skip: false } },
    { query: '_HLS_msn=10', expect: { kind: 'wait', target: { msn: 10, part: null }, skip: false } },
    { query: '_HLS_msn=10&_HLS_part=3', expect: { kind: 'now', skip: false } },
    { query: '_HLS_msn=10&_HLS_part=4', expect: { kind: 'wait', target: { msn: 10, part: 4 }, skip: false } },
    { query: '_HLS_msn=11&_HLS_part=0', expect: { kind: 'wait', target: { msn: 11, part: 0 }, skip: false } },
    { query: '_HLS_msn=11', expect: { kind: 'wait', target: { msn: 11, part: null }, skip: false } },
    { query: '_HLS_msn=3&_HLS_part=99', expect: { kind: 'now', skip: false } },
    { query: '_HLS_msn=10&_HLS_part=18', expect: { kind: 'wait', target: { msn: 10, part: 18 }, skip: false } },
    { query: '_HLS_msn=10&_HLS_part=19', expect: 'bad' },
    { query: '_HLS_msn=11&_HLS_part=15', expect: 'bad' },
    { query: '_HLS_msn=12', expect: 'bad' },
    { query: '_HLS_msn=11&_HLS_part=2&_HLS_skip=YES', expect: { kind: 'wait', target: { msn: 11, part: 2 }, skip: true } },
    { query: '_HLS_skip=v2', expect: { kind: 'now', skip: true } },
    { query: '_HLS_skip=NO', expect: 'bad' },
    { query: '_HLS_part=1', expect: 'bad' },
    { query: '_HLS_msn=-1', expect: 'bad' },
    { query: '_HLS_msn=1.5', expect: 'bad' },
    { query: '_HLS_msn=', expect: 'bad' },
    { query: '_HLS_msn=10&_HLS_part=x', expect: 'bad' },
    { query: '_HLS_msn=1234567890123456', expect: 'bad' },
    { query: '_HLS_msn=10&_HLS_part=0', state: { ...live, partTarget: null, lastPart: null }, expect: 'bad' },
    { query: '_HLS_msn=11', state: { ...live, ended: true }, expect: { kind: 'now', skip: false } },
    { query: '_HLS_msn=0&_HLS_part=0', state: { lastMsn: -1, lastPart: null, partTarget: 0.2, ended: false }, expect: { kind: 'wait', target: { msn: 0, part: 0 }, skip: false } },
  ];
  for (const row of table) {
    it(`?${row.query} -> ${typeof row.expect === 'string' ? row.expect : (row.expect as { kind: string }).kind}`, () => {
      const got = parseReloadRequest(row.query, row.state ?? live);
      if (row.expect === 'bad') assert.equal(got.kind, 'bad', JSON.stringify(got));
      else assert.deepEqual(got, row.expect);
    });
  }

  it('advance part limit: 3 s of parts under a 1 s part target, else 3', () => {
    assert.deepEqual([advancePartLimit(0.2), advancePartLimit(0.333), advancePartLimit(1), advancePartLimit(2)], [15, 10, 3, 3]);
    assert.equal(blockingTimeoutMs(2), 6000);
  });

  it('a waiting request is satisfied by its part, a later part, or a later complete segment', () => {
    const target = { msn: 10, part: 5 };
    assert.equal(isSatisfied(target, live), false);
    assert.equal(isSatisfied(target, { ...live, lastPart: { msn: 10, part: 5 } }), true);
    assert.equal(isSatisfied(target, { ...live, lastPart: { msn: 11, part: 0 } }), true);
    assert.equal(isSatisfied(target, { ...live, lastMsn: 11, lastPart: null }), true);
    assert.equal(isSatisfied({ msn: 10, part: null }, { ...live, lastMsn: 10 }), true);
  });
});

// The per-worker live mirror of an LL-HLS stream (src/actors/hls/hls-live-mirror.ts): a thousand
// parked blocking reloads cost one Set entry each and are answered together, with one shared
// Buffer, by the update that lists their part; those waiting for a later part stay parked;
// deadlines answer 503; the preload-hinted part is handed to its waiter when it lands.
// Also the fmp4 file names derived from the mpegts templates (src/net/hls/fmp4-names.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { LiveMirror, type LiveUpdate } from '../../src/actors/hls/hls-live-mirror.ts';
import { initTemplate, partName, partTemplate, segmentTemplate, withoutParts } from '../../src/net/hls/fmp4-names.ts';
import { matchHlsFile } from '../../src/net/hls/hls-file-match.ts';

class FakeRes extends EventEmitter {
  status = 0;
  headers: Record<string, string> = {};
  body: unknown = null;
  headersSent = false;
  destroyed = false;
  writeHead(status: number, headers: Record<string, string>): this {
    this.status = status;
    this.headers = headers;
    this.headersSent = true;
    return this;
  }
  end(body?: unknown): this {
    this.body = body ?? null;
    return this;
  }
}

const muxer = { worker: 1, id: 7 };
function update(over: Partial<LiveUpdate>): LiveUpdate {
  return {
    key: 'v/live/cam', muxer, snapshot: false, put: [], drop: [], playlist: '#EXTM3U\n',
    reload: { lastMsn: 0, lastPart: { msn: 1, part: 2 }, partTarget: 0.2, ended: false },
    hint: 'live/cam-1.3.m4s', open: 'live/cam-1.m4s', targetDuration: 2, lowLatency: true, ...over,
  };
}

test('one update answers every parked reload it satisfies, with one shared body', () => {
  const m = new LiveMirror('v/live/cam', muxer);
  m.apply(update({ snapshot: true }));
  const waiting = Array.from({ length: 1000 }, () => new FakeRes());
  const later = Array.from({ length: 10 }, () => new FakeRes());
  for (const res of waiting) m.park({ kind: 'playlist', res: res as unknown as ServerResponse, target: { msn: 1, part: 3 }, query: '', head: false, deadline: Date.now() + 6000 });
  for (const res of later) m.park({ kind: 'playlist', res: res as unknown as ServerResponse, target: { msn: 1, part: 4 }, query: '', head: false, deadline: Date.now() + 6000 });
  assert.equal(m.waiters.size, 1010);
  m.apply(update({ playlist: '#EXTM3U\n#part 3\n', reload: { lastMsn: 0, lastPart: { msn: 1, part: 3 }, partTarget: 0.2, ended: false } }));
  assert.equal(m.waiters.size, 10);
  assert.ok(waiting.every((r) => r.status === 200 && r.headers['Cache-Control'] === 'no-cache'));
  assert.ok(waiting.every((r) => r.body === waiting[0]!.body), 'the same Buffer for all');
  assert.equal(String(waiting[0]!.body), '#EXTM3U\n#part 3\n');
  assert.ok(later.every((r) => r.status === 0));
  m.expire(Date.now() + 7000);
  assert.ok(later.every((r) => r.status === 503));
  assert.equal(m.waiters.size, 0);
});

test('a closed request leaves the set; the hinted part goes to its waiter when it lands', () => {
  const m = new LiveMirror('v/live/cam', muxer);
  m.apply(update({ snapshot: true }));
  const gone = new FakeRes();
  m.park({ kind: 'playlist', res: gone as unknown as ServerResponse, target: { msn: 1, part: 3 }, query: '', head: false, deadline: Date.now() + 6000 });
  gone.emit('close');
  assert.equal(m.waiters.size, 0);
  const res = new FakeRes();
  m.park({ kind: 'file', res: res as unknown as ServerResponse, name: 'live/cam-1.3.m4s', head: false, deadline: Date.now() + 6000 });
  const bytes = new Uint8Array([1, 2, 3]);
  m.apply(update({ put: [['live/cam-1.3.m4s', bytes]], hint: 'live/cam-1.4.m4s' }));
  assert.equal(res.status, 200);
  assert.equal(res.body, bytes);
  assert.equal(res.headers['Content-Type'], 'video/iso.segment');
  assert.match(res.headers['Cache-Control']!, /max-age/);
});

test('a playlist is not ready before its first complete segment', () => {
  const m = new LiveMirror('v/live/cam', muxer);
  m.apply(update({ snapshot: true, reload: { lastMsn: -1, lastPart: { msn: 0, part: 1 }, partTarget: 0.2, ended: false } }));
  assert.equal(m.ready, false);
  m.apply(update({ reload: { lastMsn: 0, lastPart: { msn: 1, part: 0 }, partTarget: 0.2, ended: false } }));
  assert.equal(m.ready, true);
});

const NAMES: { name: string; ts: string; m3u8: string; segment: string; part: string; init: string }[] = [
  { name: 'defaults', ts: '[app]/[stream]-[seq].ts', m3u8: '[app]/[stream].m3u8', segment: '[app]/[stream]-[seq].m4s', part: '[app]/[stream]-[seq].[seq].m4s', init: '[app]/[stream]-init-[seq].mp4' },
  { name: 'no .ts suffix', ts: '[app]/[stream]/seg[seq]', m3u8: '[app]/[stream]/index', segment: '[app]/[stream]/seg[seq].m4s', part: '[app]/[stream]/seg[seq].[seq].m4s', init: '[app]/[stream]/index-init-[seq].mp4' },
];

for (const n of NAMES) {
  test(`fmp4 names from the mpegts templates: ${n.name}`, () => {
    assert.equal(segmentTemplate(n.ts), n.segment);
    assert.equal(partTemplate(n.ts), n.part);
    assert.equal(initTemplate(n.m3u8), n.init);
  });
}

test('parts, segments and init segments name their stream for the token check', () => {
  assert.equal(partName('live/cam-12.m4s', 3), 'live/cam-12.3.m4s');
  assert.deepEqual(matchHlsFile(partTemplate('[app]/[stream]-[seq].ts'), '/live/cam-12.3.m4s'), { app: 'live', stream: 'cam' });
  assert.deepEqual(matchHlsFile(segmentTemplate('[app]/[stream]-[seq].ts'), '/live/cam-12.m4s'), { app: 'live', stream: 'cam' });
  assert.deepEqual(matchHlsFile(initTemplate('[app]/[stream].m3u8'), '/live/cam-init-0.mp4'), { app: 'live', stream: 'cam' });
  assert.equal(matchHlsFile(partTemplate('[app]/[stream]-[seq].ts'), '/live/cam-x.3.m4s'), null);
});

test('the disk playlist leaves out the low-latency tags', () => {
  const ll = '#EXTM3U\n#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.600\n#EXT-X-PART-INF:PART-TARGET=0.200\n#EXT-X-MAP:URI="a.mp4"\n#EXT-X-PART:DURATION=0.200,URI="a-0.0.m4s",INDEPENDENT=YES\n#EXTINF:0.200,\na-0.m4s\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="a-1.0.m4s"\n';
  assert.equal(withoutParts(ll), '#EXTM3U\n#EXT-X-MAP:URI="a.mp4"\n#EXTINF:0.200,\na-0.m4s\n');
});

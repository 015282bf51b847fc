// A tiny HLS origin for browser tests, on 127.0.0.1: serves a page with hls.js, the init
// segment, and the segments and parts muxed by flvToCmaf. As 'vod' it serves the finished
// playlist at once; as 'live' it publishes each part when its media time has passed in real
// time (a simulated encoder) through an Fmp4Window, and answers blocking playlist reloads
// (_HLS_msn/_HLS_part) with parseReloadRequest and isSatisfied, as the server will.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockingTimeoutMs, isSatisfied, parseReloadRequest, type ReloadTarget } from '../../src/net/hls/blocking-reload.ts';
import { Fmp4Window } from '../../src/net/hls/fmp4-window.ts';
import type { CmafResult } from './flv-to-cmaf.ts';

const HLS_JS = new URL('../../node_modules/hls.js/dist/hls.min.js', import.meta.url);

export type HlsTestOrigin = { url: string; requests: string[]; badRequests: number; close(): Promise<void> };

type Waiter = { target: ReloadTarget; res: http.ServerResponse; timer: NodeJS.Timeout };

export async function startHlsTestOrigin(out: CmafResult, mode: 'vod' | 'live', partMs: number): Promise<HlsTestOrigin> {
  const files = new Map<string, Uint8Array>([['init.mp4', out.init]]);
  const requests: string[] = [];
  let badRequests = 0;
  const window = new Fmp4Window({ window: 1e9, targetDuration: 2, partTarget: partMs / 1000, map: 'init.mp4' });
  const waiters = new Set<Waiter>();
  // Requests for a part or segment not published yet (a preload hint) wait for it.
  type FileWaiter = { name: string; res: http.ServerResponse; timer: NodeJS.Timeout };
  const fileWaiters = new Set<FileWaiter>();
  const sendFile = (name: string, res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': name.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment' }).end(files.get(name));
  };
  let playlist = mode === 'vod' ? out.playlist : window.render();
  const answer = (res: http.ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-cache' }).end(playlist);
  };

  // The live schedule: part k is published when its end time has passed since the start.
  const events: { atMs: number; run: () => void }[] = [];
  const t0 = out.segments[0]?.startMs ?? 0;
  if (mode === 'vod') {
    for (const s of out.segments) files.set(s.uri, s.bytes);
  } else {
    for (const s of out.segments) {
      let end = s.startMs;
      s.parts.forEach((p, i) => {
        end += p.durationMs;
        events.push({
          atMs: end - t0,
          run: () => {
            files.set(p.uri, p.bytes);
            window.addPart({ uri: p.uri, duration: p.durationMs / 1000, independent: p.independent });
            if (i === s.parts.length - 1) {
              files.set(s.uri, s.bytes);
              window.addSegment({ uri: s.uri, duration: s.durationMs / 1000 });
            }
            window.setPreloadHint(`seg-${window.nextMsn}.${window.nextPart}.m4s`);
          },
        });
      });
    }
  }
  const started = Date.now();
  const clock = setInterval(() => {
    let changed = false;
    while (events.length > 0 && events[0]!.atMs <= Date.now() - started) {
      events.shift()!.run();
      changed = true;
    }
    if (!changed) return;
    playlist = window.render();
    for (const f of fileWaiters) {
      if (!files.has(f.name)) continue;
      clearTimeout(f.timer);
      fileWaiters.delete(f);
      sendFile(f.name, f.res);
    }
    for (const w of waiters) {
      if (!isSatisfied(w.target, window.reloadState())) continue;
      clearTimeout(w.timer);
      waiters.delete(w);
      answer(w.res);
    }
  }, 10);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname + url.search);
    const name = url.pathname.slice(1);
    if (name === '' || name === 'index.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><video id="v" muted playsinline></video><script src="/hls.min.js"></script>');
    } else if (name === 'hls.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(HLS_JS));
    } else if (name === 'index.m3u8') {
      let r: ReturnType<typeof parseReloadRequest> = mode === 'live' ? parseReloadRequest(url.searchParams, window.reloadState()) : { kind: 'now', skip: false };
      // A live playlist without a complete segment is held until it has one: with parts
      // only, hls.js 1.7 reports levelEmptyError (and recovers).
      if (r.kind === 'now' && mode === 'live' && window.reloadState().lastMsn < 0) r = { kind: 'wait', target: { msn: 0, part: null }, skip: false };
      if (r.kind === 'bad') {
        badRequests++;
        res.writeHead(400).end(r.reason);
      } else if (r.kind === 'wait') {
        const w: Waiter = { target: r.target, res, timer: setTimeout(() => (waiters.delete(w), res.writeHead(503).end()), blockingTimeoutMs(2)) };
        waiters.add(w);
      } else {
        answer(res);
      }
    } else if (files.has(name)) {
      sendFile(name, res);
    } else if (mode === 'live' && /^seg-\d+(\.\d+)?\.m4s$/.test(name)) {
      const f: FileWaiter = { name, res, timer: setTimeout(() => (fileWaiters.delete(f), res.writeHead(404).end()), 6000) };
      fileWaiters.add(f);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get badRequests() {
      return badRequests;
    },
    close: async () => {
      clearInterval(clock);
      for (const w of waiters) clearTimeout(w.timer);
      for (const f of fileWaiters) clearTimeout(f.timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

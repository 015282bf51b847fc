// What one worker holds of a live fmp4 / low_latency HLS stream: the muxer's files in
// memory (init, recent parts and segments), its playlist, and the HTTP requests parked
// on them. The CmafMuxer (publisher's worker) sends every change to each worker that has
// viewers (hls-live-store.ts); requests on that worker are answered from here, so a viewer
// costs no cross-thread message at all, and a part crosses threads once per worker.
//
// Parked requests: a blocking playlist reload (_HLS_msn/_HLS_part) and a request for the
// part the preload hint names before it exists. Each is one entry in a Set; when an update
// lands, every satisfied entry is answered with the same Buffer (rendered once per update,
// plus once per distinct token query). Deadlines are swept by the store's tick, so a
// thousand parked viewers cost no thousand timers.

import type { ServerResponse } from 'node:http';
import type { ActorRef } from '../../runtime/index.ts';
import { isSatisfied, type ReloadState, type ReloadTarget } from '../../net/hls/blocking-reload.ts';
import { addQueryToUris } from '../../net/hls/playlist-query.ts';
import { baseHeaders, sendText } from '../../io/http-errors.ts';

/** One change (or, with `snapshot`, the whole state) of a live stream, muxer to store. */
export interface LiveUpdate {
  key: string;
  muxer: ActorRef;
  snapshot: boolean;
  /** Files by their path under hls.path ("live/cam-3.2.m4s"). */
  put: [string, Uint8Array][];
  drop: string[];
  playlist: string;
  reload: ReloadState;
  /** Path of the part the preload hint names, and of the segment being written. */
  hint: string | null;
  open: string | null;
  /** EXT-X-TARGETDURATION (bounds how long a request is parked). */
  targetDuration: number;
  lowLatency: boolean;
}

export type PlaylistWaiter = { kind: 'playlist'; res: ServerResponse; target: ReloadTarget; query: string; head: boolean; deadline: number };
export type FileWaiter = { kind: 'file'; res: ServerResponse; name: string; head: boolean; deadline: number };

export const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
// Parts and segments never change once listed; init URIs are new for new bytes.
const MEDIA_CACHE = 'public, max-age=60';

export class LiveMirror {
  readonly key: string;
  readonly muxerRef: ActorRef | null;
  readonly files = new Map<string, Uint8Array>();
  playlist = '';
  private body: Buffer = Buffer.alloc(0);
  reload: ReloadState = { lastMsn: -1, lastPart: null, partTarget: null, ended: false };
  hint: string | null = null;
  open: string | null = null;
  targetDuration = 1;
  lowLatency = false;
  lastAsked = Date.now();
  readonly waiters = new Set<PlaylistWaiter | FileWaiter>();

  constructor(key: string, muxer: ActorRef) {
    this.key = key;
    this.muxerRef = muxer;
  }

  /** A playlist can be served once it has a complete segment (hls.js: levelEmptyError). */
  get ready(): boolean {
    return this.reload.lastMsn >= 0 || this.reload.ended;
  }

  apply(u: LiveUpdate): void {
    if (u.snapshot) this.files.clear();
    for (const name of u.drop) this.files.delete(name);
    for (const [name, bytes] of u.put) this.files.set(name, bytes);
    this.playlist = u.playlist;
    this.body = Buffer.from(u.playlist, 'utf8');
    this.reload = u.reload;
    this.hint = u.hint;
    this.open = u.open;
    this.targetDuration = u.targetDuration;
    this.lowLatency = u.lowLatency;
    if (this.waiters.size > 0) this.wake();
  }

  /** Answers every parked request whose wait is over. */
  private wake(): void {
    const bodies = new Map<string, Buffer>();
    for (const w of this.waiters) {
      if (w.kind === 'playlist') {
        if (!this.ready || !isSatisfied(w.target, this.reload)) continue;
        this.waiters.delete(w);
        let body = bodies.get(w.query);
        if (body === undefined) {
          body = w.query === '' ? this.body : Buffer.from(addQueryToUris(this.playlist, w.query), 'utf8');
          bodies.set(w.query, body);
        }
        sendPlaylist(w.res, body, w.head);
      } else {
        const bytes = this.files.get(w.name);
        if (bytes === undefined) continue;
        this.waiters.delete(w);
        sendMedia(w.res, w.name, bytes, w.head);
      }
    }
  }

  /** The playlist now, with `query` on its URIs. */
  playlistBody(query: string): Buffer {
    return query === '' ? this.body : Buffer.from(addQueryToUris(this.playlist, query), 'utf8');
  }

  park(w: PlaylistWaiter | FileWaiter): void {
    this.waiters.add(w);
    w.res.once('close', () => this.waiters.delete(w));
  }

  /** Past their deadline: a playlist wait gets 503 (rfc8216bis 6.2.5.2), a file wait 404. */
  expire(now: number): void {
    for (const w of this.waiters) {
      if (w.deadline > now) continue;
      this.waiters.delete(w);
      if (w.res.headersSent || w.res.destroyed) continue;
      if (w.kind === 'playlist') sendText(w.res, 503, 'Service Unavailable', { 'Cache-Control': 'no-cache' });
      else sendText(w.res, 404, 'Not Found');
    }
  }

  /** The stream is gone from this worker: parked requests get what there is. */
  close(): void {
    for (const w of this.waiters) {
      if (w.res.headersSent || w.res.destroyed) continue;
      if (w.kind === 'playlist' && this.ready) sendPlaylist(w.res, this.body, w.head);
      else sendText(w.res, 404, 'Not Found');
    }
    this.waiters.clear();
  }
}

export function sendPlaylist(res: ServerResponse, body: Buffer, head: boolean): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, { ...baseHeaders(), 'Content-Type': PLAYLIST_TYPE, 'Content-Length': String(body.length), 'Cache-Control': 'no-cache' });
  res.end(head ? undefined : body);
}

export function sendMedia(res: ServerResponse, name: string, bytes: Uint8Array, head: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const type = name.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment';
  res.writeHead(200, { ...baseHeaders(), 'Content-Type': type, 'Content-Length': String(bytes.length), 'Cache-Control': MEDIA_CACHE });
  res.end(head ? undefined : bytes);
}

// The HTTP side of the fmp4 / low_latency variants: playlists, parts, segments and init
// segments of a live stream answered from this worker's memory (hls-live-mirror.ts), with
// blocking playlist reloads (rfc8216bis 6.2.5.2) and preload-hinted parts parked until they
// exist. Anything the mirror does not hold (an old segment, a stream that has ended) falls
// through to the files under hls.path, served like any HLS file.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActorContext } from '../../runtime/index.ts';
import type { HlsConfig } from '../../config/types.ts';
import { matchHlsFile } from '../../net/hls/hls-file-match.ts';
import { initTemplate, partTemplate, segmentTemplate } from '../../net/hls/fmp4-names.ts';
import { blockingTimeoutMs, parseReloadRequest, type ReloadTarget } from '../../net/hls/blocking-reload.ts';
import { streamKey } from '../../net/rtmp/stream-url.ts';
import { sendText } from '../../io/http-errors.ts';
import type { LiveMirrors } from './hls-live-store.ts';
import { sendMedia, sendPlaylist } from './hls-live-mirror.ts';

/** Matches the first complete segment, whatever its msn (see LiveMirror.ready). */
const FIRST_SEGMENT: ReloadTarget = { msn: -1, part: null };

/** The app/stream an fmp4 HLS request names, under the vhost's templates; null: none. */
export function matchFmp4File(hls: HlsConfig, pathname: string): { app: string; stream: string } | null {
  if (pathname.endsWith('.m3u8')) return matchHlsFile(hls.m3u8_file, pathname);
  if (pathname.endsWith('.mp4')) return matchHlsFile(initTemplate(hls.m3u8_file), pathname);
  if (pathname.endsWith('.m4s')) return matchHlsFile(partTemplate(hls.ts_file), pathname) ?? matchHlsFile(segmentTemplate(hls.ts_file), pathname);
  return null;
}

/**
 * Answers from memory when the stream is live here in the fmp4 / low_latency variant; false,
 * having written nothing, when the files on disk should answer instead.
 */
export async function serveLiveHls(
  ctx: ActorContext,
  live: LiveMirrors,
  req: IncomingMessage,
  res: ServerResponse,
  vhost: string,
  hls: HlsConfig,
  url: URL,
  query: string,
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const where = matchFmp4File(hls, url.pathname);
  if (where === null) return false;
  const found = live.open(ctx, streamKey({ vhost, app: where.app, stream: where.stream }));
  const m = found instanceof Promise ? await found : found;
  if (m === null || res.destroyed) return false;
  const head = req.method === 'HEAD';
  if (url.pathname.endsWith('.m3u8')) {
    const r = parseReloadRequest(url.searchParams, m.reload);
    if (r.kind === 'bad') {
      sendText(res, 400, `Bad Request: ${r.reason}`, { 'Cache-Control': 'no-cache' });
      return true;
    }
    const target = r.kind === 'wait' ? r.target : m.ready ? null : FIRST_SEGMENT;
    if (target === null) {
      sendPlaylist(res, m.playlistBody(query), head);
      return true;
    }
    m.park({ kind: 'playlist', res, target, query, head, deadline: Date.now() + blockingTimeoutMs(m.targetDuration) });
    return true;
  }
  let name: string;
  try {
    name = decodeURIComponent(url.pathname).slice(1);
  } catch {
    return false;
  }
  const bytes = m.files.get(name);
  if (bytes !== undefined) {
    sendMedia(res, name, bytes, head);
    return true;
  }
  // The part the preload hint names, or the segment being written: wait for it (bounded).
  if (name === m.hint || name === m.open) {
    m.park({ kind: 'file', res, name, head, deadline: Date.now() + blockingTimeoutMs(m.targetDuration) });
    return true;
  }
  return false;
}

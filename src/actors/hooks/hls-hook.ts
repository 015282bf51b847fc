// The on_hls hook of each completed HLS segment, with SRS's body: fire and forget, as
// SRS runs it on an async worker; a failure is logged by callHook and never touches the
// stream. The HlsMuxer only reports the segment (its onSegment callback); the body and
// the call are made here. The hook URLs are read from the configuration in force when
// the segment closes, so a reload that adds or removes on_hls applies at once.

import { relative, resolve, sep } from 'node:path';
import { callHook, type HookEnvironment, type HookLog } from './hooks.ts';
import { hlsBody } from '../../net/hooks/hook-bodies.ts';
import { streamUrl } from '../../net/rtmp/stream-url.ts';
import type { DvrSubject } from './dvr-hook.ts';
import type { HlsSegmentEvent } from '../hls/hls-muxer.ts';

/** Who publishes the stream being segmented: the same subject as on_dvr's. */
export type HlsSubject = DvrSubject;

/** SRS's `url` and `m3u8_url`: relative to `hls.path` (what the HTTP server serves), no leading slash. */
function servedUrl(hlsPath: string, file: string): string {
  return relative(resolve(hlsPath), file).split(sep).join('/');
}

export function notifyHls(s: HlsSubject, hlsPath: string, seg: HlsSegmentEvent, log: HookLog, env: HookEnvironment): void {
  const hooks = env.config.vhosts[s.vhost]?.http_hooks;
  if (!hooks?.enabled || hooks.on_hls.length === 0) return;
  const body = hlsBody(env.hookIdentity, {
    clientId: s.clientId, ip: s.ip, vhost: s.vhost, app: s.app, stream: s.stream, param: s.param,
    tcUrl: s.tcUrl, pageUrl: '', streamUrl: streamUrl(s), ...(s.streamId ? { streamId: s.streamId } : {}),
  }, {
    duration: seg.duration, cwd: process.cwd(), file: seg.file, url: servedUrl(hlsPath, seg.file),
    m3u8: seg.m3u8, m3u8_url: servedUrl(hlsPath, seg.m3u8), seq_no: seg.seq,
  });
  callHook('on_hls', hooks.on_hls, body, { log, counts: env.hookCounts }).catch((err: Error) => log.warn({ hook: 'on_hls', err: err.message }, 'hook failed'));
}

/** The muxer's onSegment callback for a stream whose publisher is `s`. */
export function hlsSegmentHook(s: HlsSubject, hlsPath: string, log: HookLog, env: HookEnvironment): (seg: HlsSegmentEvent) => void {
  return (seg) => notifyHls(s, hlsPath, seg, log, env);
}

// The JSON bodies of the HTTP hooks, field for field and in SRS's order:
// hook servers written for SRS sometimes compare raw bodies, so the order is part of the
// contract. Pure: values in, plain objects out (JSON.stringify keeps insertion order).

export type HookEventName = 'on_connect' | 'on_close' | 'on_publish' | 'on_unpublish' | 'on_play' | 'on_stop' | 'on_dvr' | 'on_hls';

/** The hooks whose failure refuses the client, as in SRS; the others' failures are only logged. */
export const DENYING_EVENTS: ReadonlySet<HookEventName> = new Set(['on_connect', 'on_publish', 'on_play']);

/** Who is calling: the same server id as the API, and this process's service id. */
export interface HookIdentity {
  serverId: string;
  serviceId: string;
}

/** The client and stream a hook is about. */
export interface HookSubject {
  clientId: string;
  ip: string;
  vhost: string;
  app: string;
  stream: string;
  /** With its leading '?', or ''. */
  param: string;
  tcUrl: string;
  pageUrl: string;
  /** SRS's stream_url: `/app/stream`, or `vhost/app/stream` off the default vhost. */
  streamUrl: string;
  /** The stream's id in /api/v1/streams; left out of the body when unknown. */
  streamId?: string;
}

export interface HlsSegmentInfo {
  /** Seconds, float. */
  duration: number;
  cwd: string;
  file: string;
  /** Relative, no leading slash. */
  url: string;
  m3u8: string;
  m3u8_url: string;
  seq_no: number;
}

function head(id: HookIdentity, action: HookEventName, s: HookSubject) {
  return { server_id: id.serverId, service_id: id.serviceId, action, client_id: s.clientId, ip: s.ip, vhost: s.vhost, app: s.app };
}

function streamTail(s: HookSubject) {
  return s.streamId ? { stream_url: s.streamUrl, stream_id: s.streamId } : { stream_url: s.streamUrl };
}

export function connectBody(id: HookIdentity, s: HookSubject): object {
  return { ...head(id, 'on_connect', s), stream: s.stream, param: s.param, tcUrl: s.tcUrl, pageUrl: s.pageUrl };
}

export function closeBody(id: HookIdentity, s: HookSubject, sendBytes: number, recvBytes: number): object {
  return { ...head(id, 'on_close', s), send_bytes: sendBytes, recv_bytes: recvBytes };
}

export function publishBody(id: HookIdentity, action: 'on_publish' | 'on_unpublish', s: HookSubject): object {
  return { ...head(id, action, s), tcUrl: s.tcUrl, stream: s.stream, param: s.param, ...streamTail(s) };
}

export function playBody(id: HookIdentity, s: HookSubject): object {
  return { ...head(id, 'on_play', s), stream: s.stream, tcUrl: s.tcUrl, param: s.param, pageUrl: s.pageUrl, ...streamTail(s) };
}

export function stopBody(id: HookIdentity, s: HookSubject): object {
  return { ...head(id, 'on_stop', s), tcUrl: s.tcUrl, stream: s.stream, param: s.param, ...streamTail(s) };
}

export function dvrBody(id: HookIdentity, s: HookSubject, cwd: string, file: string): object {
  return { ...head(id, 'on_dvr', s), tcUrl: s.tcUrl, stream: s.stream, param: s.param, cwd, file, ...streamTail(s) };
}

export function hlsBody(id: HookIdentity, s: HookSubject, seg: HlsSegmentInfo): object {
  return {
    ...head(id, 'on_hls', s), tcUrl: s.tcUrl, stream: s.stream, param: s.param,
    duration: seg.duration, cwd: seg.cwd, file: seg.file, url: seg.url, m3u8: seg.m3u8, m3u8_url: seg.m3u8_url, seq_no: seg.seq_no,
    ...streamTail(s),
  };
}

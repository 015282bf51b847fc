// An HTTP-FLV viewer for the integration tests: a plain http.get whose body is fed to the
// project's FlvReader, with the checks every viewer's start must pass (as SRS
// starts one: header, onMetaData, sequence headers, keyframe, then timestamps that go on).
import http from 'node:http';
import { FlvReader } from '../../src/net/flv/flv-reader.ts';
import { FLV_TAG_SCRIPT, type FlvTag } from '../../src/net/flv/flv-tag.ts';
import type { FlvHeader } from '../../src/net/flv/flv-header.ts';

// FLV tag types, the same numbers as RTMP's message types (the server uses those).
export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;

export interface FlvViewerResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  header: FlvHeader | null;
  tags: FlvTag[];
  /** ms from the request to the response headers; -1 if they never came. */
  headersAfterMs: number;
  /** Set when the reader failed or the connection broke early. */
  error: string | null;
}

export interface FlvViewerOptions {
  headers?: Record<string, string>;
  /** Stop reading once this many milliseconds of video timestamps have arrived. */
  mediaMs?: number;
  timeoutMs?: number;
}

/** Plays `url` until `mediaMs` of video (after the first keyframe) or the timeout. */
export function watchFlv(url: string, opts: FlvViewerOptions = {}): Promise<FlvViewerResult> {
  const mediaMs = opts.mediaMs ?? 2000;
  const started = Date.now();
  return new Promise((resolve) => {
    const reader = new FlvReader();
    const result: FlvViewerResult = { status: 0, headers: {}, header: null, tags: [], headersAfterMs: -1, error: null };
    let firstKeyTs = -1;
    let done = false;
    const finish = (error: string | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error && !result.error) result.error = error;
      result.header = reader.header;
      req.destroy();
      resolve(result);
    };
    const req = http.get(url, { headers: opts.headers, agent: false }, (res) => {
      result.status = res.statusCode ?? 0;
      result.headers = res.headers;
      result.headersAfterMs = Date.now() - started;
      res.on('data', (chunk: Buffer) => {
        if (done) return;
        let tags: FlvTag[];
        try {
          tags = reader.push(chunk);
        } catch (err) {
          finish(`flv reader: ${(err as Error).message}`);
          return;
        }
        for (const t of tags) {
          result.tags.push(t);
          if (t.type === FLV_TAG_VIDEO && isKeyframe(t) && !isSequenceHeader(t) && firstKeyTs < 0) firstKeyTs = t.timestamp;
          if (t.type === FLV_TAG_VIDEO && firstKeyTs >= 0 && t.timestamp - firstKeyTs >= mediaMs) {
            finish(null);
            return;
          }
        }
      });
      res.on('end', () => finish('response ended'));
      res.on('error', (err) => finish(err.message));
    });
    req.on('error', (err) => finish(err.message));
    const timer = setTimeout(() => finish(`timeout after ${opts.timeoutMs ?? 15000} ms`), opts.timeoutMs ?? 15000);
  });
}

export function isSequenceHeader(t: FlvTag): boolean {
  if (t.type === FLV_TAG_VIDEO) return (t.data[0]! & 0x0f) === 7 && t.data[1] === 0;
  if (t.type === FLV_TAG_AUDIO) return t.data[0]! >> 4 === 10 && t.data[1] === 0;
  return false;
}

export function isKeyframe(t: FlvTag): boolean {
  return t.type === FLV_TAG_VIDEO && t.data[0]! >> 4 === 1;
}

/** The AMF0 string a script tag starts with ("onMetaData"), or null. */
export function scriptName(t: FlvTag): string | null {
  if (t.type !== FLV_TAG_SCRIPT || t.data[0] !== 0x02) return null;
  const len = (t.data[1]! << 8) | t.data[2]!;
  return Buffer.from(t.data.subarray(3, 3 + len)).toString('latin1');
}

/**
 * Everything wrong with the start and the order of a viewer's tags, as sentences; empty
 * when the stream starts like an RTMP play and timestamps never go back within a track.
 */
export function flvStartProblems(r: FlvViewerResult, mediaMs: number): string[] {
  const problems: string[] = [];
  if (r.status !== 200) problems.push(`status ${r.status}`);
  if (!r.header) problems.push('no FLV header');
  else if (!r.header.audio || !r.header.video) problems.push(`FLV header flags audio=${r.header.audio} video=${r.header.video}`);
  const tags = r.tags;
  if (tags.length === 0) return [...problems, 'no tags'];
  if (scriptName(tags[0]!) !== 'onMetaData') problems.push(`first tag is type ${tags[0]!.type}, not onMetaData`);
  let i = 1;
  let audioSh = false;
  let videoSh = false;
  while (i < tags.length && (tags[i]!.type === FLV_TAG_SCRIPT || isSequenceHeader(tags[i]!))) {
    if (tags[i]!.type === FLV_TAG_AUDIO) audioSh = true;
    if (tags[i]!.type === FLV_TAG_VIDEO) videoSh = true;
    i++;
  }
  if (!audioSh || !videoSh) problems.push(`sequence headers before media: audio=${audioSh} video=${videoSh}`);
  const firstVideo = tags.slice(i).find((t) => t.type === FLV_TAG_VIDEO);
  if (!firstVideo) problems.push('no video after the sequence headers');
  else if (!isKeyframe(firstVideo)) problems.push(`first video frame after the headers is not a keyframe (ts ${firstVideo.timestamp})`);
  const last: Record<number, number> = { [FLV_TAG_AUDIO]: -1, [FLV_TAG_VIDEO]: -1 };
  let firstKey = -1;
  let lastVideo = -1;
  for (; i < tags.length; i++) {
    const t = tags[i]!;
    if (t.type !== FLV_TAG_AUDIO && t.type !== FLV_TAG_VIDEO) continue;
    if (isSequenceHeader(t)) continue;
    if (t.timestamp <= last[t.type]!) problems.push(`type ${t.type} timestamp ${t.timestamp} after ${last[t.type]} (tag ${i})`);
    last[t.type] = t.timestamp;
    if (t.type === FLV_TAG_VIDEO) {
      if (firstKey < 0 && isKeyframe(t)) firstKey = t.timestamp;
      lastVideo = t.timestamp;
    }
  }
  if (last[FLV_TAG_AUDIO]! < 0) problems.push('no audio frames');
  if (firstKey < 0 || lastVideo - firstKey < mediaMs) problems.push(`only ${lastVideo - firstKey} ms of video after the first keyframe`);
  return problems.slice(0, 10);
}

// Watches a live HLS playlist over HTTP the way an impatient player would: it polls the
// playlist every few milliseconds, fetches every segment the moment it is first listed,
// fetches it again on a later poll, and writes down everything a player could trip on
// (an unparsable playlist, a listed segment that is missing, not whole 188-byte packets,
// or that changed after it was listed, a sequence number that jumps or goes back).
import { parseMediaPlaylist, type ParsedMediaPlaylist } from '../../src/net/hls/m3u8.ts';
import { httpGet, type HttpAnswer } from './http-get.ts';

export interface WatchedSegment {
  sequence: number;
  uri: string;
  url: string;
  duration: number;
  discontinuity: boolean;
  /** The bytes as first fetched, right after the segment was first listed. */
  bytes: Buffer;
  contentType: string;
  /** Fetched a second time, later, and found byte-identical. */
  recheckedSame: boolean | null;
  firstListedAt: number;
}

/** Why a buffer is not a whole MPEG-TS: null when it is. */
export function tsProblem(buf: Buffer): string | null {
  if (buf.length === 0) return 'empty';
  if (buf.length % 188 !== 0) return `length ${buf.length} is not a multiple of 188`;
  for (let off = 0; off < buf.length; off += 188) {
    if (buf[off] !== 0x47) return `no sync byte at offset ${off} of ${buf.length}`;
  }
  return null;
}

export class HlsWatcher {
  readonly url: string;
  readonly segments = new Map<number, WatchedSegment>();
  readonly problems: string[] = [];
  /** Every distinct playlist text seen, in order. */
  readonly playlists: { at: number; text: string; parsed: ParsedMediaPlaylist }[] = [];
  /** When a playlist first listed a segment that fetched whole (Date.now()). */
  firstPlayableAt = -1;
  endedAt = -1;
  /** Times (Date.now()) the playlist answered 404 after it had been served once. */
  readonly vanished: number[] = [];
  playlistContentType = '';
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly intervalMs: number;
  private readonly onSegment: ((s: WatchedSegment) => void) | null;

  constructor(url: string, opts: { intervalMs?: number; onSegment?: (s: WatchedSegment) => void } = {}) {
    this.url = url;
    this.intervalMs = opts.intervalMs ?? 25;
    this.onSegment = opts.onSegment ?? null;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  get last(): ParsedMediaPlaylist | null {
    return this.playlists.length ? this.playlists[this.playlists.length - 1]!.parsed : null;
  }

  private problem(text: string): void {
    if (this.problems.length < 50) this.problems.push(text);
  }

  private async run(): Promise<void> {
    let lastText = '';
    let lastMediaSequence = -1;
    while (this.running) {
      const started = Date.now();
      try {
        const r = await httpGet(this.url, { timeoutMs: 5000 });
        if (r.status === 200) {
          const text = r.body.toString('utf8');
          this.playlistContentType = String(r.headers['content-type'] ?? '');
          let parsed: ParsedMediaPlaylist | null = null;
          try {
            parsed = parseMediaPlaylist(text);
          } catch (err) {
            this.problem(`unparsable playlist (${(err as Error).message}): ${JSON.stringify(text.slice(0, 300))}`);
          }
          if (parsed) {
            if (text !== lastText) {
              this.playlists.push({ at: started, text, parsed });
              lastText = text;
            }
            if (parsed.mediaSequence < lastMediaSequence) {
              this.problem(`EXT-X-MEDIA-SEQUENCE went back from ${lastMediaSequence} to ${parsed.mediaSequence}`);
            }
            lastMediaSequence = parsed.mediaSequence;
            await this.visit(parsed, started);
            if (parsed.ended && this.endedAt < 0) this.endedAt = started;
          }
        } else if (r.status === 404) {
          if (this.playlists.length > 0) this.vanished.push(started);
        } else {
          this.problem(`playlist answered ${r.status}`);
        }
      } catch (err) {
        this.problem(`playlist fetch failed: ${(err as Error).message}`);
      }
      const wait = this.intervalMs - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  private async visit(p: ParsedMediaPlaylist, listedAt: number): Promise<void> {
    for (const s of p.segments) {
      const known = this.segments.get(s.sequence);
      if (known) {
        if (known.uri !== s.uri) this.problem(`sequence ${s.sequence} was ${known.uri}, now ${s.uri}`);
        if (known.recheckedSame === null && listedAt - known.firstListedAt > 300) {
          const again = await httpGet(known.url, { timeoutMs: 5000 }).catch(() => null);
          // Gone (slid out and deleted) between the playlist fetch and this one: not a fault.
          if (again && again.status === 200) {
            known.recheckedSame = again.body.equals(known.bytes);
            if (!known.recheckedSame) {
              this.problem(`segment ${s.uri} changed after it was listed: ${known.bytes.length} then ${again.body.length} bytes`);
            }
          }
        }
        continue;
      }
      const url = new URL(s.uri, this.url).toString();
      const r: HttpAnswer = await httpGet(url, { timeoutMs: 5000 }).catch((err: Error) => ({ status: -1, headers: {}, body: Buffer.from(err.message) }));
      if (r.status !== 200) {
        this.problem(`segment ${s.uri} (seq ${s.sequence}) is listed but answered ${r.status}`);
        continue;
      }
      const bad = tsProblem(r.body);
      if (bad) this.problem(`segment ${s.uri} (seq ${s.sequence}) as first listed: ${bad}`);
      const length = Number(r.headers['content-length']);
      if (length !== r.body.length) this.problem(`segment ${s.uri}: Content-Length ${r.headers['content-length']}, body ${r.body.length}`);
      const seg: WatchedSegment = {
        sequence: s.sequence,
        uri: s.uri,
        url,
        duration: s.duration,
        discontinuity: s.discontinuity,
        bytes: r.body,
        contentType: String(r.headers['content-type'] ?? ''),
        recheckedSame: null,
        firstListedAt: listedAt,
      };
      this.segments.set(s.sequence, seg);
      if (!bad && this.firstPlayableAt < 0) this.firstPlayableAt = listedAt;
      this.onSegment?.(seg);
    }
  }
}

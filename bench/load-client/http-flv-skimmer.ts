// The load client's HTTP-FLV parser: it finds the end of the response head, then walks
// the chunked framing and, inside the chunk data, the FLV tag headers, skipping tag
// bodies. Per read it costs a few steps per chunk and per tag, nothing per media byte,
// and it allocates nothing after the head (which is collected once per connection).

/** A response head longer than this is an error (Sluice's is about 300 bytes). */
const MAX_HEAD = 8192;
/** FLV header (9 bytes) + PreviousTagSize0 (4). */
const FLV_PREAMBLE = 13;
const TAG_HEADER = 11;
/** Chunk sizes beyond this are not something a live FLV server sends. */
const MAX_CHUNK = 2 ** 40;

export const TAG_AUDIO = 8;
export const TAG_VIDEO = 9;
export const TAG_SCRIPT = 18;

const CR = 13;
const LF = 10;

const S_HEAD = 0;
const S_SIZE = 1;
const S_EXT = 2;
const S_SIZE_LF = 3;
const S_DATA = 4;
const S_DATA_CR = 5;
const S_DATA_LF = 6;
/** No chunked framing: every byte until the close is FLV. */
const S_IDENTITY = 7;
const S_DONE = 8;

export interface FlvSkimmerOwner {
  /** The response head ended with this status (the body follows only for 200). */
  onHead(status: number): void;
  /** A tag header was read: type (8 audio, 9 video, 18 script), timestamp (ms), body size. */
  onTag(type: number, timestamp: number, size: number): void;
  /** The last chunk (size 0) arrived. */
  onEnd(): void;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

export class HttpFlvSkimmer {
  /** Set when the stream breaks a rule we rely on; the owner closes the connection. */
  error = '';
  /** The response uses chunked transfer encoding (known once the head is read). */
  chunked = false;
  /** HTTP chunks with data so far: how many writes the server made. */
  chunks = 0;
  private readonly owner: FlvSkimmerOwner;
  private state = S_HEAD;
  private head: Buffer | null = null;
  private headLen = 0;
  private chunkSize = 0;
  private sizeDigits = 0;
  private chunkLeft = 0;
  /** FLV bytes to skip (preamble, tag body + PreviousTagSize). */
  private skip = FLV_PREAMBLE;
  /** A tag header cut by a chunk or read boundary waits here. */
  private readonly tagHeader = new Uint8Array(TAG_HEADER);
  private tagHeaderLen = 0;

  constructor(owner: FlvSkimmerOwner) {
    this.owner = owner;
  }

  get ended(): boolean {
    return this.state === S_DONE;
  }

  /** Feeds b[start, end). The bytes are not kept after the call returns. */
  push(b: Uint8Array, start: number, end: number): void {
    let o = start;
    while (o < end && !this.error) {
      switch (this.state) {
        case S_DATA: {
          const n = Math.min(this.chunkLeft, end - o);
          this.flv(b, o, o + n);
          o += n;
          this.chunkLeft -= n;
          if (this.chunkLeft === 0) this.state = S_DATA_CR;
          break;
        }
        case S_IDENTITY:
          this.flv(b, o, end);
          o = end;
          break;
        case S_SIZE: {
          const c = b[o++];
          const v = hexValue(c);
          if (v >= 0) {
            this.chunkSize = this.chunkSize * 16 + v;
            this.sizeDigits++;
            if (this.chunkSize > MAX_CHUNK) this.error = 'chunk size too large';
          } else if (c === CR) {
            this.state = S_SIZE_LF;
          } else if (c === 59 /* ; */ || c === 32 || c === 9) {
            this.state = S_EXT;
          } else {
            this.error = `bad chunk size byte ${c}`;
          }
          break;
        }
        case S_EXT:
          if (b[o++] === CR) this.state = S_SIZE_LF;
          break;
        case S_SIZE_LF:
          if (b[o++] !== LF || this.sizeDigits === 0) {
            this.error = 'bad chunk size line';
          } else if (this.chunkSize === 0) {
            this.state = S_DONE;
            this.owner.onEnd();
          } else {
            this.chunks++;
            this.chunkLeft = this.chunkSize;
            this.state = S_DATA;
          }
          break;
        case S_DATA_CR:
          if (b[o++] === CR) this.state = S_DATA_LF;
          else this.error = 'chunk data not followed by CRLF';
          break;
        case S_DATA_LF:
          if (b[o++] === LF) {
            this.state = S_SIZE;
            this.chunkSize = 0;
            this.sizeDigits = 0;
          } else {
            this.error = 'chunk data not followed by CRLF';
          }
          break;
        case S_HEAD:
          o = this.headBytes(b, o, end);
          break;
        default:
          // S_DONE: whatever follows the last chunk (trailers) is ignored.
          o = end;
      }
    }
  }

  /** Collects the head up to its blank line; returns where the body starts (or end). */
  private headBytes(b: Uint8Array, o: number, end: number): number {
    const head = (this.head ??= Buffer.allocUnsafe(MAX_HEAD));
    while (o < end) {
      if (this.headLen === MAX_HEAD) {
        this.error = 'response head too long';
        return end;
      }
      const c = b[o++];
      head[this.headLen++] = c;
      const n = this.headLen;
      if (c === LF && n >= 4 && head[n - 2] === CR && head[n - 3] === LF && head[n - 4] === CR) {
        this.endHead(head.toString('latin1', 0, n));
        this.head = null;
        return o;
      }
    }
    return o;
  }

  private endHead(text: string): void {
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
    if (!status) {
      this.error = 'not an HTTP/1.x response';
      return;
    }
    const code = Number(status[1]);
    this.owner.onHead(code);
    if (code !== 200) {
      this.error = `HTTP ${code}`;
      return;
    }
    this.chunked = /\r\ntransfer-encoding:[ \t]*chunked[ \t]*\r\n/i.test(text);
    this.state = this.chunked ? S_SIZE : S_IDENTITY;
  }

  /** Walks FLV bytes b[o, end): skips bodies, reads tag headers. */
  private flv(b: Uint8Array, o: number, end: number): void {
    while (o < end && !this.error) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - o);
        o += n;
        this.skip -= n;
      } else if (this.tagHeaderLen === 0 && end - o >= TAG_HEADER) {
        this.tag(b, o);
        o += TAG_HEADER;
      } else {
        const h = this.tagHeader;
        while (o < end && this.tagHeaderLen < TAG_HEADER) h[this.tagHeaderLen++] = b[o++];
        if (this.tagHeaderLen === TAG_HEADER) {
          this.tagHeaderLen = 0;
          this.tag(h, 0);
        }
      }
    }
  }

  private tag(b: Uint8Array, o: number): void {
    const type = b[o] & 0x1f;
    if (type !== TAG_AUDIO && type !== TAG_VIDEO && type !== TAG_SCRIPT) {
      this.error = `bad FLV tag type ${b[o]}`;
      return;
    }
    const size = (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
    // 24 low bits then 8 high bits; kept unsigned.
    const ts = ((b[o + 4] << 16) | (b[o + 5] << 8) | b[o + 6]) + b[o + 7] * 0x1000000;
    this.skip = size + 4;
    this.owner.onTag(type, ts, size);
  }
}

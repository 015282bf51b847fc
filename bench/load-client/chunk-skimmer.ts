// The load client's RTMP chunk parser: it walks chunk headers and skips payloads, so a
// player costs a few comparisons per chunk and nothing per byte. It keeps only what a
// benchmark needs (the latest media timestamp, the first video message) and hands the
// payloads of the rare small control and command messages to its owner. It never
// copies media bytes and allocates nothing per media message.

const EXTENDED = 0xffffff;
/** Chunk stream ids above this are not used by any server we measure. */
const MAX_CSID = 63;
/** Control/command payloads larger than this are skipped, not collected. */
const MAX_COLLECT = 64 * 1024;

export const TYPE_SET_CHUNK_SIZE = 1;
export const TYPE_ABORT = 2;
export const TYPE_USER_CONTROL = 4;
export const TYPE_WINDOW_ACK = 5;
export const TYPE_AUDIO = 8;
export const TYPE_VIDEO = 9;
export const TYPE_DATA_AMF0 = 18;
export const TYPE_COMMAND_AMF0 = 20;

export interface SkimmerOwner {
  /** A media message started (its first chunk header was read). */
  onMedia(type: number, timestamp: number, length: number): void;
  /** A whole control, data or command message (types other than audio and video). */
  onControl(type: number, payload: Buffer): void;
}

export class ChunkSkimmer {
  chunkSize = 128;
  /** Set when the stream breaks a rule we rely on; the owner closes the connection. */
  error = '';
  private readonly owner: SkimmerOwner;
  // Per chunk stream (index = csid): the header fields fmt 1-3 inherit.
  private readonly ts = new Float64Array(MAX_CSID + 1);
  private readonly delta = new Float64Array(MAX_CSID + 1);
  private readonly len = new Int32Array(MAX_CSID + 1);
  private readonly type = new Uint8Array(MAX_CSID + 1);
  private readonly ext = new Uint8Array(MAX_CSID + 1);
  /** Payload bytes of the current message still to come, per chunk stream. */
  private readonly left = new Int32Array(MAX_CSID + 1);
  /** Chunk stream of the chunk body being skipped, and its body bytes still due. */
  private curCsid = 0;
  private bodyLeft = 0;
  /** A header cut by the end of a read waits here. */
  private readonly pending = Buffer.alloc(18);
  private pendingLen = 0;
  /** Payload being collected per chunk stream (control/command messages only). */
  private readonly collect: (Buffer | null)[] = new Array<Buffer | null>(MAX_CSID + 1).fill(null);
  private readonly collectAt = new Int32Array(MAX_CSID + 1);

  constructor(owner: SkimmerOwner) {
    this.owner = owner;
  }

  /** Feeds buf[start, end). The bytes are not kept after the call returns. */
  push(buf: Buffer, start: number, end: number): void {
    let o = start;
    while (o < end && !this.error) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, end - o);
        const c = this.collect[this.curCsid];
        if (c) {
          buf.copy(c, this.collectAt[this.curCsid], o, o + n);
          this.collectAt[this.curCsid] += n;
        }
        o += n;
        this.bodyLeft -= n;
        if (this.bodyLeft === 0) this.endChunk();
        continue;
      }
      if (this.pendingLen > 0) {
        // Complete the cut header from the front of this read.
        const take = Math.min(18 - this.pendingLen, end - o);
        buf.copy(this.pending, this.pendingLen, o, o + take);
        const h = this.header(this.pending, 0, this.pendingLen + take);
        if (h < 0) {
          this.pendingLen += take;
          return;
        }
        o += h - this.pendingLen;
        this.pendingLen = 0;
        continue;
      }
      const h = this.header(buf, o, end);
      if (h < 0) {
        buf.copy(this.pending, 0, o, end);
        this.pendingLen = end - o;
        return;
      }
      o += h;
    }
  }

  /** Parses one chunk header at b[o..end); returns its length, or -1 if cut short. */
  private header(b: Buffer, o: number, end: number): number {
    const avail = end - o;
    const b0 = b[o];
    const fmt = b0 >> 6;
    const csid = b0 & 0x3f;
    if (csid < 2) {
      this.error = `chunk stream id beyond ${MAX_CSID}`;
      return 0;
    }
    const hl = fmt === 0 ? 12 : fmt === 1 ? 8 : fmt === 2 ? 4 : 1;
    if (avail < hl) return -1;
    const starting = this.left[csid] === 0;
    let n = hl;
    let field = 0;
    if (fmt < 3) {
      field = (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
      this.ext[csid] = field === EXTENDED ? 1 : 0;
      if (fmt < 2) {
        this.len[csid] = (b[o + 4] << 16) | (b[o + 5] << 8) | b[o + 6];
        this.type[csid] = b[o + 7];
      }
    }
    if (this.ext[csid]) {
      if (avail < n + 4) return -1;
      if (fmt < 3) field = b.readUInt32BE(o + n);
      n += 4;
    }
    if (fmt === 0) {
      this.ts[csid] = field;
      this.delta[csid] = 0;
    } else if (fmt < 3) {
      this.delta[csid] = field;
      if (starting) this.ts[csid] += field;
    } else if (starting) {
      this.ts[csid] += this.delta[csid];
    }
    if (!starting && fmt !== 3) {
      // A new header in the middle of a message: the servers we measure never do this.
      this.left[csid] = 0;
    }
    if (this.left[csid] === 0) {
      const len = this.len[csid];
      this.left[csid] = len;
      const type = this.type[csid];
      if (type === TYPE_AUDIO || type === TYPE_VIDEO) {
        this.collect[csid] = null;
        this.owner.onMedia(type, this.ts[csid], len);
      } else {
        this.collect[csid] = len <= MAX_COLLECT ? Buffer.allocUnsafe(len) : null;
        this.collectAt[csid] = 0;
      }
      if (len === 0) {
        this.curCsid = csid;
        this.bodyLeft = 0;
        this.endChunk();
        return n;
      }
    }
    this.curCsid = csid;
    this.bodyLeft = Math.min(this.chunkSize, this.left[csid]);
    this.left[csid] -= this.bodyLeft;
    return n;
  }

  private endChunk(): void {
    const csid = this.curCsid;
    if (this.left[csid] !== 0) return;
    const type = this.type[csid];
    if (type === TYPE_AUDIO || type === TYPE_VIDEO) return;
    const payload = this.collect[csid];
    this.collect[csid] = null;
    if (!payload) return;
    if (type === TYPE_SET_CHUNK_SIZE && payload.length >= 4) this.chunkSize = payload.readUInt32BE(0) & 0x7fffffff;
    this.owner.onControl(type, payload);
  }
}

// De-chunks an RTMP chunk stream into messages, push-style: any split of the input
// yields the same messages. Set Chunk Size and Abort are applied here, at once, so the
// bytes that follow them in the same push are read correctly; the messages are still
// returned for the session to log.
import { SluiceError } from '../../errors.ts';

export interface RtmpMessage {
  csid: number;
  type: number;
  streamId: number;
  /** Absolute, in ms, after applying deltas with 32-bit unsigned wrap-around. */
  timestamp: number;
  /**
   * A message that sat in one chunk inside one pushed buffer is a subarray of that
   * buffer (no copy): do not reuse the buffer while the message is alive.
   */
  payload: Uint8Array;
}

/**
 * Receives each complete message as it is de-chunked, with no object made for it: the
 * payload is payload[from, to), valid only during the call (the reader reuses its
 * buffers), so a handler that keeps it must copy it.
 */
export interface ChunkHandler {
  /**
   * `resumed`: the message was begun in a PayloadSink and spilled back to the reader
   * (see PayloadSink.spill); the handler decided about it when it was opened.
   */
  onMessage(csid: number, type: number, streamId: number, timestamp: number, payload: Uint8Array, from: number, to: number, resumed: boolean): void;
  /**
   * Offered a message that does not arrive whole in one chunk of one read, as its first
   * bytes payload[from, to) arrive (the whole message is `length` bytes): a sink returned
   * takes its payload chunk by chunk in place of the reader's assembly buffer, so the
   * bytes are copied once, from the read to wherever the sink keeps them. Null declines.
   */
  openMessage?(csid: number, type: number, streamId: number, timestamp: number, length: number, payload: Uint8Array, from: number, to: number): PayloadSink | null;
}

/** Takes one message's payload as it arrives. One sink is open at a time per reader. */
export interface PayloadSink {
  /** The next payload bytes, src[from, to), in order (the first call has the bytes openMessage saw). */
  put(src: Uint8Array, from: number, to: number): void;
  /** The last byte arrived: the message is complete (onMessage is not called for it). */
  end(): void;
  /**
   * A chunk of another chunk stream came before this message was complete: the sink
   * copies the `filled` bytes it was given into out[0, filled) and lets the message go;
   * the reader assembles the rest and hands it to onMessage with `resumed` set.
   */
  spill(out: Uint8Array, filled: number): void;
}

export interface ChunkReaderOptions {
  /** Distinct chunk stream ids one connection may use (default 64). */
  maxChunkStreams?: number;
  /** Largest declared message length (default 16777215, the 24-bit maximum). */
  maxMessageSize?: number;
}

export const DEFAULT_CHUNK_SIZE = 128;
export const MIN_CHUNK_SIZE = 128;
export const MAX_CHUNK_SIZE = 0xffffff;
const EMPTY = new Uint8Array(0);
const TYPE_SET_CHUNK_SIZE = 1;
const TYPE_ABORT = 2;
const EXTENDED = 0xffffff;
// Basic header (3) + message header (11) + extended timestamp (4).
const MAX_HEADER = 18;
const MESSAGE_HEADER_SIZE = [11, 7, 3, 0];
const INITIAL_PAYLOAD = 64 * 1024;
// A chunk stream keeps its assembly buffer for the next message up to this size, so a
// publisher's steady stream of frames allocates nothing; larger ones are let go.
const KEEP_PAYLOAD = 512 * 1024;

/** Per chunk stream: the last header seen (fmt 1/2/3 inherit from it) and the message being assembled. */
class ChunkStream {
  readonly csid: number;
  timestamp = 0;
  delta = 0;
  length = 0;
  type = 0;
  streamId = 0;
  /** The last fmt 0/1/2 header carried an extended timestamp, and its value. */
  extended = false;
  extValue = 0;
  active = false;
  filled = 0;
  payload: Uint8Array | null = null;
  /** The message in progress was spilled back from a PayloadSink. */
  resumed = false;

  constructor(csid: number) {
    this.csid = csid;
  }
}

export class ChunkReader {
  /** Total bytes pushed; the session derives Acknowledgements from it. */
  bytesReceived = 0;
  private size = DEFAULT_CHUNK_SIZE;
  private readonly maxChunkStreams: number;
  private readonly maxMessageSize: number;
  private readonly streams = new Map<number, ChunkStream>();
  /** Chunk stream whose chunk body is being read, and the body bytes still due. */
  private cur: ChunkStream | null = null;
  private chunkLeft = 0;
  /** The open PayloadSink and the chunk stream whose message it takes. */
  private sink: PayloadSink | null = null;
  private sinkStream: ChunkStream | null = null;
  /** A header split across pushes waits here. */
  private readonly pending = new Uint8Array(MAX_HEADER);
  private pendingLen = 0;
  // Last parsed header, kept in fields to avoid an object per chunk.
  private hFmt = 0;
  private hCsid = 0;
  private hTs = 0;
  private hLength = 0;
  private hType = 0;
  private hStreamId = 0;
  private hExt = false;

  constructor(opts?: ChunkReaderOptions) {
    this.maxChunkStreams = opts?.maxChunkStreams ?? 64;
    this.maxMessageSize = opts?.maxMessageSize ?? MAX_CHUNK_SIZE;
  }

  /** The incoming chunk size in force. */
  get chunkSize(): number {
    return this.size;
  }

  /** The messages completed by these bytes, each with a payload of its own (or a view of `data`). */
  push(data: Uint8Array): RtmpMessage[] {
    const out: RtmpMessage[] = [];
    this.pushTo(data, {
      onMessage(csid, type, streamId, timestamp, payload, from, to) {
        out.push({ csid, type, streamId, timestamp, payload: payload === data ? data.subarray(from, to) : payload.slice(from, to) });
      },
    });
    return out;
  }

  /** Hands every message these bytes complete to `handler`, in order, synchronously. */
  pushTo(data: Uint8Array, handler: ChunkHandler): void {
    this.bytesReceived += data.length;
    this.feed(data, handler);
  }

  private feed(data: Uint8Array, out: ChunkHandler): void {
    const end = data.length;
    let pos = 0;
    while (pos < end) {
      if (this.cur === null) {
        let leftover: Uint8Array | null = null;
        if (this.pendingLen === 0) {
          const n = this.parseHeader(data, pos, end);
          if (n === 0) {
            this.pending.set(data.subarray(pos), 0);
            this.pendingLen = end - pos;
            return;
          }
          pos += n;
        } else {
          // Join the header kept from earlier pushes with the start of this one.
          const had = this.pendingLen;
          const copied = Math.min(MAX_HEADER - had, end - pos);
          this.pending.set(data.subarray(pos, pos + copied), had);
          const n = this.parseHeader(this.pending, 0, had + copied);
          if (n === 0) {
            this.pendingLen = had + copied;
            return;
          }
          this.pendingLen = 0;
          // A type-3 header looked 4 bytes ahead and they proved to be payload (no
          // extended timestamp): the kept ones are fed again after the header.
          if (n >= had) pos += n - had;
          else leftover = this.pending.slice(n, had);
        }
        this.startChunk(out);
        if (leftover !== null) this.feed(leftover, out);
        continue;
      }
      const cs = this.cur;
      const avail = end - pos;
      if (cs.filled === 0 && this.chunkLeft === cs.length && avail >= cs.length) {
        this.cur = null;
        pos += cs.length;
        this.finish(cs, data, pos - cs.length, pos, out);
        continue;
      }
      const n = Math.min(avail, this.chunkLeft);
      if (cs.filled === 0 && this.sink === null && out.openMessage !== undefined && cs.type !== TYPE_SET_CHUNK_SIZE && cs.type !== TYPE_ABORT) {
        const sink = out.openMessage(cs.csid, cs.type, cs.streamId, cs.timestamp, cs.length, data, pos, pos + n);
        if (sink !== null) {
          this.sink = sink;
          this.sinkStream = cs;
        }
      }
      if (cs === this.sinkStream) {
        this.sink!.put(data, pos, pos + n);
        cs.filled += n;
        this.chunkLeft -= n;
        pos += n;
        if (this.chunkLeft === 0) {
          this.cur = null;
          if (cs.filled === cs.length) {
            const sink = this.sink!;
            this.sink = null;
            this.sinkStream = null;
            cs.active = false;
            cs.filled = 0;
            sink.end();
          }
        }
        continue;
      }
      // Grown as bytes really arrive (doubling, capped by the declared length): a peer
      // that declares 16 MB messages on many chunk streams and sends a few bytes of each
      // costs what it sent, not what it declared.
      const need = cs.filled + n;
      if (cs.payload === null || cs.payload.length < need) {
        const grown = new Uint8Array(Math.min(cs.length, Math.max(need, INITIAL_PAYLOAD, (cs.payload?.length ?? 0) * 2)));
        if (cs.payload !== null) grown.set(cs.payload.subarray(0, cs.filled));
        cs.payload = grown;
      }
      cs.payload.set(data.subarray(pos, pos + n), cs.filled);
      cs.filled += n;
      this.chunkLeft -= n;
      pos += n;
      if (this.chunkLeft === 0) {
        this.cur = null;
        if (cs.filled === cs.length) this.finish(cs, cs.payload, 0, cs.length, out);
      }
    }
  }

  private startChunk(out: ChunkHandler): void {
    const cs = this.commitHeader();
    if (this.sinkStream !== null && cs !== this.sinkStream) this.spill();
    if (cs.length === 0) {
      this.finish(cs, EMPTY, 0, 0, out);
      return;
    }
    this.cur = cs;
    this.chunkLeft = Math.min(this.size, cs.length - cs.filled);
  }

  /** Reads a header at buf[p..end) into the h* fields; returns its size, or 0 if incomplete. */
  private parseHeader(buf: Uint8Array, p: number, end: number): number {
    const avail = end - p;
    if (avail < 1) return 0;
    const b0 = buf[p]!;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    let n = 1;
    if (csid === 0) {
      if (avail < 2) return 0;
      csid = 64 + buf[p + 1]!;
      n = 2;
    } else if (csid === 1) {
      if (avail < 3) return 0;
      csid = 64 + buf[p + 1]! + buf[p + 2]! * 256;
      n = 3;
    }
    const mh = MESSAGE_HEADER_SIZE[fmt]!;
    if (avail < n + mh) return 0;
    const q = p + n;
    let ext: boolean;
    if (fmt <= 2) {
      this.hTs = (buf[q]! << 16) | (buf[q + 1]! << 8) | buf[q + 2]!;
      ext = this.hTs === EXTENDED;
      if (fmt <= 1) {
        this.hLength = (buf[q + 3]! << 16) | (buf[q + 4]! << 8) | buf[q + 5]!;
        this.hType = buf[q + 6]!;
      }
      if (fmt === 0) {
        this.hStreamId = (buf[q + 7]! | (buf[q + 8]! << 8) | (buf[q + 9]! << 16) | (buf[q + 10]! << 24)) >>> 0;
      }
    } else {
      ext = this.streams.get(csid)?.extended ?? false;
    }
    let size = n + mh;
    if (ext) {
      if (avail < size + 4) return 0;
      const r = p + size;
      const v = ((buf[r]! << 24) | (buf[r + 1]! << 16) | (buf[r + 2]! << 8) | buf[r + 3]!) >>> 0;
      if (fmt <= 2) {
        this.hTs = v;
        size += 4;
      } else if (v === this.streams.get(csid)!.extValue) {
        size += 4;
      } else {
        // librtmp and old ffmpeg omit the extended timestamp on type-3 chunks:
        // those 4 bytes are payload (SRS detects it the same way).
        ext = false;
      }
    }
    this.hFmt = fmt;
    this.hCsid = csid;
    this.hExt = ext;
    return size;
  }

  /** Applies the parsed header to its chunk stream state. */
  private commitHeader(): ChunkStream {
    const fmt = this.hFmt;
    let cs = this.streams.get(this.hCsid);
    if (cs === undefined) {
      if (this.streams.size >= this.maxChunkStreams) {
        throw new SluiceError('RTMP_CHUNK_STREAMS', `more than ${this.maxChunkStreams}`);
      }
      // A fresh chunk stream may start with fmt 1, 2 or 3: it inherits a zeroed header.
      cs = new ChunkStream(this.hCsid);
      this.streams.set(this.hCsid, cs);
    }
    if (cs.active) {
      if (fmt === 0) throw new SluiceError('RTMP_CHUNK', `fmt 0 inside a message on csid ${cs.csid}`);
      if (fmt === 1 && (this.hLength !== cs.length || this.hType !== cs.type)) {
        throw new SluiceError('RTMP_CHUNK', `message length or type changed mid-message on csid ${cs.csid}`);
      }
    }
    if (fmt <= 1) {
      if (this.hLength > this.maxMessageSize) {
        throw new SluiceError('RTMP_MESSAGE_SIZE', `${this.hLength} > ${this.maxMessageSize}`);
      }
      cs.length = this.hLength;
      cs.type = this.hType;
    }
    if (fmt <= 2) {
      cs.extended = this.hExt;
      cs.extValue = this.hExt ? this.hTs : 0;
      // As SRS and ffmpeg read it, a type-3 header after type 0 repeats the type-0
      // field as its delta; ffmpeg's writer relies on that.
      cs.delta = this.hTs;
      if (fmt === 0) {
        cs.timestamp = this.hTs;
        cs.streamId = this.hStreamId;
      } else {
        cs.timestamp = (cs.timestamp + this.hTs) >>> 0;
      }
    } else if (!cs.active) {
      cs.timestamp = (cs.timestamp + cs.delta) >>> 0;
    }
    if (!cs.active) {
      cs.active = true;
      cs.filled = 0;
    }
    return cs;
  }

  /** The open sink's message goes back to the chunk stream's own buffer. */
  private spill(): void {
    const cs = this.sinkStream!;
    const sink = this.sink!;
    this.sink = null;
    this.sinkStream = null;
    if (cs.payload === null || cs.payload.length < cs.filled) cs.payload = new Uint8Array(Math.min(cs.length, Math.max(cs.filled, INITIAL_PAYLOAD)));
    sink.spill(cs.payload, cs.filled);
    cs.resumed = true;
  }

  private finish(cs: ChunkStream, payload: Uint8Array, from: number, to: number, out: ChunkHandler): void {
    const resumed = cs.resumed;
    cs.active = false;
    cs.filled = 0;
    cs.resumed = false;
    if (cs.type === TYPE_SET_CHUNK_SIZE) this.size = checkedChunkSize(payload.subarray(from, to));
    else if (cs.type === TYPE_ABORT) this.abort(payload.subarray(from, to));
    out.onMessage(cs.csid, cs.type, cs.streamId, cs.timestamp, payload, from, to, resumed);
    // Let go of an unusually large buffer once its message was handed out.
    if (payload === cs.payload && payload.length > KEEP_PAYLOAD) cs.payload = null;
  }

  private abort(payload: Uint8Array): void {
    if (payload.length < 4) throw new SluiceError('RTMP_MESSAGE', 'Abort shorter than 4 bytes');
    const csid = ((payload[0]! << 24) | (payload[1]! << 16) | (payload[2]! << 8) | payload[3]!) >>> 0;
    const cs = this.streams.get(csid);
    if (cs === undefined) return;
    cs.active = false;
    cs.filled = 0;
    cs.resumed = false;
    cs.payload = null;
  }
}

/**
 * The chunk size a Set Chunk Size payload asks for. Below 128 (SRS #541), zero, or
 * with the reserved top bit set is refused, and so is anything above the 24-bit message
 * limit, since no message can use a larger chunk; sizes above 65536 are accepted
 * (Flussonic sends them).
 */
export function checkedChunkSize(payload: Uint8Array): number {
  if (payload.length < 4) throw new SluiceError('RTMP_MESSAGE', 'Set Chunk Size shorter than 4 bytes');
  const n = ((payload[0]! << 24) | (payload[1]! << 16) | (payload[2]! << 8) | payload[3]!) >>> 0;
  // 128..16777215 (no message can be longer than 24 bits anyway).
  if (n < MIN_CHUNK_SIZE || n > MAX_CHUNK_SIZE) throw new SluiceError('RTMP_CHUNK_SIZE', String(n));
  return n;
}

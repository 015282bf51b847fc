// One chain reader per (stream, worker, format) serving every local player of that
// stream: the hot path of the server. Each tick it reads the new records once into a
// small local index and builds the views of the new bytes once, and hands the same
// views to every player that is caught up. RTMP players get the stored wire bytes as
// they are (one or two views per tick, a block boundary apart); HTTP-FLV viewers get
// the payloads between tag headers and trailers made once per tick for all of them.
//
// Zero copy without a timing margin: every write of a view pins the pool blocks it
// covers (one reference per block per write batch), released by the write's callback,
// so a block is never reused while the kernel may still read it, however far the
// stream has moved on. A player that lags more than queue_length is moved to the
// newest keyframe; one that stops reading is dropped.

import { ChainReader, type BlockPool, type ChainHandle } from '../../runtime/index.ts';
import { FLAG_SYNC, FLAG_JOIN_ONLY, FLAG_METADATA } from './media-flags.ts';
import { copyPayloadOf, payloadViews } from './media-chain.ts';
import { writeTagHeader, writePreviousTagSize, FLV_TAG_HEADER_SIZE } from '../../net/flv/flv-tag.ts';
import type { MediaFormat, MediaSink } from './media-sink.ts';

export interface LagPolicy {
  /** A player further behind than this (media time) is moved to the newest keyframe. */
  queueMs: number;
  /** Bytes a player may have queued before we stop adding more until it drains. */
  highWaterBytes: number;
  /** Players are served in this many groups, one group per sub-tick (default 1). */
  slices?: number;
}

export interface ChannelCounters {
  skipped: number;
  dropped: number;
  sentBytes: number;
}

// FLV framing per record, made once per tick: tag header then PreviousTagSize, so a
// record's trailer and the next record's header are adjacent (one view for both).
const FRAME_BYTES = FLV_TAG_HEADER_SIZE + 4;
// A payload this small (audio frames, mostly) is copied between its tag header and
// trailer in the tick's framing, once per worker for all viewers: a run of them then
// leaves as one view instead of two per message. Each view costs every viewer a slot in
// its writev, and the kernel's time per writev grows with them.
const INLINE_PAYLOAD_MAX = 1024;
const INITIAL_INDEX = 256;
const MAX_SKIPS = 4;

class PlayerState {
  readonly sink: MediaSink;
  /** Next sequence to send; 0 = waiting for a sync point to join at. */
  cursor = 0;
  /** Join-only records before this sequence are wanted (the player is joining). */
  joinUntil = 0;
  paused = false;
  /** Waiting since before the stream started: it gets the stream from its first record. */
  early = false;
  readonly attachedAt = Date.now();
  slot = 0;
  /** Skips ahead within the current window (see tooManySkips). */
  skips = 0;
  skipWindowStart = 0;
  /** When a write of this player last completed (or when it had none in flight). */
  lastProgress = Date.now();
  sentBytes = 0;
  /** Pool blocks pinned by the write batches in flight, oldest batch first. */
  readonly pinned: number[] = [];
  pinnedHead = 0;
  /** Blocks per batch in flight, oldest first. */
  readonly batches: number[] = [];
  batchHead = 0;
  readonly onWritten: (err?: Error | null) => void;

  constructor(sink: MediaSink, unpin: (b: number) => void) {
    this.sink = sink;
    this.onWritten = () => {
      this.lastProgress = Date.now();
      const n = this.batches[this.batchHead++]!;
      for (let i = 0; i < n; i++) unpin(this.pinned[this.pinnedHead++]!);
      if (this.batchHead > 64 && this.batchHead * 2 > this.batches.length) {
        this.batches.splice(0, this.batchHead);
        this.batchHead = 0;
      }
      if (this.pinnedHead > 256 && this.pinnedHead * 2 > this.pinned.length) {
        this.pinned.splice(0, this.pinnedHead);
        this.pinnedHead = 0;
      }
    };
  }

  get inflight(): number {
    return this.batches.length - this.batchHead;
  }
}

/** The state of one pass over a group of players, reused from pass to pass. */
class FlushPass {
  head = 0;
  headTs = 0;
  now = 0;
  readonly shared: Buffer[] = [];
  /** Blocks the shared views cover (each pinned once by the pass itself). */
  readonly sharedPins: number[] = [];
  sharedFrom = -1;

  begin(head: number, headTs: number): void {
    this.head = head;
    this.headTs = headTs;
    this.now = Date.now();
    this.shared.length = 0;
    this.sharedFrom = -1;
  }
}

export class ChainChannel {
  private readonly format: MediaFormat;
  private readonly pass = new FlushPass();
  private reader: ChainReader | null = null;
  private chunkSize = 0;
  private readonly players = new Map<string, PlayerState>();
  private readonly slots: Set<PlayerState>[];
  /** Per group: the oldest cursor of its players when last served (Infinity: none). */
  private readonly slotOldest: Float64Array;
  /** Players waiting for a place in the stream (cursor 0), so nothing scans them all. */
  private readonly waiting = new Set<PlayerState>();
  private nextSlot = 0;
  // Local index of the records read so far, by seq % size (grown on demand).
  private size = INITIAL_INDEX;
  private idxSeq = new Int32Array(INITIAL_INDEX);
  private idxTs = new Float64Array(INITIAL_INDEX);
  private idxFlags = new Uint8Array(INITIAL_INDEX);
  private idxType = new Uint8Array(INITIAL_INDEX);
  private idxRawTs = new Float64Array(INITIAL_INDEX);
  private idxBlock = new Int32Array(INITIAL_INDEX);
  private idxOffset = new Int32Array(INITIAL_INDEX);
  private idxLength = new Int32Array(INITIAL_INDEX);
  private idxAux = new Int32Array(INITIAL_INDEX);
  private idxFrame: (Buffer | null)[] = new Array(INITIAL_INDEX).fill(null);
  private idxFrameAt = new Int32Array(INITIAL_INDEX);
  /** Framing bytes of a record in its tick's buffer: FRAME_BYTES, plus the payload when inlined. */
  private idxFrameLen = new Int32Array(INITIAL_INDEX);
  private firstSeq = 0;
  private headSeq = 0;
  private latestSync = 0;
  private lastMediaTs = 0;
  private readonly policy: LagPolicy;
  readonly counters: ChannelCounters = { skipped: 0, dropped: 0, sentBytes: 0 };
  private lastSkipLog = 0;
  private readonly log: (msg: string) => void;
  private readonly unpin: (b: number) => void;
  // scratch for a joining or lagging player's own views
  private readonly ownViews: Buffer[] = [];
  private readonly ownPins: number[] = [];

  constructor(format: MediaFormat, policy: LagPolicy, log: (msg: string) => void) {
    this.format = format;
    this.policy = policy;
    this.log = log;
    const slices = Math.max(1, policy.slices ?? 1);
    this.slots = Array.from({ length: slices }, () => new Set<PlayerState>());
    this.slotOldest = new Float64Array(slices).fill(Infinity);
    // Write callbacks may come after the chain is gone: the pool outlives every chain.
    this.unpin = (b: number) => this.pool!.unpin(b);
  }

  private pool: BlockPool | null = null;

  get playerCount(): number {
    return this.players.size;
  }

  get attached(): boolean {
    return this.reader !== null;
  }

  /** Follow a (new) chain: players waiting get it from its start, or join at a sync point. */
  attach(handle: ChainHandle, chunkSize: number, startedAt: number): void {
    this.detach();
    for (const p of this.players.values()) p.early = p.attachedAt <= startedAt;
    // From the oldest record kept: players that were waiting for the stream get it from
    // its very start when the chain still has it; others join at the latest keyframe.
    this.reader = new ChainReader(handle, { startAt: 'oldest', includeJoinOnly: true });
    this.pool = this.reader.pool;
    this.chunkSize = chunkSize;
    this.firstSeq = 0;
    this.headSeq = 0;
    this.latestSync = 0;
    this.slotOldest.fill(Infinity);
    for (const p of this.players.values()) this.resetPlayer(p);
    this.readNew();
  }

  detach(): void {
    if (this.reader) this.reader.close();
    this.reader = null;
    this.idxFrame.fill(null);
  }

  isClosed(): boolean {
    return this.reader !== null && this.reader.isClosed();
  }

  add(sink: MediaSink): void {
    const p = new PlayerState(sink, this.unpin);
    p.slot = this.nextSlot++ % this.slots.length;
    this.players.set(sink.id, p);
    this.slots[p.slot]!.add(p);
    this.resetPlayer(p);
  }

  remove(id: string): MediaSink | null {
    const p = this.players.get(id);
    if (!p) return null;
    this.players.delete(id);
    this.slots[p.slot]!.delete(p);
    this.waiting.delete(p);
    return p.sink;
  }

  setPaused(id: string, paused: boolean): void {
    const p = this.players.get(id);
    if (!p) return;
    p.paused = paused;
    if (!paused) this.resetPlayer(p);
  }

  sinks(): IterableIterator<MediaSink> {
    const it = this.players.values();
    return (function* () {
      for (const p of it) yield p.sink;
    })();
  }

  private resetPlayer(p: PlayerState): void {
    p.cursor = 0;
    p.joinUntil = 0;
    if (this.headSeq) this.place(p);
    else this.waiting.add(p);
  }

  /** Where a player waiting for media starts. */
  private place(p: PlayerState): void {
    if (p.early && this.firstSeq === 1) p.cursor = 1; // the stream from its very start, like SRS's attached consumers
    else if (this.latestSync) this.join(p);
    else p.cursor = this.firstSeq; // no keyframe yet: all there is, from the start
    p.early = false;
    if (!p.cursor) {
      this.waiting.add(p);
      return;
    }
    this.waiting.delete(p);
    // kept for it until its group is served next
    if (p.cursor < this.slotOldest[p.slot]!) this.slotOldest[p.slot] = p.cursor;
  }

  /** Start a player at the latest sync point, with the join-only records before it. */
  private join(p: PlayerState): void {
    p.cursor = this.joinStart();
    p.joinUntil = this.latestSync;
  }

  /** Reads every record committed since the last call into the local index. */
  private readNew(): void {
    const reader = this.reader;
    if (!reader) return;
    if (reader.isLapped()) this.afterLap(reader);
    const before = this.headSeq;
    for (let rec = reader.next(); rec; rec = reader.next()) {
      if (this.firstSeq && rec.seq - this.firstSeq >= this.size) this.grow(rec.seq);
      const i = rec.seq % this.size;
      this.idxSeq[i] = rec.seq;
      // Metadata is stamped 0 for ffmpeg's sake; for lag it counts as the media around it.
      if (!(rec.flags & FLAG_METADATA)) this.lastMediaTs = rec.timestamp;
      this.idxTs[i] = this.lastMediaTs;
      this.idxRawTs[i] = rec.timestamp;
      this.idxFlags[i] = rec.flags;
      this.idxType[i] = rec.type;
      this.idxBlock[i] = rec.block;
      this.idxOffset[i] = rec.offset;
      this.idxLength[i] = rec.length;
      this.idxAux[i] = rec.aux;
      if (!this.firstSeq) this.firstSeq = rec.seq;
      this.headSeq = rec.seq;
      if (rec.flags & FLAG_SYNC) this.latestSync = rec.seq;
    }
    if (this.headSeq > before) for (const p of this.waiting) if (!p.paused) this.place(p);
    if (this.format === 'flv' && this.headSeq > before) this.frame(Math.max(before + 1, this.firstSeq), this.headSeq);
    this.forgetBefore(this.oldestNeeded());
  }

  /**
   * The chain let go of records this channel still wanted. Bytes in flight stay pinned,
   * so nobody needs dropping for it: players caught up go on; those whose next records
   * are gone skip ahead (and count it) in serve().
   */
  private afterLap(reader: ChainReader): void {
    if (reader.recoverLap()) {
      // Nothing unread was lost, only older records (a GOP start, a laggard's position).
      const tail = reader.oldest;
      if (this.latestSync && this.joinStart() < tail) this.latestSync = 0;
      if (this.firstSeq && this.firstSeq < tail) this.forgetBefore(tail);
      return;
    }
    // Records not read yet are gone: start over at the newest keyframe.
    if (!reader.skipToLatestSync()) reader.skipToOldest();
    this.firstSeq = 0;
    this.latestSync = 0;
    this.slotOldest.fill(Infinity);
    const now = Date.now();
    for (const p of [...this.players.values()]) {
      if (p.cursor && this.tooManySkips(p, now)) continue;
      this.resetPlayer(p);
    }
  }

  /** The first record of the latest sync point's join group. */
  private joinStart(): number {
    let start = this.latestSync;
    while (start - 1 >= this.firstSeq && this.idxFlags[(start - 1) % this.size]! & FLAG_JOIN_ONLY) start--;
    return start;
  }

  /** FLV tag headers and trailers of records [from, to], in one buffer for this tick. */
  private frame(from: number, to: number): void {
    let bytes = 0;
    for (let s = from; s <= to; s++) {
      const size = this.idxAux[s % this.size]!;
      bytes += FRAME_BYTES + (size <= INLINE_PAYLOAD_MAX ? size : 0);
    }
    const buf = Buffer.allocUnsafe(bytes);
    const reader = this.reader!;
    for (let s = from, at = 0; s <= to; s++) {
      const i = s % this.size;
      const size = this.idxAux[i]!;
      const inline = size <= INLINE_PAYLOAD_MAX
        && copyPayloadOf(reader, s, this.idxBlock[i]!, this.idxOffset[i]!, this.idxType[i]!, this.idxRawTs[i]!, size, this.chunkSize, buf, at + FLV_TAG_HEADER_SIZE);
      const body = inline ? size : 0;
      writeTagHeader(buf, at, this.idxType[i]!, size, this.idxRawTs[i]!);
      writePreviousTagSize(buf, at + FLV_TAG_HEADER_SIZE + body, FLV_TAG_HEADER_SIZE + size);
      this.idxFrame[i] = buf;
      this.idxFrameAt[i] = at;
      this.idxFrameLen[i] = FRAME_BYTES + body;
      at += size <= INLINE_PAYLOAD_MAX ? FRAME_BYTES + size : FRAME_BYTES;
    }
  }

  /** The oldest record any player still needs, published so the chain keeps it. */
  private oldestNeeded(): number {
    let oldest = this.headSeq + 1;
    for (let i = 0; i < this.slotOldest.length; i++) if (this.slotOldest[i]! < oldest) oldest = this.slotOldest[i]!;
    if (this.latestSync) {
      const start = this.joinStart();
      if (start < oldest) oldest = start;
    }
    return oldest;
  }

  private forgetBefore(seq: number): void {
    if (!this.firstSeq) return;
    const until = Math.min(seq, this.headSeq);
    if (until > this.firstSeq) {
      for (let s = this.firstSeq; s < until; s++) this.idxFrame[s % this.size] = null;
      this.firstSeq = until;
    }
    this.reader?.release(seq);
  }

  // Doubles the local index until records firstSeq..seq fit.
  private grow(seq: number): void {
    let size = this.size;
    while (seq - this.firstSeq >= size) size *= 2;
    const remap = <T extends { length: number; [i: number]: number }>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      for (let s = this.firstSeq; s <= this.headSeq; s++) next[s % size] = old[s % this.size]!;
      return next;
    };
    this.idxSeq = remap(this.idxSeq, (n) => new Int32Array(n));
    this.idxTs = remap(this.idxTs, (n) => new Float64Array(n));
    this.idxRawTs = remap(this.idxRawTs, (n) => new Float64Array(n));
    this.idxFlags = remap(this.idxFlags, (n) => new Uint8Array(n));
    this.idxType = remap(this.idxType, (n) => new Uint8Array(n));
    this.idxBlock = remap(this.idxBlock, (n) => new Int32Array(n));
    this.idxOffset = remap(this.idxOffset, (n) => new Int32Array(n));
    this.idxLength = remap(this.idxLength, (n) => new Int32Array(n));
    this.idxAux = remap(this.idxAux, (n) => new Int32Array(n));
    this.idxFrameAt = remap(this.idxFrameAt, (n) => new Int32Array(n));
    this.idxFrameLen = remap(this.idxFrameLen, (n) => new Int32Array(n));
    const frames: (Buffer | null)[] = new Array(size).fill(null);
    for (let s = this.firstSeq; s <= this.headSeq; s++) frames[s % size] = this.idxFrame[s % this.size]!;
    this.idxFrame = frames;
    this.size = size;
  }

  /**
   * Views of records [from, to], pinned into `pins`, leaving out join-only records other
   * than those just before `joinUntil` (a joining player's own headers). False when a
   * record is no longer in the chain (nothing is then pinned).
   */
  private views(from: number, to: number, joinUntil: number, out: Buffer[], pins: number[]): boolean {
    const pinsBefore = pins.length;
    const ok = this.format === 'rtmp' ? this.rtmpViews(from, to, joinUntil, out, pins) : this.flvViews(from, to, joinUntil, out, pins);
    if (!ok) this.reader!.unpin(pins, pinsBefore);
    return ok;
  }

  private skipped(s: number, joinUntil: number): boolean {
    return (this.idxFlags[s % this.size]! & FLAG_JOIN_ONLY) !== 0 && s >= joinUntil;
  }

  // The stored wire bytes of each run of records not skipped: contiguous in the chain.
  private rtmpViews(from: number, to: number, joinUntil: number, out: Buffer[], pins: number[]): boolean {
    const reader = this.reader!;
    let runStart = 0;
    let runBytes = 0;
    for (let s = from; s <= to + 1; s++) {
      if (s <= to && !this.skipped(s, joinUntil)) {
        if (!runStart) runStart = s;
        runBytes += this.idxLength[s % this.size]!;
        continue;
      }
      if (!runStart) continue;
      const i = runStart % this.size;
      if (!reader.views(runStart, this.idxBlock[i]!, this.idxOffset[i]!, 0, runBytes, out, pins)) return false;
      runStart = 0;
      runBytes = 0;
    }
    return true;
  }

  // Per record: its tag header (joined with the previous record's trailer when both
  // came in the same tick's framing), its payload pieces, and finally a trailer. An
  // inlined record is header, payload and trailer in the framing: one run with its
  // neighbours there.
  private flvViews(from: number, to: number, joinUntil: number, out: Buffer[], pins: number[]): boolean {
    const reader = this.reader!;
    let frame: Buffer | null = null;
    let frameFrom = 0;
    let frameTo = 0;
    for (let s = from; s <= to; s++) {
      if (this.skipped(s, joinUntil)) continue;
      const i = s % this.size;
      const buf = this.idxFrame[i]!;
      const at = this.idxFrameAt[i]!;
      const len = this.idxFrameLen[i]!;
      const head = len === FRAME_BYTES ? FLV_TAG_HEADER_SIZE : len;
      if (frame === buf && frameTo === at) {
        frameTo = at + head;
      } else {
        if (frame) out.push(frame.subarray(frameFrom, frameTo));
        frame = buf;
        frameFrom = at;
        frameTo = at + head;
      }
      if (len !== FRAME_BYTES) continue;
      out.push(frame.subarray(frameFrom, frameTo));
      if (!payloadViews(reader, s, this.idxBlock[i]!, this.idxOffset[i]!, this.idxType[i]!, this.idxRawTs[i]!, this.idxAux[i]!, this.chunkSize, out, pins)) return false;
      frameFrom = frameTo;
      frameTo += 4;
    }
    if (frame) out.push(frame.subarray(frameFrom, frameTo));
    return true;
  }

  get sliceCount(): number {
    return this.slots.length;
  }

  /** A (sub-)tick: read what is new, write it to the players of one group (or of all). */
  flush(slice = -1): void {
    if (!this.reader) return;
    this.readNew();
    const head = this.headSeq;
    if (!head) return;
    if (slice >= 0) this.flushSlot(slice % this.slots.length, head);
    else for (let i = 0; i < this.slots.length; i++) this.flushSlot(i, head);
    this.forgetBefore(this.oldestNeeded());
  }

  private flushSlot(slot: number, head: number): void {
    const pass = this.pass;
    pass.begin(head, this.idxTs[head % this.size]!);
    let oldest = Infinity;
    for (const p of this.slots[slot]!) {
      this.serve(p, pass);
      if (p.cursor && p.cursor < oldest) oldest = p.cursor;
    }
    this.slotOldest[slot] = oldest;
    this.endPass(pass);
  }

  private endPass(pass: FlushPass): void {
    if (pass.sharedPins.length) this.reader!.unpin(pass.sharedPins);
    pass.shared.length = 0;
    pass.sharedFrom = -1;
  }

  /** Serves one player now (a new one: its first frame need not wait for its group). */
  flushPlayer(id: string): void {
    const p = this.players.get(id);
    if (!p || !this.reader) return;
    this.readNew();
    if (!this.headSeq) return;
    const pass = this.pass;
    pass.begin(this.headSeq, this.idxTs[this.headSeq % this.size]!);
    this.serve(p, pass);
    if (p.cursor && p.cursor < this.slotOldest[p.slot]!) this.slotOldest[p.slot] = p.cursor;
    this.endPass(pass);
  }

  /** Skips, throttles or writes to one player for the records up to `pass.head`. */
  private serve(p: PlayerState, pass: FlushPass): void {
    const head = pass.head;
    if (p.paused || !p.cursor || p.cursor > head) return;
    if (p.cursor < this.firstSeq || pass.headTs - this.idxTs[p.cursor % this.size]! > this.policy.queueMs) {
      if (this.tooManySkips(p, pass.now)) return;
      this.skipPlayer(p);
      if (p.cursor > head || !p.cursor) return;
    }
    // A player whose writes have made no progress for queue_length has stopped reading:
    // skipping ahead cannot help it, and what it has in flight stays pinned.
    if (p.inflight === 0) p.lastProgress = pass.now;
    else if (pass.now - p.lastProgress > this.policy.queueMs) {
      this.dropPlayer(p, `stopped reading for ${pass.now - p.lastProgress} ms`);
      return;
    }
    if (p.sink.queuedBytes() > this.policy.highWaterBytes) return; // until it drains
    let views: Buffer[];
    let pins: number[];
    if (p.joinUntil <= p.cursor) {
      // Caught-up players of a pass share one list of views of the same bytes.
      if (pass.sharedFrom !== p.cursor) {
        if (pass.sharedPins.length) this.reader!.unpin(pass.sharedPins);
        pass.shared.length = 0;
        if (!this.views(p.cursor, head, 0, pass.shared, pass.sharedPins)) {
          this.lost(p);
          return;
        }
        pass.sharedFrom = p.cursor;
      }
      views = pass.shared;
      pins = pass.sharedPins;
    } else {
      views = this.ownViews;
      pins = this.ownPins;
      views.length = 0;
      if (!this.views(p.cursor, head, p.joinUntil, views, pins)) {
        this.lost(p);
        return;
      }
    }
    if (views.length === 0) {
      // only join-only records it does not want: nothing to write, no batch to account for
      p.cursor = head + 1;
      return;
    }
    // The player's own pins on the blocks of this batch, let go by its write's callback.
    const pool = this.reader!.pool;
    for (let i = 0; i < pins.length; i++) {
      pool.pinAgain(pins[i]!);
      p.pinned.push(pins[i]!);
    }
    p.batches.push(pins.length);
    let bytes = 0;
    for (let i = 0; i < views.length; i++) bytes += views[i]!.length;
    p.sentBytes += bytes;
    this.counters.sentBytes += bytes;
    p.sink.write(views, views.length, p.onWritten);
    if (views === this.ownViews) {
      this.reader!.unpin(pins);
      views.length = 0;
    }
    p.cursor = head + 1;
  }

  /** The records a player needed left the chain before it was served: start it over. */
  private lost(p: PlayerState): void {
    this.counters.skipped++;
    if (this.latestSync) this.join(p);
    else this.resetPlayer(p);
  }

  /**
   * A player is moved to the newest keyframe when it lags more than queue_length; one
   * moved again and again (more than MAX_SKIPS times within two queue_lengths) cannot
   * keep up at all and is dropped. A player on a slow link lags past queue_length at
   * most once per queue_length, so it stays.
   */
  private tooManySkips(p: PlayerState, now: number): boolean {
    if (now - p.skipWindowStart > 2 * this.policy.queueMs) {
      p.skipWindowStart = now;
      p.skips = 0;
    }
    if (++p.skips <= MAX_SKIPS) return false;
    this.dropPlayer(p, `cannot keep up: moved to the newest keyframe ${p.skips} times in ${now - p.skipWindowStart} ms`);
    return true;
  }

  private skipPlayer(p: PlayerState): void {
    this.counters.skipped++;
    const now = Date.now();
    if (now - this.lastSkipLog >= 1000) {
      this.lastSkipLog = now;
      this.log(`player ${p.sink.id} lagged more than ${this.policy.queueMs} ms: skipped to the latest keyframe (${this.counters.skipped} skips so far)`);
    }
    if (this.latestSync) this.join(p);
    else this.resetPlayer(p);
  }

  private dropPlayer(p: PlayerState, reason: string): void {
    this.counters.dropped++;
    this.players.delete(p.sink.id);
    this.slots[p.slot]!.delete(p);
    this.waiting.delete(p);
    p.sink.drop(reason);
  }

  /** Per-player counters, for the API. */
  sentBytesOf(id: string): number {
    return this.players.get(id)?.sentBytes ?? 0;
  }
}

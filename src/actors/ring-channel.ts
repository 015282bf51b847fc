// One ring reader per (stream, worker, format) serving every local player of that
// stream: the hot path of the server. Each tick it reads the new records once into a
// small local index, builds the views of the new bytes once, and hands the same views
// to every player that is caught up: one or two `write`s per player per tick, no copy,
// no allocation per player per packet. Players that join or lag get views of their own.
//
// The zero-copy invariant (DESIGN.md): a view given to a socket is read by the kernel
// later, so the ring must not overwrite it. Each player remembers the first sequence of
// each write still in flight; the reader publishes the oldest of them, the writer never
// waits on it, and a player whose in-flight bytes come within half the ring of being
// overwritten is dropped before the writer can reach them.

import { RingReader, type RingHandle } from '../runtime/ring.ts';
import { FLAG_SYNC, FLAG_JOIN_ONLY, FLAG_METADATA } from './media-flags.ts';
import type { MediaSink } from './media-sink.ts';

export interface LagPolicy {
  /** A player further behind than this (media time) is moved to the newest keyframe. */
  queueMs: number;
  /** Bytes a player may have queued before we stop adding more until it drains. */
  highWaterBytes: number;
  /**
   * Players are served in this many groups, one group per sub-tick, so that the writes
   * of thousands of players are spread over the merged-write window instead of landing
   * in one long loop (default 1).
   */
  slices?: number;
}

export interface ChannelCounters {
  skipped: number;
  dropped: number;
  sentBytes: number;
}

class PlayerState {
  readonly sink: MediaSink;
  /** Next sequence to send; 0 = waiting for a sync point to join at. */
  cursor = 0;
  /** Join-only records before this sequence are wanted (the player is joining). */
  joinUntil = 0;
  paused = false;
  /** Which group of players this one is served with. */
  slot = 0;
  /** When the player went above the high-water mark without draining since; 0 if not. */
  stalledSince = 0;
  /** Sequences of the first record of each write in flight, oldest first. */
  readonly inflight: number[] = [];
  inflightHead = 0;
  sentBytes = 0;
  readonly onWritten: (err?: Error | null) => void;

  constructor(sink: MediaSink) {
    this.sink = sink;
    this.onWritten = () => {
      this.inflightHead++;
      if (this.inflightHead > 64 && this.inflightHead * 2 > this.inflight.length) {
        this.inflight.splice(0, this.inflightHead);
        this.inflightHead = 0;
      }
    };
  }

  oldestInflight(): number {
    return this.inflightHead < this.inflight.length ? this.inflight[this.inflightHead] : 0;
  }
}

/** The state of one pass over a group of players, reused from pass to pass. */
class FlushPass {
  head = 0;
  headTs = 0;
  now = 0;
  oldestPinned = 0;
  readonly shared: Buffer[] = [];
  sharedFrom = -1;

  begin(head: number, headTs: number): void {
    this.head = head;
    this.headTs = headTs;
    this.now = Date.now();
    this.oldestPinned = head + 1;
    this.shared.length = 0;
    this.sharedFrom = -1;
  }
}

export class RingChannel {
  private readonly pass = new FlushPass();
  private reader: RingReader | null = null;
  private dataBytes = 0;
  private readonly players = new Map<string, PlayerState>();
  private readonly slots: Set<PlayerState>[];
  /** Per group: the oldest sequence its players still have in flight, when last served. */
  private readonly slotPinned: Float64Array;
  private nextSlot = 0;
  // Local index of the records read so far, by seq % size.
  private readonly size: number;
  private readonly idxSeq: Int32Array;
  private readonly idxTs: Float64Array;
  private readonly idxFlags: Uint8Array;
  /** Cumulative payload bytes up to and including the record: distances in the ring. */
  private readonly idxEnd: Float64Array;
  private firstSeq = 0;
  private headSeq = 0;
  private latestSync = 0;
  private totalBytes = 0;
  private lastMediaTs = 0;
  private readonly policy: LagPolicy;
  readonly counters: ChannelCounters = { skipped: 0, dropped: 0, sentBytes: 0 };
  private lastSkipLog = 0;
  private readonly log: (msg: string) => void;

  constructor(indexSize: number, policy: LagPolicy, log: (msg: string) => void) {
    this.size = indexSize;
    this.idxSeq = new Int32Array(indexSize);
    this.idxTs = new Float64Array(indexSize);
    this.idxFlags = new Uint8Array(indexSize);
    this.idxEnd = new Float64Array(indexSize);
    this.policy = policy;
    this.log = log;
    const slices = Math.max(1, policy.slices ?? 1);
    this.slots = Array.from({ length: slices }, () => new Set<PlayerState>());
    this.slotPinned = new Float64Array(slices);
  }

  get playerCount(): number {
    return this.players.size;
  }

  get attached(): boolean {
    return this.reader !== null;
  }

  /** Follow a (new) ring: every player rejoins at its next sync point. */
  attachRing(handle: RingHandle, dataBytes: number): void {
    this.detachRing();
    this.reader = new RingReader(handle, { startAt: 'latest-sync', includeJoinOnly: true });
    this.dataBytes = dataBytes;
    this.firstSeq = 0;
    this.headSeq = 0;
    this.latestSync = 0;
    this.slotPinned.fill(0);
    for (const p of this.players.values()) this.resetPlayer(p);
    this.readNew();
  }

  detachRing(): void {
    if (this.reader) this.reader.close();
    this.reader = null;
  }

  isRingClosed(): boolean {
    return this.reader !== null && this.reader.isClosed();
  }

  add(sink: MediaSink): void {
    const p = new PlayerState(sink);
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
    if (this.latestSync) this.join(p);
    else if (this.firstSeq) p.cursor = this.firstSeq; // no keyframe yet: all there is, from the start
  }

  /** Start a player at the latest sync point, with the join-only records before it. */
  private join(p: PlayerState): void {
    let start = this.latestSync;
    while (start - 1 >= this.firstSeq && this.flagsOf(start - 1) & FLAG_JOIN_ONLY) start--;
    p.cursor = start;
    p.joinUntil = this.latestSync;
  }

  private flagsOf(seq: number): number {
    return this.idxFlags[seq % this.size];
  }

  private tsOf(seq: number): number {
    return this.idxTs[seq % this.size];
  }

  /** Reads every record committed since the last call into the local index. */
  private readNew(): void {
    const reader = this.reader;
    if (!reader) return;
    if (reader.isLapped()) {
      // Our own reader fell a whole ring behind (the thread was stalled): start over.
      reader.skipToLatestSync();
      this.firstSeq = 0;
      this.latestSync = 0;
      for (const p of this.players.values()) {
        if (p.oldestInflight()) p.sink.drop('ring lapped while bytes were in flight');
        else this.resetPlayer(p);
      }
    }
    for (let rec = reader.next(); rec; rec = reader.next()) {
      const i = rec.seq % this.size;
      this.idxSeq[i] = rec.seq;
      // Metadata is stamped 0 for ffmpeg's sake; for lag it counts as the media around it.
      if (!(rec.flags & FLAG_METADATA)) this.lastMediaTs = rec.timestamp;
      this.idxTs[i] = this.lastMediaTs;
      this.idxFlags[i] = rec.flags;
      this.totalBytes += rec.length;
      this.idxEnd[i] = this.totalBytes;
      if (!this.firstSeq) this.firstSeq = rec.seq;
      this.headSeq = rec.seq;
      if (rec.flags & FLAG_SYNC) {
        const wasNone = this.latestSync === 0;
        this.latestSync = rec.seq;
        if (wasNone) for (const p of this.players.values()) if (!p.cursor && !p.paused) this.join(p);
      } else if (this.firstSeq === rec.seq && !(rec.flags & FLAG_JOIN_ONLY)) {
        // The first record of a stream that has no sync point yet: players already
        // waiting get the stream from its very start, like SRS's attached consumers.
        for (const p of this.players.values()) if (!p.cursor && !p.paused) p.cursor = rec.seq;
      }
    }
    if (this.firstSeq && this.headSeq - this.firstSeq >= this.size) this.firstSeq = this.headSeq - this.size + 1;
  }

  /**
   * Views of records [from, to], leaving out join-only records other than those just
   * before `joinUntil` (a joining player's own headers).
   */
  private views(from: number, to: number, joinUntil: number, out: Buffer[]): void {
    const reader = this.reader!;
    let runStart = 0;
    for (let s = from; s <= to; s++) {
      const skip = (this.flagsOf(s) & FLAG_JOIN_ONLY) !== 0 && s >= joinUntil;
      if (skip) {
        if (runStart) {
          for (const v of reader.span(runStart, s - 1)) out.push(v);
          runStart = 0;
        }
      } else if (!runStart) runStart = s;
    }
    if (runStart) for (const v of reader.span(runStart, to)) out.push(v);
  }

  get sliceCount(): number {
    return this.slots.length;
  }


  /**
   * A (sub-)tick: read what is new, write it to the players of one group (or of all,
   * with no argument), publish what is still pinned.
   */
  flush(slice = -1): void {
    if (!this.reader) return;
    this.readNew();
    const head = this.headSeq;
    if (!head) return;
    if (slice >= 0) this.flushSlot(slice % this.slots.length, head);
    else for (let i = 0; i < this.slots.length; i++) this.flushSlot(i, head);
    let oldest = head + 1;
    for (let i = 0; i < this.slotPinned.length; i++) {
      const v = this.slotPinned[i]!;
      if (v && v < oldest) oldest = v;
    }
    this.reader.release(oldest);
  }

  private flushSlot(slot: number, head: number): void {
    const pass = this.pass;
    pass.begin(head, this.tsOf(head));
    for (const p of this.slots[slot]!) this.serve(p, pass);
    this.slotPinned[slot] = pass.oldestPinned;
  }

  /** Serves one player now (a new one: its first frame need not wait for its group). */
  flushPlayer(id: string): void {
    const p = this.players.get(id);
    if (!p || !this.reader) return;
    this.readNew();
    if (!this.headSeq) return;
    const pass = this.pass;
    pass.begin(this.headSeq, this.tsOf(this.headSeq));
    this.serve(p, pass);
    if (pass.oldestPinned < this.slotPinned[p.slot]! || !this.slotPinned[p.slot]) this.slotPinned[p.slot] = pass.oldestPinned;
  }

  /** Drops, skips, throttles or writes to one player for the records up to `pass.head`. */
  private serve(p: PlayerState, pass: FlushPass): void {
    const head = pass.head;
    const pinned = p.oldestInflight();
    if (pinned) {
      if (pinned < this.firstSeq || this.totalBytes - this.endBefore(pinned) > this.dataBytes / 2) {
        this.dropPlayer(p, 'too slow: the ring is about to overwrite bytes it has not sent');
        return;
      }
      if (pinned < pass.oldestPinned) pass.oldestPinned = pinned;
    }
    if (p.paused || !p.cursor || p.cursor > head) return;
    if (p.cursor < this.firstSeq || pass.headTs - this.tsOf(p.cursor) > this.policy.queueMs) {
      this.skipPlayer(p);
      if (p.cursor > head || !p.cursor) return;
    }
    if (p.sink.queuedBytes() > this.policy.highWaterBytes) {
      // Not reading at all: skipping ahead cannot help it, so it goes after queue_length.
      if (!p.stalledSince) p.stalledSince = pass.now;
      else if (pass.now - p.stalledSince > this.policy.queueMs) this.dropPlayer(p, `stopped reading for ${pass.now - p.stalledSince} ms`);
      return;
    }
    p.stalledSince = 0;
    let views: Buffer[];
    if (p.joinUntil <= p.cursor) {
      // Caught-up players of a pass share one list of views of the same bytes.
      if (pass.sharedFrom !== p.cursor) {
        pass.shared.length = 0;
        this.views(p.cursor, head, 0, pass.shared);
        pass.sharedFrom = p.cursor;
      }
      views = pass.shared;
    } else {
      views = [];
      this.views(p.cursor, head, p.joinUntil, views);
    }
    const first = p.cursor;
    for (const v of views) {
      p.inflight.push(first);
      p.sentBytes += v.length;
      this.counters.sentBytes += v.length;
      p.sink.write(v, p.onWritten);
    }
    if (first < pass.oldestPinned) pass.oldestPinned = first;
    p.cursor = head + 1;
  }

  private endBefore(seq: number): number {
    const i = seq % this.size;
    return this.idxEnd[i] - 0;
  }

  private skipPlayer(p: PlayerState): void {
    this.counters.skipped++;
    const now = Date.now();
    if (now - this.lastSkipLog >= 1000) {
      this.lastSkipLog = now;
      this.log(`player ${p.sink.id} lagged more than ${this.policy.queueMs} ms: skipped to the latest keyframe (${this.counters.skipped} skips so far)`);
    }
    if (this.latestSync) this.join(p);
    else p.cursor = 0;
  }

  private dropPlayer(p: PlayerState, reason: string): void {
    this.counters.dropped++;
    this.players.delete(p.sink.id);
    this.slots[p.slot]!.delete(p);
    p.sink.drop(reason);
  }

  /** Per-player counters, for the API. */
  sentBytesOf(id: string): number {
    return this.players.get(id)?.sentBytes ?? 0;
  }
}

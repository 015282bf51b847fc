// Join-only records, sync points, lapped readers and the zero-copy invariant, in one
// thread where the interleaving is exact.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingReader, RingWriter, createRing, RING_FLAG_JOIN_ONLY, RING_FLAG_SYNC } from '../../src/runtime/ring.ts';
import type { RingRecord } from '../../src/runtime/ring.ts';

const J = RING_FLAG_JOIN_ONLY;
const S = RING_FLAG_SYNC;

function bytesOf(seq: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = (seq * 131 + i * 7 + 1) & 0xff;
  return b;
}

function drain(r: RingReader): number[] {
  const seqs: number[] = [];
  for (let rec = r.next(); rec; rec = r.next()) seqs.push(rec.seq);
  return seqs;
}

// seq:   1  2  3  4  5  6  7  8  9  10
// flags: J  S  -  J  S  -  J  J  S  -
const FLAGS = [J, S, 0, J, S, 0, J, J, S, 0];

function stream(): { ring: ReturnType<typeof createRing>; w: RingWriter } {
  const ring = createRing({ dataBytes: 4096, indexSlots: 64, maxReaders: 8 });
  return { ring, w: new RingWriter(ring) };
}

test('join-only records go only to readers that have not yet been handed a sync point', () => {
  const { ring, w } = stream();
  const early = new RingReader(ring, { startAt: 'oldest' });
  FLAGS.forEach((f, i) => w.append(1, f, i, bytesOf(i + 1, 10)));
  // joining at 1: gets the J before its first sync (2), then skips 4, 7 and 8
  assert.deepEqual(drain(early), [1, 2, 3, 5, 6, 9, 10]);
  assert.equal(early.joinOnlySkipped, 3);
  // latest-sync: starts at the run of join-only records right before the latest sync
  const late = new RingReader(ring, { startAt: 'latest-sync' });
  assert.deepEqual(drain(late), [7, 8, 9, 10]);
  // next: nothing yet; later join-only records are delivered until its first sync
  const next = new RingReader(ring, { startAt: 'next' });
  assert.equal(next.next(), null);
  w.append(1, 0, 11, bytesOf(11, 1));
  w.append(1, J, 12, bytesOf(12, 1));
  w.append(1, S, 13, bytesOf(13, 1));
  w.append(1, J, 14, bytesOf(14, 1));
  assert.deepEqual(drain(next), [11, 12, 13]);
  assert.deepEqual(drain(late), [11, 13]);
});

test('latest-sync falls back to the oldest record when the ring has no sync point', () => {
  const { ring, w } = stream();
  w.append(1, J, 0, bytesOf(1, 3));
  w.append(1, 0, 0, bytesOf(2, 3));
  const r = new RingReader(ring);
  assert.deepEqual(drain(r), [1, 2]);
  assert.equal(r.skipToLatestSync(), false);
});

test('skipToLatestSync moves both cursors to the join run before the latest sync and clears lapped', () => {
  const { ring, w } = stream();
  const r = new RingReader(ring, { startAt: 'oldest' });
  FLAGS.forEach((f, i) => w.append(1, f, i * 10, bytesOf(i + 1, 10)));
  assert.equal(r.next()!.seq, 1);
  assert.equal(r.lagRecords(), 10);
  assert.equal(r.lagMs(), 90);
  assert.equal(r.lagBytes(), 100);
  assert.equal(r.skipToLatestSync(), true);
  assert.equal(r.skips, 1);
  assert.equal(r.releasedSeq, 7);
  assert.equal(r.lagRecords(), 4);
  assert.equal(r.lagMs(), 30);
  assert.deepEqual(drain(r), [7, 8, 9, 10]);
  r.release(11);
  assert.equal(r.lagRecords(), 0);
  assert.equal(r.lagBytes(), 0);
});

test('a reader whose published cursor is overrun is flagged lapped; one that releases is not', () => {
  const ring = createRing({ dataBytes: 1000, indexSlots: 64, maxReaders: 4 });
  const w = new RingWriter(ring);
  const holder = new RingReader(ring, { startAt: 'oldest' });
  const follower = new RingReader(ring, { startAt: 'oldest' });
  const idle = new RingReader(ring, { startAt: 'next', autoRelease: true });
  let seq = 0;
  for (let i = 0; i < 30; i++) {
    seq = w.append(1, i % 5 === 0 ? S : 0, i, bytesOf(i + 1, 100));
    for (let rec = follower.next(); rec; rec = follower.next()) follower.release(rec.seq + 1);
    for (let rec = idle.next(); rec; rec = idle.next());
    if (i === 0) assert.equal(holder.next()!.seq, 1); // held: release never called
    assert.equal(holder.isLapped(), w.oldest > 1, `after seq ${seq}`);
  }
  assert.equal(w.lappedReaders, 1, 'only the holder, and only once');
  assert.equal(follower.isLapped(), false);
  assert.equal(idle.isLapped(), false);
  assert.equal(holder.lagBytes(), 1000);
  assert.equal(holder.lagMs(), Number.POSITIVE_INFINITY);
  // its read cursor (2) was overwritten as well: next() refuses
  assert.equal(holder.next(), null);
  assert.equal(holder.skipToLatestSync(), true);
  assert.equal(holder.isLapped(), false);
  assert.equal(holder.next()!.seq, 26);
  // lapped again later: counted again
  for (let i = 0; i < 20; i++) {
    w.append(1, 0, i, bytesOf(i, 100));
    for (let rec = follower.next(); rec; rec = follower.next()) follower.release(rec.seq + 1);
    for (let rec = idle.next(); rec; rec = idle.next());
  }
  assert.equal(holder.isLapped(), true);
  assert.equal(w.lappedReaders, 2);
});

test('clearLapped only succeeds once the published cursor is back in the ring', () => {
  const ring = createRing({ dataBytes: 1000, indexSlots: 64, maxReaders: 1 });
  const w = new RingWriter(ring);
  const r = new RingReader(ring, { startAt: 'oldest' });
  // the reader keeps reading (its sockets take views) but its oldest view stays in flight
  for (let i = 0; i < 15; i++) {
    w.append(1, 0, i, bytesOf(i, 100));
    while (r.next());
  }
  assert.equal(r.releasedSeq, 1);
  assert.equal(r.isLapped(), true);
  assert.equal(r.clearLapped(), false, 'cursor still below the tail');
  // the caller drops the player that had seq 1 in flight and releases what it read
  r.release(r.cursorSeq);
  assert.equal(r.clearLapped(), true);
  assert.equal(r.isLapped(), false);
});

// The zero-copy invariant: a reader keeps a view "in flight" (cursor not released) while
// the writer laps the ring. Before any byte of the view changes, isLapped() is true; and
// every record handed out afterwards is whole or refused.
test('a held view is reported lapped before its bytes can change; later records are whole or refused', () => {
  const ring = createRing({ dataBytes: 2048, indexSlots: 32, maxReaders: 2 });
  const w = new RingWriter(ring);
  const r = new RingReader(ring, { startAt: 'oldest' });
  w.append(1, S, 0, bytesOf(1, 300));
  const held = r.payload(r.next()!);
  const snapshot = Buffer.from(held);
  let lappedAt = 0;
  for (let seq = 2; seq < 200; seq++) {
    const lappedBefore = r.isLapped();
    w.append(1, seq % 7 === 0 ? S : 0, seq, bytesOf(seq, 1 + ((seq * 53) % 500)));
    const changed = !held.equals(snapshot);
    const lapped = r.isLapped();
    if (changed) assert.ok(lapped, `bytes of seq 1 changed at append ${seq} without lapped`);
    if (lapped && !lappedBefore) lappedAt = seq;
    // keep reading without releasing: every record handed out must be whole, or refused
    const rec: RingRecord | null = r.next();
    if (rec) {
      const view = r.payload(rec);
      const ok = view.equals(bytesOf(rec.seq, rec.length));
      assert.ok(ok || !r.isIntact(rec.seq), `seq ${rec.seq} torn yet reported intact`);
    }
  }
  assert.ok(lappedAt > 0);
  assert.equal(r.isIntact(1), false);
});

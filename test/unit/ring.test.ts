// Single-thread, byte-exact tests of the ring: headers, payload placement, wrap-around,
// spans, reader slots and size limits.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingReader, RingWriter, createRing, RING_FLAG_SYNC } from '../../src/runtime/ring.ts';
import {
  C_COMMITTED,
  C_GENERATION,
  C_LAP_END,
  C_TAIL,
  C_WRITE_POS,
  HEADER_WORDS,
  indexBase,
} from '../../src/runtime/ring-layout.ts';
import type { RingHandle } from '../../src/runtime/ring-layout.ts';
import { isSluiceError } from '../../src/errors.ts';

function bytesOf(seq: number, length: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = (seq * 31 + i * 7) & 0xff;
  return b;
}

function header(handle: RingHandle, seq: number): number[] {
  const m = new Int32Array(handle.meta);
  const h = indexBase(handle) + (seq % handle.indexSlots) * HEADER_WORDS;
  return Array.from(m.subarray(h, h + 7));
}

test('a record header holds seq, timestamp, type|flags<<8, length, offset, lap, gap', () => {
  const ring = createRing({ dataBytes: 1024, indexSlots: 16, maxReaders: 2 });
  const w = new RingWriter(ring);
  assert.equal(w.append(8, RING_FLAG_SYNC, 1000, Uint8Array.of(1, 2, 3)), 1);
  assert.equal(w.append(9, 0x80, 0xffffffff, Uint8Array.of(4), Uint8Array.of(5, 6)), 2);
  assert.deepEqual(header(ring, 1), [1, 1000, 8 | (1 << 8), 3, 0, 0, 0]);
  assert.deepEqual(header(ring, 2), [2, -1, 9 | (0x80 << 8), 3, 3, 0, 0]);
  const m = new Int32Array(ring.meta);
  assert.equal(m[C_COMMITTED], 2);
  assert.equal(m[C_WRITE_POS], 6);
  assert.deepEqual([...new Uint8Array(ring.data, 0, 6)], [1, 2, 3, 4, 5, 6]);

  const r = new RingReader(ring, { startAt: 'oldest' });
  assert.equal(r.available(), 2);
  const a = r.next();
  assert.deepEqual({ ...a }, { seq: 1, timestamp: 1000, type: 8, flags: 1, offset: 0, length: 3 });
  assert.deepEqual([...r.payload(a!)], [1, 2, 3]);
  const b = r.next();
  assert.equal(b, a, 'the record object is reused');
  assert.deepEqual({ ...b }, { seq: 2, timestamp: 0xffffffff, type: 9, flags: 0x80, offset: 3, length: 3 });
  assert.equal(r.next(), null);
  assert.equal(r.available(), 0);
});

test('payload() is a view of the shared memory, not a copy', () => {
  const ring = createRing({ dataBytes: 1024, indexSlots: 16, maxReaders: 1 });
  const w = new RingWriter(ring);
  w.append(1, 0, 0, Uint8Array.of(10, 20));
  const r = new RingReader(ring, { startAt: 'oldest' });
  const view = r.payload(r.next()!);
  assert.equal(view.buffer, ring.data);
  new Uint8Array(ring.data)[1] = 99;
  assert.equal(view[1], 99);
});

test('beginRecord gives a writable view and reserve an offset; nothing is visible before commit', () => {
  const ring = createRing({ dataBytes: 1024, indexSlots: 16, maxReaders: 1 });
  const w = new RingWriter(ring);
  const r = new RingReader(ring, { startAt: 'oldest' });
  const view = w.beginRecord(3, 0, 7, 4);
  view.writeUInt32BE(0xdeadbeef, 0);
  assert.equal(r.next(), null);
  assert.equal(w.commit(), 1);
  const at = w.reserve(3, 0, 8, 2);
  w.bytes[at] = 0xaa;
  w.bytes[at + 1] = 0xbb;
  w.commit();
  assert.deepEqual([...r.payload(r.next()!)], [0xde, 0xad, 0xbe, 0xef]);
  assert.deepEqual([...r.payload(r.next()!)], [0xaa, 0xbb]);
  assert.throws(() => w.commit(), (e) => isSluiceError(e, 'RING_STATE'));
});

test('a payload that does not fit before the end starts at 0; the skip is in the index', () => {
  const ring = createRing({ dataBytes: 1000, indexSlots: 64, maxReaders: 1 });
  const w = new RingWriter(ring);
  for (let i = 1; i <= 3; i++) w.append(1, 0, i, bytesOf(i, 250));
  w.append(1, 0, 4, bytesOf(4, 200)); // [750, 950)
  w.append(1, 0, 5, bytesOf(5, 100)); // does not fit in [950, 1000): goes to [0, 100)
  assert.deepEqual(header(ring, 5), [5, 5, 1, 100, 0, 1, 50]);
  const m = new Int32Array(ring.meta);
  assert.equal(m[C_GENERATION], 1);
  assert.equal(m[C_LAP_END], 950);
  assert.equal(m[C_WRITE_POS], 100);
  assert.equal(m[C_TAIL], 2, 'record 1 ([0, 250)) was overwritten, record 2 was not');
  assert.equal(w.evicted, 1);
  assert.deepEqual(new Uint8Array(ring.data, 0, 100), bytesOf(5, 100));
  assert.deepEqual(new Uint8Array(ring.data, 250, 250), bytesOf(2, 250));
  // a record that exactly fills the end does not wrap
  const ring2 = createRing({ dataBytes: 1000, indexSlots: 64, maxReaders: 1 });
  const w2 = new RingWriter(ring2);
  for (let i = 1; i <= 4; i++) w2.append(1, 0, i, bytesOf(i, 250));
  assert.deepEqual(header(ring2, 4), [4, 4, 1, 250, 750, 0, 0]);
  w2.append(1, 0, 5, bytesOf(5, 1));
  assert.deepEqual(header(ring2, 5), [5, 5, 1, 1, 0, 1, 0]);
});

test('span() gives one view over the contiguous payloads of many records', () => {
  const ring = createRing({ dataBytes: 4096, indexSlots: 64, maxReaders: 1 });
  const w = new RingWriter(ring);
  const expected: Uint8Array[] = [];
  for (let i = 1; i <= 20; i++) {
    const p = bytesOf(i, 1 + ((i * 37) % 90));
    expected.push(p);
    w.append(1, 0, i, p);
  }
  const r = new RingReader(ring, { startAt: 'oldest' });
  const views = r.span(3, 17);
  assert.equal(views.length, 1);
  assert.equal(views[0]!.buffer, ring.data);
  assert.deepEqual(views[0], Buffer.concat(expected.slice(2, 17)));
  assert.deepEqual(r.span(5, 5)[0], Buffer.from(expected[4]!));
  assert.deepEqual(r.span(5, 4), []);
  assert.deepEqual(r.span(19, 21), [], 'not committed yet');
});

test('span() across the wrap point gives two views; an evicted range gives none', () => {
  const ring = createRing({ dataBytes: 1000, indexSlots: 64, maxReaders: 1 });
  const w = new RingWriter(ring);
  const sizes = [200, 200, 200, 200, 150, 120, 30]; // 6 wraps to 0 (gap 50), 7 follows it
  sizes.forEach((n, i) => w.append(1, 0, i, bytesOf(i + 1, n)));
  const r = new RingReader(ring, { startAt: 'oldest' });
  const views = r.span(3, 7);
  assert.equal(views.length, 2);
  assert.equal(views[0]!.byteOffset, 400);
  assert.equal(views[0]!.length, 550);
  assert.equal(views[1]!.byteOffset, 0);
  assert.deepEqual(
    Buffer.concat(views),
    Buffer.concat([3, 4, 5, 6, 7].map((s) => bytesOf(s, sizes[s - 1]!))),
  );
  assert.deepEqual(r.span(1, 7), [], 'record 1 was overwritten');
  assert.equal(r.span(6, 7).length, 1, 'both after the wrap: one view');
});

test('reader slots run out with RING_READER_SLOTS and are given back on close', () => {
  const ring = createRing({ dataBytes: 1024, indexSlots: 8, maxReaders: 2 });
  const a = new RingReader(ring);
  const b = new RingReader(ring);
  assert.notEqual(a.slot, b.slot);
  assert.throws(() => new RingReader(ring), (e) => isSluiceError(e, 'RING_READER_SLOTS'));
  a.close();
  a.close();
  const c = new RingReader(ring);
  assert.equal(c.slot, a.slot);
  b.close();
  c.close();
});

test('a record larger than a quarter of the data region is RING_RECORD_TOO_LARGE', () => {
  const ring = createRing({ dataBytes: 1000, indexSlots: 8, maxReaders: 1 });
  const w = new RingWriter(ring);
  assert.throws(() => w.append(1, 0, 0, new Uint8Array(251)), (e) => isSluiceError(e, 'RING_RECORD_TOO_LARGE'));
  assert.equal(w.append(1, 0, 0, new Uint8Array(250)), 1);
  assert.throws(() => w.beginRecord(1, 0, 0, -1), (e) => isSluiceError(e, 'RING_RECORD_TOO_LARGE'));
  assert.throws(() => createRing({ dataBytes: 10, indexSlots: 8, maxReaders: 1 }), (e) => isSluiceError(e, 'RING_OPTIONS'));
});

test('the index bounds the records held: slot reuse evicts', () => {
  const ring = createRing({ dataBytes: 1 << 16, indexSlots: 4, maxReaders: 1 });
  const w = new RingWriter(ring);
  for (let i = 1; i <= 6; i++) w.append(1, 0, i, bytesOf(i, 10));
  assert.equal(w.oldest, 3);
  const r = new RingReader(ring, { startAt: 'oldest' });
  assert.equal(r.next()!.seq, 3);
});

test('a new writer resumes from the shared state; append after close is RING_CLOSED', () => {
  const ring = createRing({ dataBytes: 1024, indexSlots: 8, maxReaders: 1 });
  const w = new RingWriter(ring);
  w.append(1, 0, 0, bytesOf(1, 10));
  const w2 = new RingWriter(structuredClone(ring));
  assert.equal(w2.append(1, 0, 0, bytesOf(2, 10)), 2);
  const r = new RingReader(structuredClone(ring), { startAt: 'oldest' });
  assert.equal(r.next()!.offset, 0);
  assert.equal(r.next()!.offset, 10);
  w2.close();
  assert.equal(r.isClosed(), true);
  assert.throws(() => w2.append(1, 0, 0), (e) => isSluiceError(e, 'RING_CLOSED'));
});

test('waitAsync: ok at once with records, ok on a later commit, timed-out, closed', async () => {
  const ring = createRing({ dataBytes: 1024, indexSlots: 8, maxReaders: 1 });
  const w = new RingWriter(ring);
  const r = new RingReader(ring, { startAt: 'next' });
  const t0 = performance.now();
  assert.equal(await r.waitAsync(30), 'timed-out');
  assert.ok(performance.now() - t0 >= 25);
  setTimeout(() => w.append(1, 0, 0, bytesOf(1, 5)), 10);
  assert.equal(await r.waitAsync(5000), 'ok');
  assert.equal(await r.waitAsync(0), 'ok', 'still unread');
  assert.equal(r.next()!.seq, 1);
  setTimeout(() => w.close(), 10);
  assert.equal(await r.waitAsync(), 'closed');
});

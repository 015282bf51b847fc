// Property test against a model: for random record sizes (zero-length and maximum-size
// ones included) and random reader behaviour, every record the ring still claims to hold
// has exactly its own bytes, every span is the concatenation of its records, and a
// reader is lapped exactly when a record at or after its published cursor was evicted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RingReader, RingWriter, createRing, RING_FLAG_SYNC } from '../../src/runtime/ring.ts';

function bytesOf(seq: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (seq * 131 + i * 7 + 1) & 0xff;
  return b;
}

type Op = { kind: 'append'; size: number; sync: boolean } | { kind: 'read'; reader: number; count: number; release: boolean };

const DATA = 1000;
const MAX = DATA / 4;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('append' as const),
    size: fc.oneof(fc.integer({ min: 0, max: MAX }), fc.constantFrom(0, 1, MAX)),
    sync: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('read' as const),
    reader: fc.integer({ min: 0, max: 2 }),
    count: fc.integer({ min: 1, max: 8 }),
    release: fc.boolean(),
  }),
);

test('ring contents, spans and lapped flags match the model', () => {
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 40 }), fc.array(opArb, { minLength: 20, maxLength: 400 }), (slots, ops) => {
      const ring = createRing({ dataBytes: DATA, indexSlots: slots, maxReaders: 3 });
      const w = new RingWriter(ring);
      const readers = [0, 1, 2].map(() => new RingReader(ring, { startAt: 'oldest' }));
      const sizes: number[] = [0];
      // the lapped flag is sticky: set when a needed record is evicted, cleared only by
      // skipToLatestSync or clearLapped
      const lapped = [false, false, false];
      for (const op of ops) {
        if (op.kind === 'append') {
          const seq = w.committed + 1;
          w.append(1, op.sync ? RING_FLAG_SYNC : 0, seq, bytesOf(seq, op.size));
          sizes.push(op.size);
        } else {
          const r = readers[op.reader]!;
          for (let i = 0; i < op.count; i++) {
            const rec = r.next();
            if (!rec) {
              if (r.isLapped()) {
                if (r.skipToLatestSync()) lapped[op.reader] = false;
                else {
                  r.release(r.cursorSeq);
                  if (r.clearLapped()) lapped[op.reader] = false;
                }
              }
              break;
            }
            assert.equal(rec.length, sizes[rec.seq]);
            const ok = r.payload(rec).equals(bytesOf(rec.seq, rec.length));
            assert.ok(ok && r.isIntact(rec.seq), `record ${rec.seq} handed out torn`);
            if (op.release) r.release(rec.seq + 1);
          }
        }
        // every record still in the ring has its own bytes, and spans concatenate them
        const first = w.oldest;
        const last = w.committed;
        const r0 = readers[0]!;
        for (let s = first; s <= last; s++) {
          const v = r0.span(s, s);
          assert.equal(v.length <= 1 || sizes[s] === 0, true);
          assert.ok(Buffer.concat(v).equals(bytesOf(s, sizes[s]!)), `seq ${s} bytes`);
        }
        if (last >= first) {
          const a = first + ((last - first) >> 2);
          const views = r0.span(a, last);
          assert.ok(views.length >= 1 && views.length <= 2);
          const want = Buffer.concat(Array.from({ length: last - a + 1 }, (_, k) => bytesOf(a + k, sizes[a + k]!)));
          assert.ok(Buffer.concat(views).equals(want), `span ${a}..${last}`);
        }
        if (first > 1) assert.deepEqual(r0.span(first - 1, last), [], 'evicted record in range');
        readers.forEach((r, i) => {
          if (r.releasedSeq < first) lapped[i] = true;
          assert.equal(r.isLapped(), lapped[i]);
        });
      }
    }),
    { numRuns: 300 },
  );
});

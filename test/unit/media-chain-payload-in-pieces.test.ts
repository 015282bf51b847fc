// A message stored as its payload arrives (begin, putPayload in pieces of any size,
// commit) is byte for byte the record write() makes of it whole; one taken back before
// its commit (readOpenPayload, abort) gives back exactly what was put, leaves nothing
// visible to readers, and its room is written by the next message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createBlockPool } from '../../src/runtime/block-pool.ts';
import { PoolFullError } from '../../src/runtime/chain-writer.ts';
import { ChainReader } from '../../src/runtime/chain-reader.ts';
import { MediaChainWriter } from '../../src/actors/stream/media-chain.ts';
import { MSG_AUDIO, MSG_VIDEO } from '../../src/actors/stream/media-flags.ts';

function records(w: MediaChainWriter): Buffer[] {
  const r = new ChainReader(w.chain.handle, { startAt: 'oldest' });
  const out: Buffer[] = [];
  for (let rec = r.next(); rec; rec = r.next()) {
    const b = Buffer.alloc(rec.length);
    assert.ok(r.copy(rec.seq, rec.block, rec.offset, 0, rec.length, b, 0));
    out.push(b);
  }
  r.close();
  return out;
}

const pieces = fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 20 });

test('payload put in pieces makes the record write() makes whole; a spilled one comes back exact and leaves no trace', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ video: fc.boolean(), length: fc.integer({ min: 1, max: 20_000 }), ts: fc.oneof(fc.nat(100_000), fc.constant(0xffffff + 5)), spillAt: fc.option(fc.integer({ min: 0, max: 20_000 })) }), { minLength: 1, maxLength: 8 }),
      pieces,
      fc.constantFrom(128, 4096, 60_000),
      (msgs, cuts, chunkSize) => {
        const whole = new MediaChainWriter(createBlockPool(4096, 4096 * 256), chunkSize, 1);
        const inPieces = new MediaChainWriter(createBlockPool(4096, 4096 * 256), chunkSize, 1);
        for (const [i, m] of msgs.entries()) {
          const type = m.video ? MSG_VIDEO : MSG_AUDIO;
          const payload = Uint8Array.from({ length: m.length }, (_, k) => (i * 13 + k * 7) & 0xff);
          whole.write(type, 0, m.ts, payload);
          // maybe begun and spilled first, at some point of its arrival
          if (m.spillAt !== null) {
            const filled = Math.min(m.spillAt, m.length);
            inPieces.begin(type, 0, m.ts, m.length);
            inPieces.putPayload(payload, 0, filled);
            const back = new Uint8Array(filled);
            inPieces.readOpenPayload(back, filled);
            assert.deepEqual(back, payload.subarray(0, filled));
            inPieces.abort();
          }
          inPieces.begin(type, 0, m.ts, m.length);
          for (let at = 0, c = 0; at < m.length; c++) {
            const end = Math.min(m.length, at + cuts[c % cuts.length]!);
            inPieces.putPayload(payload, at, end);
            at = end;
          }
          inPieces.commit();
        }
        assert.deepEqual(records(inPieces), records(whole));
        assert.equal(inPieces.chain.committed, msgs.length);
      },
    ),
    { numRuns: 300 },
  );
});

test('a put beyond the message, or after close, is refused rather than written', () => {
  const w = new MediaChainWriter(createBlockPool(4096, 4096 * 16), 4096, 1);
  w.begin(MSG_VIDEO, 0, 0, 10);
  assert.throws(() => w.putPayload(new Uint8Array(11), 0, 11), /left in the record/);
  w.close();
  assert.throws(() => w.putPayload(new Uint8Array(1), 0, 1), /no record begun/);
});

test('a message still arriving takes blocks as its payload comes; a pool that fills meanwhile fails the put, and abort leaves no trace', () => {
  const handle = createBlockPool(4096, 4096 * 8);
  const w = new MediaChainWriter(handle, 4096, 1);
  const pool = w.chain.pool;
  const payload = Uint8Array.from({ length: 100_000 }, (_, k) => k & 0xff);
  // declared 100,000 bytes, nothing sent yet: an index block and one data block, not 26
  w.begin(MSG_VIDEO, 0, 0, payload.length, true);
  assert.equal(pool.inUse, 2);
  w.putPayload(payload, 0, 10_000);
  assert.equal(pool.inUse, 4, '10,000 bytes (and their chunk headers) take 3 data blocks');
  assert.throws(() => w.putPayload(payload, 10_000, payload.length), PoolFullError);
  w.abort();
  assert.equal(w.chain.committed, 0);
  // the blocks it took are the chain's: the next message is written into them
  const small = Uint8Array.from({ length: 5000 }, (_, k) => (k * 3) & 0xff);
  w.write(MSG_VIDEO, 0, 40, small);
  assert.equal(w.chain.committed, 1);
  const [rec] = records(w);
  const whole = new MediaChainWriter(createBlockPool(4096, 4096 * 8), 4096, 1);
  whole.write(MSG_VIDEO, 0, 40, small);
  assert.deepEqual(rec, records(whole)[0]);
});

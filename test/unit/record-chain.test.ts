// The record chain on the block pool: records across block boundaries (data and index),
// retention that follows the readers, lapping, blocks back to the pool at the end, pins
// that keep a block out of reuse while a write of it is in flight, and readers in other
// threads checking every byte while the writer goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { createBlockPool, poolFor } from '../../src/runtime/block-pool.ts';
import { ChainWriter } from '../../src/runtime/chain-writer.ts';
import { ChainReader } from '../../src/runtime/chain-reader.ts';
import { CHAIN_FLAG_SYNC, CHAIN_FLAG_JOIN_ONLY } from '../../src/runtime/chain-layout.ts';
import { fillRecord, makePool } from '../fixtures/ring/record-format.ts';

const READER = new URL('../fixtures/chain/reader.ts', import.meta.url);
const random = makePool();

function append(w: ChainWriter, seq: number, length: number, flags = 0): void {
  const bytes = Buffer.alloc(length);
  fillRecord(bytes, 0, seq, length, random, seq * 7919);
  w.begin(9, flags, seq * 10, length, length);
  // in two puts, so a record is written across calls as well as across blocks
  const half = length >> 1;
  w.put(bytes, 0, half);
  w.put(bytes, half, length);
  assert.equal(w.commit(), seq);
}

function readAll(r: ChainReader): Buffer[] {
  const got: Buffer[] = [];
  for (let rec = r.next(); rec; rec = r.next()) {
    const out = Buffer.alloc(rec.length);
    assert.ok(r.copy(rec.seq, rec.block, rec.offset, 0, rec.length, out, 0));
    got.push(out);
  }
  return got;
}

test('records larger than a block, and more entries than an index block holds, read back byte for byte', () => {
  const handle = createBlockPool(4096, 4096 * 1024);
  const pool = poolFor(handle);
  const w = new ChainWriter(handle, 4);
  const r = new ChainReader(w.handle, { startAt: 'oldest' });
  const sizes: number[] = [];
  for (let seq = 1; seq <= 400; seq++) {
    const size = 16 + ((seq * 2654435761) % 9000); // up to ~2 blocks, random offsets
    sizes.push(size);
    append(w, seq, size);
  }
  const got = readAll(r);
  assert.equal(got.length, 400, '400 entries span 4 index blocks of 128');
  for (let i = 0; i < got.length; i++) {
    const expected = Buffer.alloc(sizes[i]!);
    fillRecord(expected, 0, i + 1, sizes[i]!, random, (i + 1) * 7919);
    assert.ok(got[i]!.equals(expected), `record ${i + 1}`);
  }
  // views of a record crossing a boundary: one per block, pinned, same bytes
  const r2 = new ChainReader(w.handle, { startAt: 'oldest' });
  let crossing = 0;
  for (let rec = r2.next(); rec; rec = r2.next()) {
    const views: Buffer[] = [];
    const pins: number[] = [];
    assert.ok(r2.views(rec.seq, rec.block, rec.offset, 0, rec.length, views, pins));
    if (views.length > 1) crossing++;
    assert.equal(pins.length, views.length);
    assert.ok(Buffer.concat(views).equals(got[rec.seq - 1]!));
    r2.unpin(pins);
  }
  assert.ok(crossing > 100, `records crossing blocks: ${crossing}`);
  const inUse = pool.inUse;
  w.close();
  assert.equal(pool.inUse, inUse, 'readers still hold the chain');
  r.close();
  r2.close();
  assert.equal(pool.inUse, 0, 'the last holder gave every block back');
});

test('the writer keeps what the slowest reader needs, and laps it only when told to trim past it', () => {
  const handle = createBlockPool(4096, 4096 * 64);
  const pool = poolFor(handle);
  const w = new ChainWriter(handle, 4);
  const slow = new ChainReader(w.handle, { startAt: 'oldest', autoRelease: true });
  for (let seq = 1; seq <= 100; seq++) append(w, seq, 1000, seq % 10 === 1 ? CHAIN_FLAG_SYNC : 0);
  assert.equal(slow.next()!.seq, 1);
  assert.equal(w.minReaderCursor(), 1);
  w.trim(w.minReaderCursor());
  assert.equal(w.oldest, 1, 'nothing the reader needs was let go');
  const held = pool.inUse;
  for (let i = 0; i < 49; i++) slow.next();
  slow.release(50);
  w.trim(w.minReaderCursor());
  assert.equal(w.oldest, 50);
  assert.ok(pool.inUse < held, 'blocks before the reader went back to the pool');
  w.trim(91);
  assert.ok(slow.isLapped(), 'trimmed past its cursor: lapped');
  assert.equal(slow.next(), null);
  assert.ok(slow.skipToLatestSync());
  assert.equal(slow.next()!.seq, 91);
  assert.equal(w.lappedReaders, 1);
  slow.close();
  w.close();
  assert.equal(pool.inUse, 0);
});

test('a joining reader gets the join-only run before the latest sync record; a joined one skips later runs', () => {
  const handle = createBlockPool(4096, 4096 * 16);
  const w = new ChainWriter(handle, 4);
  const flags = [CHAIN_FLAG_SYNC, 0, 0, CHAIN_FLAG_JOIN_ONLY, CHAIN_FLAG_JOIN_ONLY, CHAIN_FLAG_SYNC, 0, CHAIN_FLAG_JOIN_ONLY, CHAIN_FLAG_SYNC, 0];
  for (let i = 0; i < 5; i++) append(w, i + 1, 100, flags[i]);
  append(w, 6, 100, flags[5]);
  const r = new ChainReader(w.handle);
  for (let i = 6; i < flags.length; i++) append(w, i + 1, 100, flags[i]);
  const seen: number[] = [];
  for (let rec = r.next(); rec; rec = r.next()) seen.push(rec.seq);
  assert.deepEqual(seen, [4, 5, 6, 7, 9, 10], 'joined at 6 with 4 and 5; 8 passed over');
  r.close();
  w.close();
});

test('a block pinned by a write in flight is never reused, whatever the chain does', () => {
  const handle = createBlockPool(4096, 4096 * 8);
  const pool = poolFor(handle);
  const w = new ChainWriter(handle, 4);
  const r = new ChainReader(w.handle, { startAt: 'oldest' });
  append(w, 1, 3000, CHAIN_FLAG_SYNC);
  const rec = r.next()!;
  const views: Buffer[] = [];
  const pins: number[] = [];
  assert.ok(r.views(rec.seq, rec.block, rec.offset, 0, rec.length, views, pins));
  const sent = Buffer.concat(views);
  // the writer moves on and lets go of everything; other chains take every free block
  for (let seq = 2; seq <= 6; seq++) append(w, seq, 3000, CHAIN_FLAG_SYNC);
  w.trim(w.committed + 1);
  r.close();
  w.close();
  const other = new ChainWriter(handle, 1);
  let filled = 0;
  try {
    for (let seq = 1; ; seq++, filled++) {
      other.begin(9, 0, 0, 3000, 0);
      other.put(Buffer.alloc(3000, 0xee));
      other.commit();
    }
  } catch (err) {
    assert.match((err as Error).message, /no pool blocks free/);
  }
  assert.ok(filled > 5, 'the pool was filled by another chain');
  assert.ok(Buffer.concat(views).equals(sent), 'the pinned bytes are still the record');
  assert.ok(pins.every((b) => pool.refCount(b) === 1), 'held by the pins alone');
  r.unpin(pins);
  other.close();
  assert.equal(pool.inUse, 0, 'the write callback gave the last blocks back');
});

test('readers in two other threads check every record while the writer goes on; one of them lags and skips', async () => {
  const handle = createBlockPool(4096, 4096 * 2048);
  const pool = poolFor(handle);
  const w = new ChainWriter(handle, 8);
  const attached: Promise<void>[] = [];
  const run = (sleepEvery: number) => {
    const worker = new Worker(READER, { workerData: { handle: w.handle, sleepEvery } });
    attached.push(new Promise((resolve) => worker.once('message', () => resolve())));
    return new Promise<Record<string, number>>((resolve, reject) => {
      worker.on('message', (m) => m !== 'attached' && resolve(m));
      worker.once('error', reject);
    });
  };
  const fast = run(0);
  const slow = run(500);
  await Promise.all(attached);
  const RECORDS = 60_000;
  for (let seq = 1; seq <= RECORDS; seq++) {
    append(w, seq, 16 + ((seq * 2654435761) % 4000), seq % 100 === 1 ? CHAIN_FLAG_SYNC : 0);
    // retention as a source does it: the latest sync record on, plus what readers need,
    // but never more than ~2000 records
    if (seq % 50 === 0) w.trim(Math.min(seq - ((seq - 1) % 100), Math.max(w.minReaderCursor(), seq - 2000)));
    if (seq % 1000 === 0) await new Promise((r) => setImmediate(r));
  }
  w.close();
  const [a, b] = await Promise.all([fast, slow]);
  assert.equal(a.torn, 0, 'the fast reader never saw a bad record');
  assert.equal(b.torn, 0, 'nor the slow one');
  assert.equal(a.outOfOrder, 0, 'in order, apart from skips');
  assert.ok(a.delivered > RECORDS * 0.5, `fast reader delivered ${a.delivered}`);
  assert.ok(b.skips > 0, 'the slow reader was lapped and skipped');
  assert.equal(pool.inUse, 0, 'every block went back once both readers detached');
});

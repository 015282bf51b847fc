// Bytes built in pool blocks (block-bytes.ts): appends across block boundaries, batches
// taken while the buffer goes on in the same block, pins by generation from another
// holder, the pool running out, and a dead thread's buffers given back by its ledger row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockPool, createBlockPool } from '../../src/runtime/block-pool.ts';
import { BlockBuffer, forEachBlockPiece, pinBlockBytes, releaseBlockBytes, type BlockBytes } from '../../src/runtime/block-bytes.ts';

const BS = 4096;

function read(pool: BlockPool, bytes: BlockBytes): Buffer {
  const parts: Buffer[] = [];
  forEachBlockPiece(bytes, pool.blockSize, (offset, length) => parts.push(Buffer.from(pool.bytes.subarray(offset, offset + length))));
  return Buffer.concat(parts);
}

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

test('appends run on across blocks and read back byte for byte', () => {
  const pool = new BlockPool(createBlockPool(BS, BS * 16), 0);
  const buf = new BlockBuffer(pool);
  const pieces = [pattern(188, 1), pattern(BS * 2 + 5, 2), pattern(1, 3), pattern(BS - 7, 4)];
  for (const p of pieces) assert.equal(buf.append(p), true);
  const total = pieces.reduce((n, p) => n + p.length, 0);
  assert.equal(buf.length, total);
  const taken = buf.take()!;
  assert.equal(taken.start, 0);
  assert.equal(taken.length, total);
  assert.equal(taken.blocks.length, Math.ceil(total / BS));
  assert.deepEqual(read(pool, taken), Buffer.concat(pieces));
  assert.equal(buf.take(), null, 'nothing appended since');
  releaseBlockBytes(pool, taken);
  buf.discard();
  assert.equal(pool.inUse, 0, 'every block back');
});

test('a batch taken leaves the rest of its last block to the next batch', () => {
  const pool = new BlockPool(createBlockPool(BS, BS * 16), 0);
  const buf = new BlockBuffer(pool);
  buf.append(pattern(1000, 1));
  const first = buf.take()!;
  buf.append(pattern(BS, 2));
  const second = buf.take()!;
  assert.equal(second.start, 1000, 'the second batch starts where the first ended');
  assert.equal(second.blocks[0], first.blocks[0], 'in the same block');
  assert.equal(second.blocks.length, 2);
  assert.deepEqual(read(pool, first), Buffer.from(pattern(1000, 1)));
  assert.deepEqual(read(pool, second), Buffer.from(pattern(BS, 2)));
  assert.equal(pool.inUse, 2);
  releaseBlockBytes(pool, first);
  assert.equal(pool.inUse, 2, 'the shared block is still held by the second batch and the buffer');
  releaseBlockBytes(pool, second);
  buf.discard();
  assert.equal(pool.inUse, 0);
  // a batch that ends on a block's end hands the block over whole
  const again = new BlockBuffer(pool);
  again.append(pattern(BS, 3));
  const whole = again.take()!;
  again.append(pattern(10, 4));
  const next = again.take()!;
  assert.notEqual(next.blocks[0], whole.blocks[0]);
  assert.equal(next.start, 0);
  releaseBlockBytes(pool, whole);
  releaseBlockBytes(pool, next);
  again.discard();
  assert.equal(pool.inUse, 0);
});

test('another holder pins the blocks by generation: refused once the owner let go and the block was reused', () => {
  const pool = new BlockPool(createBlockPool(BS, BS * 16), 0);
  const buf = new BlockBuffer(pool);
  buf.append(pattern(BS + 1, 1));
  const taken = buf.take()!;
  buf.discard();
  assert.equal(pinBlockBytes(pool, taken), true);
  releaseBlockBytes(pool, taken); // the second holder's pins
  releaseBlockBytes(pool, taken); // the owner's
  assert.equal(pool.inUse, 0);
  const reuse = pool.alloc();
  assert.equal(taken.blocks.includes(reuse), true, 'a block of the batch is reused');
  assert.equal(pinBlockBytes(pool, taken), false);
  assert.equal(pool.refCount(reuse), 1, 'the failed pin held nothing');
  pool.unref(reuse);
  assert.equal(pool.inUse, 0, 'nor did the pins taken before the failing one');
});

test('a full pool refuses the append; discarding gives every block back', () => {
  const pool = new BlockPool(createBlockPool(BS, BS * 3), 0);
  const buf = new BlockBuffer(pool);
  assert.equal(buf.append(pattern(BS * 2, 1)), true);
  assert.equal(buf.append(pattern(BS * 2, 2)), false);
  assert.equal(pool.inUse, 3);
  assert.equal(pool.stats().failed, 1);
  buf.discard();
  assert.equal(pool.inUse, 0);
  assert.equal(buf.length, 0);
  assert.equal(buf.append(pattern(10, 3)), true, 'usable again');
  buf.discard();
});

test('a buffer with maxInUse takes no block once the pool holds that many, whoever holds them', () => {
  const pool = new BlockPool(createBlockPool(BS, BS * 8), 0);
  const other = pool.alloc(); // a live stream's block
  const buf = new BlockBuffer(pool, { maxInUse: 3 });
  assert.equal(buf.append(pattern(BS * 2, 1)), true);
  assert.equal(pool.inUse, 3);
  assert.equal(buf.append(pattern(1, 2)), false, 'the pool still has blocks, but not for this buffer');
  assert.equal(pool.stats().failed, 0, 'not a failed allocation: none was tried');
  buf.discard();
  pool.unref(other);
  assert.equal(pool.inUse, 0);
});

test('a buffer\'s blocks are pins of its thread: a dead thread\'s are given back from its ledger row', () => {
  const handle = createBlockPool(BS, BS * 16, 2);
  const worker = new BlockPool(handle, 1);
  const main = new BlockPool(handle, 0);
  const buf = new BlockBuffer(worker);
  buf.append(pattern(BS * 3 - 1, 1));
  const taken = buf.take()!;
  buf.append(pattern(1, 2)); // fills the last block's free byte
  assert.equal(main.inUse, 3);
  // the thread dies holding the batch and the buffer: 3 blocks, 4 pins (the last one twice)
  assert.equal(main.releaseThreadPins(1), 4);
  assert.equal(main.inUse, 0);
  assert.equal(pinBlockBytes(main, taken), false, 'a batch of the dead thread can no longer be pinned');
});

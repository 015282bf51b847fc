// The process-wide block pool: allocation and reuse, references, pins that refuse a
// block freed or reused since, the bound, blocks shared with another thread, and the pins
// of a thread that died given back from its row of the ledger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { BlockPool, createBlockPool, poolFor } from '../../src/runtime/block-pool.ts';

test('blocks come fresh, go back on the last unref, and are reused most recent first', () => {
  const pool = new BlockPool(createBlockPool(4096, 4096 * 8));
  assert.equal(pool.blockCount, 8);
  const a = pool.alloc();
  const b = pool.alloc();
  assert.deepEqual([a, b], [0, 1]);
  assert.equal(pool.inUse, 2);
  pool.ref(a);
  pool.unref(a);
  assert.equal(pool.inUse, 2, 'one reference left');
  pool.unref(a);
  assert.equal(pool.inUse, 1);
  assert.equal(pool.alloc(), a, 'the block just freed (still resident) comes back first');
  assert.throws(() => {
    pool.unref(b);
    pool.unref(b);
  }, /released more often/);
});

test('the pool refuses past max_memory and counts the refusals', () => {
  const pool = new BlockPool(createBlockPool(4096, 4096 * 3));
  const got = [pool.alloc(), pool.alloc(), pool.alloc()];
  assert.ok(got.every((b) => b >= 0));
  assert.equal(pool.alloc(), -1);
  assert.equal(pool.stats().failed, 1);
  pool.unref(got[1]!);
  assert.equal(pool.alloc(), got[1]);
  assert.equal(pool.stats().peak, 3);
});

test('a pin holds only the allocation it names: freed or reused blocks refuse it', () => {
  const pool = new BlockPool(createBlockPool(4096, 4096 * 4));
  const b = pool.alloc();
  const gen = pool.generation(b);
  assert.equal(pool.pin(b, gen), true);
  pool.unpin(b);
  pool.unref(b); // the owner: freed
  assert.equal(pool.pin(b, gen), false, 'freed');
  assert.equal(pool.pinIfLive(b), false, 'freed');
  const again = pool.alloc();
  assert.equal(again, b);
  assert.equal(pool.pin(b, gen), false, 'reused under a new generation');
  assert.equal(pool.refCount(b), 1, 'the failed pin left nothing behind');
  assert.equal(pool.pinIfLive(b), true);
  assert.equal(pool.refCount(b), 2);
});

test('options outside the limits are refused with the pool error', () => {
  assert.throws(() => createBlockPool(1000, 1 << 20), /POOL_OPTIONS|block size/);
  assert.throws(() => createBlockPool(4096, 4096), /POOL_OPTIONS|holds 1 blocks/);
});

test('the reservation costs no memory until blocks are written', () => {
  const before = process.memoryUsage().rss;
  const handle = createBlockPool(65536, 2 * 1024 * 1024 * 1024);
  const pool = poolFor(handle);
  assert.equal(poolFor(handle), pool, 'one pool object per thread and pool');
  assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'a 2 GB pool did not become resident');
});

test('another thread reads a block through the same shared memory', async () => {
  const handle = createBlockPool(4096, 4096 * 64);
  const pool = poolFor(handle);
  const mine = pool.alloc();
  pool.view(mine, 0, 4).writeUInt32BE(0xcafe, 0);
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { handle, block } = workerData;
    const view = Buffer.from(handle.data, block * handle.blockSize, 4);
    parentPort.postMessage(view.readUInt32BE(0));`;
  const w = new Worker(code, { eval: true, workerData: { handle, block: mine } });
  const seen = await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  await w.terminate();
  assert.equal(seen, 0xcafe, 'the worker reads the block through the same shared memory');
});

test('pins are counted in their thread\'s row; the main thread gives back a dead thread\'s', () => {
  const handle = createBlockPool(4096, 4096 * 8, 3);
  const main = new BlockPool(handle, 0);
  const one = new BlockPool(handle, 1);
  const two = new BlockPool(handle, 2);
  const a = main.alloc(); // a chain's own reference: not a pin, never counted
  const b = main.alloc();
  assert.equal(one.pinIfLive(a), true);
  one.pinAgain(a); // a socket write of a view of it
  assert.equal(one.pin(b, one.generation(b)), true);
  assert.equal(two.pinIfLive(a), true);
  two.unpin(a); // pinned and let go: nothing left in its row
  assert.equal(main.refCount(a), 3);
  assert.equal(main.releaseThreadPins(2), 0);
  assert.equal(main.releaseThreadPins(1), 3, 'two pins on a, one on b');
  assert.equal(main.refCount(a), 1);
  assert.equal(main.refCount(b), 1);
  assert.equal(main.releaseThreadPins(1), 0, 'the row is clear for the thread that replaces it');
  main.unref(a);
  main.unref(b);
  assert.equal(main.inUse, 0);
  assert.equal(main.releaseThreadPins(7), 0, 'a thread without a row');
  assert.throws(() => createBlockPool(4096, 4096 * 8, 0), /POOL_OPTIONS|threads/);
});

test('a thread that exits holding pins: its blocks go back to the pool', async () => {
  const handle = createBlockPool(4096, 4096 * 64, 2);
  const pool = poolFor(handle);
  const blocks = [pool.alloc(), pool.alloc(), pool.alloc()];
  const module = new URL('../../src/runtime/block-pool.ts', import.meta.url).href;
  const code = `
    import { workerData, parentPort } from 'node:worker_threads';
    const { BlockPool } = await import(${JSON.stringify(module)});
    const pool = new BlockPool(workerData.handle, 1);
    for (const b of workerData.blocks) { pool.pinIfLive(b); pool.pinAgain(b); }
    parentPort.postMessage('pinned');`;
  const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData: { handle, blocks } });
  await new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  await w.terminate();
  for (const b of blocks) pool.unref(b); // the owner lets go: the pins still hold them
  assert.equal(pool.inUse, 3);
  assert.equal(pool.releaseThreadPins(1), 6);
  assert.equal(pool.inUse, 0);
});

// The file-work pool with bytes in media-pool blocks, on its real piscina thread: a job
// naming blocks writes exactly their bytes and every pin comes back once it is answered;
// a job whose blocks were given back before it arrived (its asker died, a new owner
// reused them) is refused, and nothing is written from a stranger's block.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBlockPool, poolFor } from '../../src/runtime/block-pool.ts';
import { BlockBuffer, releaseBlockBytes } from '../../src/runtime/block-bytes.ts';
import { startFileWorkPool } from '../../src/actors/files/file-work-pool.ts';
import { fileWork } from '../../src/actors/files/file-work.ts';
import { FILE_WORK_CHANNEL, fileWorkReplyChannel, type FileWorkDone, type FileWorkJob } from '../../src/actors/files/file-work-wire.ts';
import { BroadcastChannel, threadId } from 'node:worker_threads';

const dir = mkdtempSync(join(tmpdir(), 'file-work-blocks-'));
const handle = createBlockPool(4096, 4096 * 64);
const pool = poolFor(handle);
const warnings: unknown[] = [];
const files = startFileWorkPool({ warn: (o: unknown) => void warnings.push(o) }, handle);
after(async () => {
  await files.stop(2000);
  rmSync(dir, { recursive: true, force: true });
});

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 13 + seed) & 0xff;
  return out;
}

test('a segment in blocks is written byte for byte, batches at offsets too; every block comes back', async () => {
  const buf = new BlockBuffer(pool);
  const segment = pattern(3 * 4096 + 100, 1);
  buf.append(segment);
  const path = join(dir, 'seg.ts');
  assert.equal(await fileWork(path, [{ op: 'write', path, data: buf.take()! }], pool), null);
  assert.deepEqual(new Uint8Array(readFileSync(path)), segment);

  // two batches of one file, the second starting inside the first's last block
  const rec = join(dir, 'rec.flv');
  const first = pattern(5000, 2);
  const second = pattern(9000, 3);
  buf.append(first);
  const a = buf.take()!;
  buf.append(second);
  const b = buf.take()!;
  assert.equal(b.blocks[0], a.blocks[a.blocks.length - 1], 'the batches share a block');
  const [ra, rb] = await Promise.all([
    fileWork(rec, [{ op: 'write-at', path: rec, at: 0, data: a, create: true }], pool),
    fileWork(rec, [{ op: 'write-at', path: rec, at: first.length, data: b }], pool),
  ]);
  assert.equal(ra, null);
  assert.equal(rb, null);
  assert.deepEqual(new Uint8Array(readFileSync(rec)), Uint8Array.from([...first, ...second]));
  buf.discard();
  assert.equal(pool.inUse, 0, 'the jobs\' pins and the main thread\'s are all given back');
  assert.equal(files.pending, 0);
});

test('a job whose blocks were given back and reused before it arrived is refused, and writes nothing', async () => {
  const buf = new BlockBuffer(pool);
  buf.append(pattern(6000, 4));
  const bytes = buf.take()!;
  buf.discard();
  // the asker dies: its pins go back, and another owner takes the blocks
  releaseBlockBytes(pool, bytes);
  const stranger = [pool.alloc(), pool.alloc()];
  assert.ok(bytes.blocks.every((b) => stranger.includes(b)));
  const path = join(dir, 'orphan.ts');
  // posted as the dead asker did, without fileWork (which would give the pins back a second time)
  const answer = new Promise<FileWorkDone['failure']>((resolve) => {
    const replies = new BroadcastChannel(fileWorkReplyChannel(threadId));
    replies.onmessage = (ev) => {
      const done = (ev as { data: FileWorkDone }).data;
      if (done.id !== -7) return;
      replies.close();
      resolve(done.failure);
    };
  });
  const jobs = new BroadcastChannel(FILE_WORK_CHANNEL);
  const job: FileWorkJob = { id: -7, thread: threadId, key: path, ops: [{ op: 'write', path, data: bytes }] };
  jobs.postMessage(job);
  jobs.close();
  const failure = await answer;
  assert.match(failure?.message ?? '', /given back before the job arrived/);
  assert.equal(existsSync(path), false, 'nothing written from blocks that are no longer the job\'s');
  for (const b of stranger) assert.equal(pool.refCount(b), 1, 'the new owner\'s blocks are untouched');
  for (const b of stranger) pool.unref(b);
  assert.equal(pool.inUse, 0);
});

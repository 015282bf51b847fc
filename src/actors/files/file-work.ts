// The file-work client of one thread: posts a job of file ops to the process's pool
// (file-work-pool.ts) and resolves when it is done, with its failure or null. Bytes in
// media-pool blocks (BlockBytes) go over as block numbers: the job owns the pins they
// carry, and they are given back here when the job is answered. Other bytes go over as
// SharedArrayBuffer copies made at once, so the caller may reuse its buffers as soon as
// this returns.

import { BroadcastChannel, threadId } from 'node:worker_threads';
import { isBlockBytes, releaseBlockBytes, type BlockPool } from '../../runtime/index.ts';
import { blockBytesOf, type FileOp, type FileWorkFailure } from './file-ops.ts';
import { FILE_WORK_CHANNEL, fileWorkReplyChannel, type FileWorkDone, type FileWorkJob } from './file-work-wire.ts';

let jobs: BroadcastChannel | null = null;
const waiting = new Map<number, (failure: FileWorkFailure | null) => void>();
let nextId = 1;

function channel(): BroadcastChannel {
  if (jobs) return jobs;
  jobs = new BroadcastChannel(FILE_WORK_CHANNEL);
  jobs.unref();
  const replies = new BroadcastChannel(fileWorkReplyChannel(threadId));
  replies.unref();
  replies.onmessage = (ev) => {
    const done = (ev as { data: FileWorkDone }).data;
    const resolve = waiting.get(done.id);
    waiting.delete(done.id);
    resolve?.(done.failure);
  };
  return jobs;
}

/**
 * Does `ops` on the pool, after every earlier job of `key` posted from any thread.
 * `blocks`: the media pool the ops' BlockBytes are pinned in (required when there are any).
 */
export function fileWork(key: string, ops: FileOp[], blocks: BlockPool | null = null): Promise<FileWorkFailure | null> {
  const job: FileWorkJob = { id: nextId++, thread: threadId, key, ops: ops.map(sharedOp) };
  const owned = blockBytesOf(ops);
  if (owned.length > 0 && blocks === null) throw new Error('file work with media blocks but no pool to give them back to');
  return new Promise((resolve) => {
    waiting.set(job.id, (failure) => {
      for (const bytes of owned) releaseBlockBytes(blocks!, bytes);
      resolve(failure);
    });
    channel().postMessage(job);
  });
}

function sharedOp(op: FileOp): FileOp {
  if (op.op !== 'write' && op.op !== 'write-at') return op;
  const data = op.data;
  if (typeof data === 'string' || isBlockBytes(data) || data.buffer instanceof SharedArrayBuffer) return op;
  const copy = new Uint8Array(new SharedArrayBuffer(data.length));
  copy.set(data);
  return { ...op, data: copy };
}

// The file-work client of one thread: posts a job of file ops to the process's pool
// (file-work-pool.ts) and resolves when it is done, with its failure or null. Bytes go
// over as SharedArrayBuffer copies made here, at once: the pool never copies them again,
// and the caller may reuse its buffers as soon as this returns.

import { BroadcastChannel, threadId } from 'node:worker_threads';
import type { FileOp, FileWorkFailure } from './file-ops.ts';
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

/** Does `ops` on the pool, after every earlier job of `key` posted from any thread. */
export function fileWork(key: string, ops: FileOp[]): Promise<FileWorkFailure | null> {
  const job: FileWorkJob = { id: nextId++, thread: threadId, key, ops: ops.map(sharedOp) };
  return new Promise((resolve) => {
    waiting.set(job.id, resolve);
    channel().postMessage(job);
  });
}

/** One shared copy of several chunks (a segment muxed piece by piece). */
export function sharedBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(new SharedArrayBuffer(n));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function sharedOp(op: FileOp): FileOp {
  if (op.op !== 'write' && op.op !== 'write-at') return op;
  if (typeof op.data === 'string' || op.data.buffer instanceof SharedArrayBuffer) return op;
  return { ...op, data: sharedBytes([op.data]) };
}

// The process's file-work pool, in the main thread: a piscina pool of FILE_THREADS threads
// that does every HLS and DVR disk write, rename and delete, so the worker threads that
// own the sockets never wait on the disk. Jobs with the same key (one playlist, one
// recording) run in the order they were posted; other keys run alongside on the second
// thread, so one slow file does not hold up every stream. Bytes in media-pool blocks are
// pinned here when the job arrives (by generation: a dead asker's blocks, given back and
// reused, are refused, not written) and let go when it is done. A failure is logged here with
// its path (the asker may be gone) and answered to the asker, who stops that stream's
// HLS or DVR. Started once per process by the server; stop() waits for what is queued.

import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import { pinBlockBytes, poolFor, releaseBlockBytes, type BlockBytes, type BlockPoolHandle } from '../../runtime/index.ts';
import { blockBytesOf, type FileOp, type FileWorkFailure } from './file-ops.ts';
import type { FileWorkThreadData } from './file-work-thread.ts';
import { FILE_WORK_CHANNEL, fileWorkReplyChannel, type FileWorkDone, type FileWorkJob } from './file-work-wire.ts';

// Two: a stream whose disk hangs keeps one thread, the other streams get the other.
const FILE_THREADS = 2;
// `.ts` from the sources, `.js` from the compiled package: the same extension as this module.
const TASK_FILE = new URL(`./file-work-thread${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url).href;

export interface FileWorkPool {
  /** Jobs posted and not yet done. */
  readonly pending: number;
  /** Waits (at most `timeoutMs`) for every job posted so far, then closes the pool. */
  stop(timeoutMs: number): Promise<void>;
}

export function startFileWorkPool(log: Pick<Logger, 'warn'>, media: BlockPoolHandle): FileWorkPool {
  const blocks = poolFor(media);
  const threadData: FileWorkThreadData = { poolData: media.data, blockSize: media.blockSize };
  const pool = new Piscina<FileOp[], FileWorkFailure | null>({
    filename: TASK_FILE,
    workerData: threadData,
    minThreads: 1,
    maxThreads: FILE_THREADS,
    // The second thread starts when two jobs first overlap, and stays: a thread is an isolate
    // that loads (and type-strips) its modules again at every start, 16-18 MB that came and
    // went every minute or two under HLS load, and its start cost more than its idling.
    idleTimeout: Infinity,
  });
  const jobs = new BroadcastChannel(FILE_WORK_CHANNEL);
  jobs.unref();
  const replies = new Map<number, BroadcastChannel>();
  const tails = new Map<string, Promise<void>>();
  let pending = 0;

  const answer = (job: FileWorkJob, failure: FileWorkFailure | null): void => {
    if (failure) log.warn({ file: failure.path, err: failure.message }, 'file work failed');
    let ch = replies.get(job.thread);
    if (!ch) {
      ch = new BroadcastChannel(fileWorkReplyChannel(job.thread));
      ch.unref();
      replies.set(job.thread, ch);
    }
    const done: FileWorkDone = { id: job.id, failure };
    ch.postMessage(done);
  };

  jobs.onmessage = (ev) => {
    const job = (ev as { data: FileWorkJob }).data;
    const held = pinJobBlocks(job.ops);
    if (held === null) {
      answer(job, { path: job.key, message: 'its media blocks were given back before the job arrived (the asking thread died)' });
      return;
    }
    pending++;
    const run = (tails.get(job.key) ?? Promise.resolve())
      .then(() => pool.run(job.ops))
      .then(
        (failure) => answer(job, failure),
        (err: Error) => answer(job, { path: job.key, message: err.message }),
      )
      .finally(() => {
        for (const bytes of held) releaseBlockBytes(blocks, bytes);
        pending--;
        if (tails.get(job.key) === run) tails.delete(job.key);
      });
    tails.set(job.key, run);
  };

  /** A pin on every block the job's ops name; null (nothing held) when one is gone. */
  const pinJobBlocks = (ops: readonly FileOp[]): BlockBytes[] | null => {
    const held: BlockBytes[] = [];
    for (const bytes of blockBytesOf(ops)) {
      if (!pinBlockBytes(blocks, bytes)) {
        for (const h of held) releaseBlockBytes(blocks, h);
        return null;
      }
      held.push(bytes);
    }
    return held;
  };

  return {
    get pending() {
      return pending;
    },
    async stop(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      // Jobs the last actors posted may still sit in the channel: let them in, then wait.
      do {
        await new Promise((r) => setImmediate(r));
        await Promise.race([Promise.allSettled([...tails.values()]), new Promise((r) => setTimeout(r, 50))]);
      } while ((pending > 0 || tails.size > 0) && Date.now() < deadline);
      if (pending > 0) log.warn({ pending }, 'file work left undone at stop');
      jobs.close();
      for (const ch of replies.values()) ch.close();
      // A thread stuck in a system call (a hung disk) never ends: do not wait for it.
      await Promise.race([pool.destroy(), new Promise((r) => setTimeout(r, Math.max(100, deadline - Date.now())).unref())]);
    },
  };
}

// How a thread that owns sockets reaches the process's file-work pool in the main thread:
// BroadcastChannels, which every thread of the process can open by name without a port
// handed over at start. A job posted before its thread is terminated (a graceful stop, a
// crash) is still delivered and done: the pool does not depend on the asker living.

import type { FileOp, FileWorkFailure } from './file-ops.ts';

/** Jobs, from any thread to the pool. */
export const FILE_WORK_CHANNEL = 'sluice/file-work';

/** Where the pool answers the jobs of one thread. */
export function fileWorkReplyChannel(thread: number): string {
  return `${FILE_WORK_CHANNEL}/done/${thread}`;
}

export interface FileWorkJob {
  /** Unique within the asking thread. */
  id: number;
  /** The asking thread's threadId: where the answer goes. */
  thread: number;
  /** Jobs with the same key run one after the other, in the order they were posted. */
  key: string;
  ops: FileOp[];
}

export interface FileWorkDone {
  id: number;
  failure: FileWorkFailure | null;
}

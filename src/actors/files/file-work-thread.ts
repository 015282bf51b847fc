// The task a thread of the file-work pool runs: one job's ops, in order (file-ops.ts).
import { runFileOps, type FileOp, type FileWorkFailure } from './file-ops.ts';
import { keepMemoryReducerWorking } from '../../runtime/index.ts';

// A pool thread is an isolate like any other: its heap goes back when it idles.
keepMemoryReducerWorking();

export default function fileWorkTask(ops: FileOp[]): FileWorkFailure | null {
  return runFileOps(ops);
}

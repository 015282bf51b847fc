// The task a thread of the file-work pool runs: one job's ops, in order (file-ops.ts).
import { runFileOps, type FileOp, type FileWorkFailure } from './file-ops.ts';

export default function fileWorkTask(ops: FileOp[]): FileWorkFailure | null {
  return runFileOps(ops);
}

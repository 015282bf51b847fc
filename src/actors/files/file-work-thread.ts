// The task a thread of the file-work pool runs: one job's ops, in order (file-ops.ts).
// Its workerData is the media pool's memory (FileWorkThreadData): segments and batches of
// recordings come as block numbers in it, not as copies.
import { workerData } from 'node:worker_threads';
import { runFileOps, type FileOp, type FileWorkFailure, type PoolMemory } from './file-ops.ts';
import { keepMemoryReducerWorking } from '../../runtime/index.ts';

export interface FileWorkThreadData {
  poolData: SharedArrayBuffer;
  blockSize: number;
}

// A pool thread is an isolate like any other: its heap goes back when it idles.
keepMemoryReducerWorking();

const given = workerData as FileWorkThreadData | null;
const memory: PoolMemory | null = given ? { data: new Uint8Array(given.poolData), blockSize: given.blockSize } : null;

export default function fileWorkTask(ops: FileOp[]): FileWorkFailure | null {
  return runFileOps(ops, memory);
}

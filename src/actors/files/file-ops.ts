// File work as data: what HLS and DVR ask the disk to do, and the synchronous code that
// does it. The ops of one job run in order on a thread of the file-work pool
// (file-work-pool.ts), never on a thread that owns sockets, so a slow disk stalls only
// the pool. A job stops at its first failure and says which path failed: a playlist
// must not name a segment whose write failed, and a recording stops at its first
// failed append rather than leaving a hole.

import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { forEachBlockPiece, isBlockBytes, type BlockBytes } from '../../runtime/index.ts';

/** Bytes to write: a string, a buffer, or bytes in blocks of the media pool. */
export type FileBytes = Uint8Array | string | BlockBytes;

/** The media pool's memory as the thread running ops sees it: where BlockBytes are read. */
export interface PoolMemory {
  data: Uint8Array;
  blockSize: number;
}

export type FileOp =
  /** The whole file, under a temporary name first, then renamed: no reader sees half of it. */
  | { op: 'write'; path: string; data: FileBytes }
  /** Bytes at an offset of a file; `create` truncates (and makes its folders) first. */
  | { op: 'write-at'; path: string; at: number; data: FileBytes; create?: boolean }
  /** A file or a whole folder; a path already gone is fine. */
  | { op: 'remove'; path: string }
  /**
   * An ended HLS playlist and its files, unless a republish rewrote the playlist since
   * (`text` is what the ending muxer left there): the new publisher owns the files then.
   */
  | { op: 'dispose'; playlist: string; text: string; files: string[] };

export interface FileWorkFailure {
  path: string;
  message: string;
}

/** The bytes in media blocks that ops write: their pins travel with the job. */
export function blockBytesOf(ops: readonly FileOp[]): BlockBytes[] {
  const out: BlockBytes[] = [];
  for (const op of ops) if ((op.op === 'write' || op.op === 'write-at') && isBlockBytes(op.data)) out.push(op.data);
  return out;
}

/** Runs a job's ops in order; the first failure ends the job and is returned. */
export function runFileOps(ops: readonly FileOp[], memory: PoolMemory | null = null): FileWorkFailure | null {
  for (const op of ops) {
    try {
      runOne(op, memory);
    } catch (err) {
      return { path: op.op === 'dispose' ? op.playlist : op.path, message: (err as Error).message };
    }
  }
  return null;
}

function runOne(op: FileOp, memory: PoolMemory | null): void {
  switch (op.op) {
    case 'write': {
      mkdirSync(dirname(op.path), { recursive: true });
      const tmp = `${op.path}.tmp`;
      writeWhole(tmp, 'w', op.data, null, memory);
      renameSync(tmp, op.path);
      return;
    }
    case 'write-at':
      if (op.create) mkdirSync(dirname(op.path), { recursive: true });
      writeWhole(op.path, op.create ? 'w' : 'r+', op.data, op.at, memory);
      return;
    case 'remove':
      rmSync(op.path, { recursive: true, force: true });
      return;
    case 'dispose': {
      let now: string | null = null;
      try {
        now = readFileSync(op.playlist, 'utf8');
      } catch {
        // gone: someone else cleaned up, nothing of it is ours any more
      }
      if (now !== op.text) return;
      for (const f of op.files) rmSync(f, { force: true });
      rmSync(op.playlist, { force: true });
      return;
    }
    default: {
      const never: never = op;
      return never;
    }
  }
}

function writeWhole(path: string, flags: 'w' | 'r+', data: FileBytes, at: number | null, memory: PoolMemory | null): void {
  const fd = openSync(path, flags);
  try {
    if (!isBlockBytes(data)) {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      writeAll(fd, bytes, 0, bytes.length, at);
      return;
    }
    if (memory === null) throw new Error('bytes in media blocks, but this thread has no media pool');
    let written = 0;
    forEachBlockPiece(data, memory.blockSize, (offset, length) => {
      writeAll(fd, memory.data, offset, length, at === null ? null : at + written);
      written += length;
    });
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array, offset: number, length: number, at: number | null): void {
  // writeSync may write less than asked (a signal, a pipe): go on until all of it is out.
  for (let done = 0; done < length; ) done += writeSync(fd, bytes, offset + done, length - done, at === null ? null : at + done);
}

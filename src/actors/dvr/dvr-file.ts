// One FLV file being recorded: header, a patchable onMetaData tag, then tags with their
// timestamps rebased to 0. Tags are batched in a preallocated buffer; once per DVR tick
// the batch becomes a file op (bytes at an offset) that the Dvr hands to the file-work
// pool, so the worker's players never wait on the disk. Offsets are known here, so the
// order of bytes does not depend on the order ops finish in. Finalisation is two 8-byte
// numbers patched in place (duration, filesize) after the last batch.

import { encodeFlvHeader, FLV_FILE_HEADER_SIZE } from '../../net/flv/flv-header.ts';
import { encodeTag, FLV_TAG_HEADER_SIZE, FLV_TAG_SCRIPT } from '../../net/flv/flv-tag.ts';
import { buildPatchableMetadata, encodeDouble } from '../../net/flv/flv-metadata-patch.ts';
import type { AmfObject } from '../../net/amf/amf-types.ts';
import type { FileOp } from '../files/file-ops.ts';
import { sharedBytes } from '../files/file-work.ts';

const BUFFER_BYTES = 1 << 20;

export interface DvrFileInfo {
  path: string;
  /** Seconds, from the first to the last tag. */
  duration: number;
  /** Bytes. */
  size: number;
}

export class DvrFile {
  readonly path: string;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  /** Bytes handed out as ops so far: where the next batch goes. */
  private size = 0;
  private ops: FileOp[] = [];
  private durationPos = 0;
  private filesizePos = 0;
  private baseTs = -1;
  private lastTs = 0;

  /** The header and the metadata tag; the first batch creates the file (and its folders). */
  constructor(path: string, meta: AmfObject | null, tracks: { audio: boolean; video: boolean }) {
    this.path = path;
    this.append(encodeFlvHeader(tracks));
    const m = buildPatchableMetadata(meta);
    const tagStart = FLV_FILE_HEADER_SIZE + FLV_TAG_HEADER_SIZE;
    this.durationPos = tagStart + m.durationOffset;
    this.filesizePos = tagStart + m.filesizeOffset;
    this.append(encodeTag(FLV_TAG_SCRIPT, 0, m.payload));
  }

  /** Seconds recorded so far (last tag minus first). */
  get durationMs(): number {
    return this.baseTs < 0 ? 0 : this.lastTs - this.baseTs;
  }

  /** True before the first timed tag: the next tag defines time 0. */
  get empty(): boolean {
    return this.baseTs < 0;
  }

  /**
   * Appends a complete FLV tag (header + body + PreviousTagSize) with its timestamp
   * rewritten relative to the file's first timed tag. `sequenceHeader` tags go at 0
   * without defining the base.
   */
  writeTag(tag: Uint8Array, timestamp: number, sequenceHeader: boolean): void {
    let ts = 0;
    if (!sequenceHeader) {
      if (this.baseTs < 0) this.baseTs = timestamp;
      ts = Math.max(0, timestamp - this.baseTs);
      if (timestamp > this.lastTs) this.lastTs = timestamp;
    }
    const at = this.reserve(tag.length);
    if (at < 0) {
      // Larger than the buffer: a batch of its own, with the time set in the copy.
      const copy = sharedBytes([tag]);
      copy.set(timeBytes(ts), 4);
      this.flush();
      this.out(copy);
      return;
    }
    this.buf.set(tag, at);
    this.buf[at + 4] = (ts >>> 16) & 0xff;
    this.buf[at + 5] = (ts >>> 8) & 0xff;
    this.buf[at + 6] = ts & 0xff;
    this.buf[at + 7] = ts >>> 24;
  }

  /** What is buffered becomes an op (a copy: the buffer is reused). */
  flush(): void {
    if (this.used === 0) return;
    const bytes = sharedBytes([this.buf.subarray(0, this.used)]);
    this.used = 0;
    this.out(bytes);
  }

  /** The ops for everything written since the last call, in order. */
  takeOps(): FileOp[] {
    this.flush();
    const ops = this.ops;
    this.ops = [];
    return ops;
  }

  /** The last ops: what is buffered, then duration and filesize patched in place. */
  close(): { ops: FileOp[]; info: DvrFileInfo } {
    const ops = this.takeOps();
    const duration = this.durationMs / 1000;
    ops.push(
      { op: 'write-at', path: this.path, at: this.durationPos, data: encodeDouble(duration) },
      { op: 'write-at', path: this.path, at: this.filesizePos, data: encodeDouble(this.size) },
    );
    return { ops, info: { path: this.path, duration, size: this.size } };
  }

  private out(bytes: Uint8Array): void {
    this.ops.push({ op: 'write-at', path: this.path, at: this.size, data: bytes, ...(this.size === 0 ? { create: true } : {}) });
    this.size += bytes.length;
  }

  private append(bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    if (at < 0) {
      this.flush();
      this.out(sharedBytes([bytes]));
      return;
    }
    this.buf.set(bytes, at);
  }

  /** Room for n bytes in the buffer (flushing first if needed); -1 when n never fits. */
  private reserve(n: number): number {
    if (n > BUFFER_BYTES) return -1;
    if (this.used + n > BUFFER_BYTES) this.flush();
    const at = this.used;
    this.used += n;
    return at;
  }
}

function timeBytes(ts: number): Uint8Array {
  return Uint8Array.of((ts >>> 16) & 0xff, (ts >>> 8) & 0xff, ts & 0xff, ts >>> 24);
}

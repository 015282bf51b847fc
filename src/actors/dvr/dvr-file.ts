// One FLV file being recorded: header, a patchable onMetaData tag, then tags with their
// timestamps rebased to 0. Tags are appended into blocks of the media pool; once per DVR
// tick what was appended becomes a file op (bytes at an offset, given as block numbers)
// that the Dvr hands to the file-work pool, so the worker's players never wait on the
// disk and a recording holds no buffer of its own. Offsets are known here, so the order
// of bytes does not depend on the order ops finish in. Finalisation is two 8-byte
// numbers patched in place (duration, filesize) after the last batch.

import { encodeFlvHeader, FLV_FILE_HEADER_SIZE } from '../../net/flv/flv-header.ts';
import { encodeTag, FLV_TAG_HEADER_SIZE, FLV_TAG_SCRIPT } from '../../net/flv/flv-tag.ts';
import { buildPatchableMetadata, encodeDouble } from '../../net/flv/flv-metadata-patch.ts';
import type { AmfObject } from '../../net/amf/amf-types.ts';
import type { BlockBuffer, BlockPool } from '../../runtime/index.ts';
import { SluiceError } from '../../errors.ts';
import type { FileOp } from '../files/file-ops.ts';
import { fileBlockBuffer } from '../stream/pool-shares.ts';

export interface DvrFileInfo {
  path: string;
  /** Seconds, from the first to the last tag. */
  duration: number;
  /** Bytes. */
  size: number;
}

export class DvrFile {
  readonly path: string;
  private readonly buffer: BlockBuffer;
  /** A tag's header with its time rewritten, appended before the rest of the tag. */
  private readonly header = new Uint8Array(FLV_TAG_HEADER_SIZE);
  /** Bytes handed out as ops so far: where the next batch goes. */
  private size = 0;
  private durationPos = 0;
  private filesizePos = 0;
  private baseTs = -1;
  private lastTs = 0;

  /**
   * The header and the metadata tag; the first batch creates the file (and its folders).
   * `blocks`: the pool the bytes wait in until their batch is written.
   */
  constructor(path: string, meta: AmfObject | null, tracks: { audio: boolean; video: boolean }, blocks: BlockPool) {
    this.path = path;
    this.buffer = fileBlockBuffer(blocks);
    const m = buildPatchableMetadata(meta);
    const tagStart = FLV_FILE_HEADER_SIZE + FLV_TAG_HEADER_SIZE;
    this.durationPos = tagStart + m.durationOffset;
    this.filesizePos = tagStart + m.filesizeOffset;
    this.append(encodeFlvHeader(tracks));
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
   * without defining the base. Throws when the media pool has no room left.
   */
  writeTag(tag: Uint8Array, timestamp: number, sequenceHeader: boolean): void {
    let ts = 0;
    if (!sequenceHeader) {
      if (this.baseTs < 0) this.baseTs = timestamp;
      ts = Math.max(0, timestamp - this.baseTs);
      if (timestamp > this.lastTs) this.lastTs = timestamp;
    }
    const h = this.header;
    h.set(tag.subarray(0, FLV_TAG_HEADER_SIZE));
    h[4] = (ts >>> 16) & 0xff;
    h[5] = (ts >>> 8) & 0xff;
    h[6] = ts & 0xff;
    h[7] = ts >>> 24;
    this.append(h);
    this.append(tag.subarray(FLV_TAG_HEADER_SIZE));
  }

  /** The ops for everything written since the last call, in order. */
  takeOps(): FileOp[] {
    const data = this.buffer.take();
    if (data === null) return [];
    const op: FileOp = { op: 'write-at', path: this.path, at: this.size, data, ...(this.size === 0 ? { create: true } : {}) };
    this.size += data.length;
    return [op];
  }

  /** The last ops: what is buffered, then duration and filesize patched in place. */
  close(): { ops: FileOp[]; info: DvrFileInfo } {
    const ops = this.takeOps();
    this.buffer.discard();
    const duration = this.durationMs / 1000;
    ops.push(
      { op: 'write-at', path: this.path, at: this.durationPos, data: encodeDouble(duration) },
      { op: 'write-at', path: this.path, at: this.filesizePos, data: encodeDouble(this.size) },
    );
    return { ops, info: { path: this.path, duration, size: this.size } };
  }

  /** Drops what was not handed out yet (a recording that stops on an error). */
  discard(): void {
    this.buffer.discard();
  }

  private append(bytes: Uint8Array): void {
    if (this.buffer.append(bytes)) return;
    this.buffer.discard();
    throw new SluiceError('DVR_MEMORY', 'the media pool is nearly full (media.max_memory): no room for the recording');
  }
}

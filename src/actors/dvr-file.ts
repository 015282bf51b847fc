// One FLV file being recorded: header, a patchable onMetaData tag, then tags with their
// timestamps rebased to 0. Writes are batched in a preallocated buffer and flushed
// synchronously once per DVR tick: they land in the page cache, a few per second, so
// the worker is not held up, the order of bytes is trivial, and a full disk surfaces at
// once as an exception the Dvr turns into "recording stopped".
// Finalisation only overwrites two 8-byte numbers in place (duration, filesize): far
// too light to be worth a trip to the piscina pool.

import { openSync, writeSync, writevSync, closeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { encodeFlvHeader, FLV_FILE_HEADER_SIZE } from '../net/flv/flv-header.ts';
import { encodeTag, FLV_TAG_HEADER_SIZE, FLV_TAG_SCRIPT } from '../net/flv/flv-tag.ts';
import { buildPatchableMetadata, encodeDouble } from '../net/flv/flv-metadata-patch.ts';
import type { AmfObject } from '../net/rtmp/amf-types.ts';

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
  private fd: number;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private size = 0;
  private durationPos = 0;
  private filesizePos = 0;
  private baseTs = -1;
  private lastTs = 0;

  /** Creates the file (and its folders) and writes the header and the metadata tag. */
  constructor(path: string, meta: AmfObject | null, tracks: { audio: boolean; video: boolean }) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
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
      // Larger than the buffer: write it as it is, then patch the time in the file.
      this.flush();
      writeSync(this.fd, tag);
      writeSync(this.fd, timeBytes(ts), 0, 4, this.size + 4);
      this.size += tag.length;
      return;
    }
    this.buf.set(tag, at);
    this.buf[at + 4] = (ts >>> 16) & 0xff;
    this.buf[at + 5] = (ts >>> 8) & 0xff;
    this.buf[at + 6] = ts & 0xff;
    this.buf[at + 7] = ts >>> 24;
  }

  /** Writes what is buffered. Throws on a write error (ENOSPC, EIO ...). */
  flush(): void {
    if (this.used === 0) return;
    writevSync(this.fd, [this.buf.subarray(0, this.used)]);
    this.size += this.used;
    this.used = 0;
  }

  /** Flushes, patches duration and filesize in place, closes. */
  close(): DvrFileInfo {
    try {
      this.flush();
      const duration = this.durationMs / 1000;
      writeSync(this.fd, encodeDouble(duration), 0, 8, this.durationPos);
      writeSync(this.fd, encodeDouble(this.size), 0, 8, this.filesizePos);
      return { path: this.path, duration, size: this.size };
    } finally {
      this.abandon();
    }
  }

  /** Closes the descriptor without writing anything more (after a failure). */
  abandon(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      // nothing more to do for a file we are giving up on
    }
    this.fd = -1;
  }

  private append(bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    if (at < 0) {
      this.flush();
      writeSync(this.fd, bytes);
      this.size += bytes.length;
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

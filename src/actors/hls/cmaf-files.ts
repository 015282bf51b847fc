// Names and disk copies of one fmp4 / low_latency HLS stream. Names come from the user's
// templates (src/net/hls/fmp4-names.ts); every path stays under hls.path. The disk copy
// (segments, init segments, the playlist without parts) is for plain file serving after the
// stream ends, `dispose`, and on_hls receivers; the file-work pool writes it (file-work.ts),
// one job after the other under the playlist's key, so segment, playlist and deletions land
// in order, while the muxer's thread never blocks on the disk. Jobs still queued when the
// stream ends are done all the same: the pool lives in the main thread, whatever becomes
// of this one. Parts are never written to disk. The bytes of a segment or init segment go
// to the pool in media-pool blocks (a copy there rather than in a buffer of its own, and no
// native allocation per segment); when the pool is nearly full the disk copy of that
// segment is skipped, logged, and the stream goes on from memory.

import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { expandTemplate } from '../../config/template.ts';
import type { HlsConfig } from '../../config/types.ts';
import { isInside } from '../../net/http/paths.ts';
import { SluiceError } from '../../errors.ts';
import { initTemplate, partName, segmentTemplate } from '../../net/hls/fmp4-names.ts';
import type { HlsNames } from './hls-segment-files.ts';
import { fileWork } from '../files/file-work.ts';
import type { FileOp } from '../files/file-ops.ts';
import type { BlockBuffer, BlockPool } from '../../runtime/index.ts';
import { fileBlockBuffer } from '../stream/pool-shares.ts';

type Log = { warn(obj: object, msg: string): void };

export class CmafFiles {
  readonly root: string;
  readonly m3u8Path: string;
  private readonly config: HlsConfig;
  private readonly names: HlsNames;
  private readonly log: Log;
  /** The last job posted: done means every earlier one is done too. */
  private last: Promise<unknown> = Promise.resolve();
  private readonly blocks: BlockPool;
  /** Where a file's bytes wait for the pool to write them. */
  private readonly buffer: BlockBuffer;

  constructor(config: HlsConfig, names: HlsNames, log: Log, blocks: BlockPool) {
    this.config = config;
    this.names = names;
    this.log = log;
    this.blocks = blocks;
    this.buffer = fileBlockBuffer(blocks);
    this.root = resolve(config.path);
    this.m3u8Path = this.inside(expandTemplate(config.m3u8_file, names));
  }

  segmentPath(msn: number): string {
    return this.inside(expandTemplate(segmentTemplate(this.config.ts_file), { ...this.names, seq: msn, timestamp: Date.now() }));
  }

  partPath(segmentPath: string, part: number): string {
    return partName(segmentPath, part);
  }

  initPath(msn: number): string {
    return this.inside(expandTemplate(initTemplate(this.config.m3u8_file), { ...this.names, seq: msn }));
  }

  /** The URI the playlist gives a file: relative to the playlist. */
  uriOf(path: string): string {
    return relative(dirname(this.m3u8Path), path).split('\\').join('/');
  }

  /** The name the HTTP server looks a file up by: its path under hls.path. */
  nameOf(path: string): string {
    return relative(this.root, path).split('\\').join('/');
  }

  /** A file the playlist names (an earlier publish's), as a path under hls.path, or null. */
  pathOfUri(uri: string): string | null {
    const full = resolve(dirname(this.m3u8Path), uri);
    return isInside(this.root, full) ? full : null;
  }

  private inside(relativePath: string): string {
    const full = resolve(this.root, relativePath);
    if (!isInside(this.root, full)) throw new SluiceError('HLS_PATH', `${relativePath} is outside ${this.root}`);
    return full;
  }

  /** The playlist on disk now (read once, when a muxer starts), or null. */
  previousPlaylist(): string | null {
    try {
      return readFileSync(this.m3u8Path, 'utf8');
    } catch {
      return null;
    }
  }

  private job(op: FileOp): void {
    this.last = fileWork(this.m3u8Path, [op], this.blocks).then((failure) => {
      if (failure) this.log.warn({ file: failure.path, err: failure.message }, 'hls disk copy failed');
    });
  }

  write(path: string, bytes: Uint8Array | string): void {
    if (typeof bytes === 'string') return this.job({ op: 'write', path, data: bytes });
    if (!this.buffer.append(bytes)) {
      this.buffer.discard();
      this.log.warn({ file: path }, 'hls disk copy skipped: the media pool is nearly full (media.max_memory)');
      return;
    }
    const data = this.buffer.take();
    if (data !== null) this.job({ op: 'write', path, data });
  }

  /** Lets go of the block the next write would have gone on in (the muxer stopped). */
  close(): void {
    this.buffer.discard();
  }

  remove(path: string): void {
    this.job({ op: 'remove', path });
  }

  /** Runs `fn` once every write queued so far is done. */
  after(fn: () => void): void {
    void this.last.then(fn);
  }
}

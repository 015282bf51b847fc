// The files of one HLS stream on disk: segments and the playlist are written under a
// temporary name and renamed, so no reader ever sees half a file. Writes are synchronous:
// a segment is a single writev of what was muxed during the fragment (about a megabyte
// for 10 s at 1 Mbit/s, a millisecond or two), which keeps the order of segment,
// playlist and deletions trivially right, also in the final flush at unpublish.

import { mkdirSync, openSync, writevSync, closeSync, renameSync, writeFileSync, unlinkSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { expandTemplate } from '../config/template.ts';
import type { HlsConfig } from '../config/types.ts';
import { parseMediaPlaylist, type ParsedMediaPlaylist } from '../net/hls/m3u8.ts';
import { isInside } from '../net/http/paths.ts';
import { SluiceError } from '../errors.ts';

export interface HlsNames {
  vhost: string;
  app: string;
  stream: string;
}

export class HlsSegmentFiles {
  readonly m3u8Path: string;
  private readonly config: HlsConfig;
  private readonly names: HlsNames;

  constructor(config: HlsConfig, names: HlsNames) {
    this.config = config;
    this.names = names;
    this.m3u8Path = this.inside(expandTemplate(config.m3u8_file, names));
  }

  segmentPath(seq: number): string {
    return this.inside(expandTemplate(this.config.ts_file, { ...this.names, seq }));
  }

  /** A path under `hls.path`, or an error: no name may write outside it. */
  private inside(relativePath: string): string {
    const root = resolve(this.config.path);
    const full = resolve(root, relativePath);
    if (!isInside(root, full)) throw new SluiceError('HLS_PATH', `${relativePath} is outside ${root}`);
    return full;
  }

  /** The URI of a segment as the playlist names it: relative to the playlist. */
  segmentUri(seq: number): string {
    return relative(dirname(this.m3u8Path), this.segmentPath(seq)).split('\\').join('/');
  }

  writeSegment(seq: number, chunks: readonly Uint8Array[]): string {
    const path = this.segmentPath(seq);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      for (let i = 0; i < chunks.length; i += 1024) writevSync(fd, chunks.slice(i, i + 1024));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    return path;
  }

  writePlaylist(text: string): void {
    mkdirSync(dirname(this.m3u8Path), { recursive: true });
    const tmp = `${this.m3u8Path}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.m3u8Path);
  }

  remove(path: string): void {
    try {
      unlinkSync(path);
    } catch {
      // already gone: cleanup is best effort
    }
  }

  /** The playlist left on disk by an earlier publish of this stream, if any. */
  previousPlaylist(): ParsedMediaPlaylist | null {
    try {
      return parseMediaPlaylist(readFileSync(this.m3u8Path, 'utf8'));
    } catch {
      return null;
    }
  }

  /** The playlist on disk now, or null. */
  currentPlaylistText(): string | null {
    try {
      return readFileSync(this.m3u8Path, 'utf8');
    } catch {
      return null;
    }
  }
}

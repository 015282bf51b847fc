// Names and disk copies of one fmp4 / low_latency HLS stream. Names come from the user's
// templates (src/net/hls/fmp4-names.ts); every path stays under hls.path. The disk copy
// (segments, init segments, the playlist without parts) is for plain file serving after the
// stream ends, `dispose`, and on_hls receivers; it is written off the hot path: async fs calls
// chained one after the other, so segment, playlist and deletions land in order, while the
// muxer's thread never blocks on the disk. Parts are never written to disk.

import { mkdir, writeFile, rename, unlink, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { expandTemplate } from '../config/template.ts';
import type { HlsConfig } from '../config/types.ts';
import { isInside } from '../net/http/paths.ts';
import { SluiceError } from '../errors.ts';
import { initTemplate, partName, segmentTemplate } from '../net/hls/fmp4-names.ts';
import type { HlsNames } from './hls-segment-files.ts';

type Log = { warn(obj: object, msg: string): void };

export class CmafFiles {
  readonly root: string;
  readonly m3u8Path: string;
  private readonly config: HlsConfig;
  private readonly names: HlsNames;
  private readonly log: Log;
  private queue: Promise<void> = Promise.resolve();

  constructor(config: HlsConfig, names: HlsNames, log: Log) {
    this.config = config;
    this.names = names;
    this.log = log;
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

  /** Runs `task` after everything queued before it; a failure is logged, the queue goes on. */
  private enqueue(what: string, task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task).catch((err: Error) => this.log.warn({ file: what, err: err.message }, 'hls disk copy failed'));
    this.queue = next;
    return next;
  }

  write(path: string, bytes: Uint8Array | string): Promise<void> {
    return this.enqueue(path, async () => {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    });
  }

  remove(path: string): Promise<void> {
    return this.enqueue(path, () => unlink(path).catch(() => undefined));
  }

  /** Runs `fn` once every write queued so far is done. */
  after(fn: () => void | Promise<void>): Promise<void> {
    return this.enqueue('after', async () => fn());
  }

  readPlaylist(): Promise<string | null> {
    return readFile(this.m3u8Path, 'utf8').catch(() => null);
  }
}

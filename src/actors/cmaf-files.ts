// Names and disk copies of one fmp4 / low_latency HLS stream. Names come from the user's
// templates (src/net/hls/fmp4-names.ts); every path stays under hls.path. The disk copy
// (segments, init segments, the playlist without parts) is for plain file serving after the
// stream ends, `dispose`, and on_hls receivers; it is written off the hot path: async fs calls
// one after the other, so segment, playlist and deletions land in order, while the muxer's
// thread never blocks on the disk; what is left when the stream ends is finished
// synchronously (close()). Parts are never written to disk.

import { mkdir, writeFile, rename, unlink, readFile } from 'node:fs/promises';
import { readFileSync, writeFileSync, renameSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { expandTemplate } from '../config/template.ts';
import type { HlsConfig } from '../config/types.ts';
import { isInside } from '../net/http/paths.ts';
import { SluiceError } from '../errors.ts';
import { initTemplate, partName, segmentTemplate } from '../net/hls/fmp4-names.ts';
import type { HlsNames } from './hls-segment-files.ts';

type Log = { warn(obj: object, msg: string): void };

type DiskOp =
  | { kind: 'write'; path: string; bytes: Uint8Array | string }
  | { kind: 'remove'; path: string }
  | { kind: 'call'; fn: () => void | Promise<void> };

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

  // The disk work as data, run one at a time by pump(): close() can then finish it
  // synchronously when the stream ends (a worker is terminated soon after its actors stop at
  // a graceful stop, and pending promises would be lost with it).
  private readonly ops: DiskOp[] = [];
  private current: DiskOp | null = null;
  private closed = false;

  private enqueue(op: DiskOp): void {
    if (this.closed) {
      this.runSync(op);
      return;
    }
    this.ops.push(op);
    if (this.current === null) void this.pump();
  }

  private async pump(): Promise<void> {
    while (!this.closed && this.ops.length > 0) {
      const op = this.ops.shift()!;
      this.current = op;
      try {
        await this.runAsync(op);
      } catch (err) {
        this.log.warn({ file: op.kind === 'call' ? 'after' : op.path, err: (err as Error).message }, 'hls disk copy failed');
      }
    }
    this.current = null;
  }

  private async runAsync(op: DiskOp): Promise<void> {
    if (op.kind === 'call') return op.fn();
    if (op.kind === 'remove') return unlink(op.path).catch(() => undefined);
    await mkdir(dirname(op.path), { recursive: true });
    const tmp = `${op.path}.tmp`;
    await writeFile(tmp, op.bytes);
    // Closed meanwhile: close() has written this file itself; an older playlist must not
    // be renamed over the final one.
    if (this.closed) return unlink(tmp).catch(() => undefined);
    await rename(tmp, op.path);
  }

  private runSync(op: DiskOp): void {
    try {
      if (op.kind === 'call') void Promise.resolve(op.fn()).catch(() => undefined);
      else if (op.kind === 'remove') rmSync(op.path, { force: true });
      else {
        mkdirSync(dirname(op.path), { recursive: true });
        const tmp = `${op.path}.tmp-final`;
        writeFileSync(tmp, op.bytes);
        renameSync(tmp, op.path);
      }
    } catch (err) {
      this.log.warn({ file: op.kind === 'call' ? 'after' : op.path, err: (err as Error).message }, 'hls disk copy failed');
    }
  }

  write(path: string, bytes: Uint8Array | string): void {
    this.enqueue({ kind: 'write', path, bytes });
  }

  remove(path: string): void {
    this.enqueue({ kind: 'remove', path });
  }

  /** Runs `fn` once every write queued so far is done. */
  after(fn: () => void | Promise<void>): void {
    this.enqueue({ kind: 'call', fn });
  }

  /**
   * The stream ended: what is still queued (and the write in progress) is done now,
   * synchronously, in order; later calls run at once. Used from the muxer's stopped().
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const left = this.current !== null && this.current.kind === 'write' ? [this.current, ...this.ops] : [...this.ops];
    this.ops.length = 0;
    for (const op of left) this.runSync(op);
  }

  readPlaylist(): Promise<string | null> {
    return readFile(this.m3u8Path, 'utf8').catch(() => null);
  }
}

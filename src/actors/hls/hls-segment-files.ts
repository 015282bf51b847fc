// The names of one HLS stream's files on disk, all kept under `hls.path`. The writes
// themselves are file ops the muxer hands to the file-work pool (file-ops.ts: under a
// temporary name, then renamed, so no reader ever sees half a file).

import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { expandTemplate } from '../../config/template.ts';
import type { HlsConfig } from '../../config/types.ts';
import { parseMediaPlaylist, type ParsedMediaPlaylist } from '../../net/hls/m3u8.ts';
import { isInside } from '../../net/http/paths.ts';
import { SluiceError } from '../../errors.ts';

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

  /** The playlist left on disk by an earlier publish of this stream, if any (read once, at publish). */
  previousPlaylist(): ParsedMediaPlaylist | null {
    try {
      return parseMediaPlaylist(readFileSync(this.m3u8Path, 'utf8'));
    } catch {
      return null;
    }
  }
}

// The ffmpeg command lines of ingest and transcode, built from the config as SRS builds
// them: one ffmpeg per engine, `copy` per track, `vn`/`an` to drop a track, sizes of 0
// kept from the source. Pure: config in, argument lists out.

import type { AuthConfig, ListenAddress, SluiceConfig, TranscodeEngine, IngestConfig } from '../../config/types.ts';
import { expandTemplate } from '../../config/template.ts';
import { withInternalToken } from '../../auth/internal-token.ts';

/** Flags every supervised ffmpeg gets: quiet banner, warnings and errors only, no stdin. */
const COMMON = ['-hide_banner', '-nostdin', '-loglevel', 'warning'];

/** Where this server's own RTMP listener answers locally (for ffmpeg's in- and outputs). */
export function localRtmpAddress(config: SluiceConfig): { host: string; port: number } {
  const first: ListenAddress | undefined = config.listen[0];
  const port = first?.port ?? 1935;
  const host = !first || first.host === '0.0.0.0' || first.host === '::' || first.host === '' ? '127.0.0.1' : first.host;
  return { host: host.includes(':') ? `[${host}]` : host, port };
}

/** The video and audio options of one engine (or plain copy when engine is null). */
export function engineCodecArgs(engine: TranscodeEngine | null): string[] {
  if (!engine) return ['-c:v', 'copy', '-c:a', 'copy'];
  const out: string[] = [];
  const v = engine.vcodec;
  if (v === 'vn') {
    out.push('-vn');
  } else if (v === 'copy') {
    out.push('-c:v', 'copy');
  } else {
    out.push('-c:v', v, '-b:v', `${engine.vbitrate}k`, '-r', String(engine.vfps));
    const w = engine.vwidth;
    const h = engine.vheight;
    // -2 keeps the aspect ratio with an even size, which x264 needs.
    if (w > 0 || h > 0) out.push('-vf', `scale=${w > 0 ? w : -2}:${h > 0 ? h : -2}`);
    if (engine.vprofile) out.push('-profile:v', engine.vprofile);
    if (engine.vpreset) out.push('-preset', engine.vpreset);
    // A keyframe every 2 s lets players join the output quickly, as SRS's samples set.
    out.push('-g', String(Math.max(1, Math.round(engine.vfps * 2))));
  }
  const a = engine.acodec;
  if (a === 'an') {
    out.push('-an');
  } else if (a === 'copy') {
    out.push('-c:a', 'copy');
  } else {
    out.push('-c:a', a, '-b:a', `${engine.abitrate}k`, '-ar', String(engine.asample_rate), '-ac', String(engine.achannels));
  }
  return out;
}

/** An engine SRS would run at all: a disabled engine of an ingest means plain copy. */
export function activeEngine(engine: TranscodeEngine): TranscodeEngine | null {
  return engine.enabled ? engine : null;
}

export interface IngestJob {
  /** Unique within the server: `vhost/id/engine`. */
  key: string;
  name: string;
  command: string;
  args: string[];
}

/**
 * The ffmpeg jobs of one ingest of one vhost: one per engine, or one copy job. With the
 * vhost's `auth` (and this server's RTMP host), outputs to this server carry a token.
 */
export function ingestJobs(
  vhost: string,
  ingest: IngestConfig,
  port: number,
  defaultOutput: string,
  auth?: { config: AuthConfig; host: string },
): IngestJob[] {
  if (!ingest.enabled) return [];
  const input = ingest.input.type === 'file'
    ? ['-re', '-stream_loop', '-1', '-i', ingest.input.url]
    : ['-i', ingest.input.url];
  const engines: (TranscodeEngine | null)[] = ingest.engines.length > 0 ? ingest.engines : [null];
  return engines.map((engine) => {
    const engineName = engine?.name ?? '';
    const output = expandTemplate(engine?.output ?? defaultOutput, {
      vhost, app: 'live', stream: ingest.id, engine: engineName, port,
    });
    const codec = engineCodecArgs(engine ? activeEngine(engine) : null);
    return {
      key: `${vhost}/${ingest.id}/${engineName}`,
      name: `ingest ${vhost}/${ingest.id}${engineName ? ` engine ${engineName}` : ''}`,
      command: ingest.ffmpeg,
      args: [...COMMON, ...input, ...codec, '-f', 'flv', withInternalToken(output, auth?.config, 'publish', auth?.host ?? '127.0.0.1', port)],
    };
  });
}

export interface StreamNames {
  vhost: string;
  app: string;
  stream: string;
}

/**
 * The ffmpeg arguments of one transcode engine: read from this server, publish the
 * output. With the vhost's `auth`, the read and an output to this server carry tokens.
 */
export function transcodeArgs(names: StreamNames, engine: TranscodeEngine, host: string, port: number, auth?: AuthConfig): string[] {
  const input = withInternalToken(`rtmp://${host}:${port}/${names.app}/${names.stream}?vhost=${names.vhost}`, auth, 'play', host, port);
  const output = withInternalToken(expandTemplate(engine.output, { ...names, engine: engine.name, port }), auth, 'publish', host, port);
  return [...COMMON, '-rw_timeout', '10000000', '-i', input, ...engineCodecArgs(engine), '-f', 'flv', output];
}

/**
 * The enabled engines for a new stream; none for a stream that is itself the output of
 * an engine of this vhost (`x_ld`), so that nothing is transcoded twice (`x_ld_ld`).
 */
export function enginesFor(stream: string, engines: readonly TranscodeEngine[]): TranscodeEngine[] {
  if (engines.some((e) => stream.endsWith(`_${e.name}`))) return [];
  return engines.filter((e) => e.enabled);
}

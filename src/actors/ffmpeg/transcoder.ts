// Transcoder: one per enabled engine of a published stream, a child of its StreamSource.
// Its ffmpeg plays the stream from this server and publishes `[stream]_[engine]` (the
// engine's output template) with the engine's codecs; it is supervised (restarted with
// backoff) and stopped with the source, that is on unpublish.

import { registerActor, type Actor, type ActorContext } from '../../runtime/index.ts';
import type { TranscodeConfig, TranscodeEngine } from '../../config/types.ts';
import { SupervisedProcess } from './ffmpeg-process.ts';
import { enginesFor, localRtmpAddress, transcodeArgs, type StreamNames } from './ffmpeg-args.ts';
import type { WorkerServices } from '../worker/worker-services.ts';
import { resolveVhost } from '../worker/vhosts.ts';

export interface TranscoderArgs extends StreamNames {
  ffmpeg: string;
  engine: TranscodeEngine;
  /** The worker's: the configuration in force when the engine starts (this server's address, auth). */
  services: WorkerServices;
}

export class Transcoder implements Actor {
  private readonly proc: SupervisedProcess;

  constructor(args: TranscoderArgs, ctx: ActorContext) {
    const config = args.services.config;
    const { host, port } = localRtmpAddress(config);
    this.proc = new SupervisedProcess({
      name: `transcode ${args.vhost}/${args.app}/${args.stream} engine ${args.engine.name}`,
      command: args.ffmpeg,
      args: transcodeArgs(args, args.engine, host, port, resolveVhost(config, args.vhost)?.config.auth),
      log: ctx.log,
    });
    this.proc.start();
  }

  receive(): unknown {
    return undefined;
  }

  stopped(): void {
    // SIGTERM now (ffmpeg closes its output cleanly), SIGKILL after the grace period.
    void this.proc.stop();
  }
}

registerActor('media/transcoder', (args: TranscoderArgs, ctx: ActorContext) => new Transcoder(args, ctx));

/** One Transcoder per enabled engine of a new stream (called by StreamSource.start). */
export function spawnTranscoders(ctx: ActorContext, config: TranscodeConfig | undefined, names: StreamNames, services: WorkerServices): void {
  if (!config?.enabled) return;
  for (const engine of enginesFor(names.stream, config.engines)) {
    const args: TranscoderArgs = { ...names, ffmpeg: config.ffmpeg, engine, services };
    ctx.spawn('media/transcoder', args);
  }
}

// The fan-out publisher: ffmpeg looping av-1mbps.flv in real time, stream copy.

import { spawn, type ChildProcess } from 'node:child_process';
import { launchCommand } from './launch.ts';

export const MEDIA_DIR = new URL('../../../shared/media/', import.meta.url).pathname;

export interface FfmpegPublisher {
  readonly proc: ChildProcess;
  stop(): Promise<void>;
}

export function startFfmpegPublisher(url: string, opts: { cpus?: string; file?: string } = {}): FfmpegPublisher {
  const args = ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', MEDIA_DIR + (opts.file ?? 'av-1mbps.flv'), '-c', 'copy', '-f', 'flv', url];
  const stdio: ['ignore', 'ignore', 'inherit'] = ['ignore', 'ignore', 'inherit'];
  const [file, argv] = launchCommand(opts.cpus, 'ffmpeg', args);
  const proc = spawn(file, argv, { stdio });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

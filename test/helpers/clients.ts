// Real clients (ffmpeg, ffprobe, rtmpdump) as child processes, each bounded in time
// and stopped by its own PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { MEDIA } from './server.ts';

export interface Proc {
  readonly proc: ChildProcess;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export function run(cmd: string, args: string[], timeoutMs = 30000): Proc {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return {
    proc,
    done,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await done;
      clearTimeout(t);
    },
  };
}

/** ffmpeg publishing a sample file in real time (looped when `loop`). */
export function publish(url: string, file = 'av-1mbps.flv', opts: { loop?: boolean; timeoutMs?: number } = {}): Proc {
  const args = ['-hide_banner', '-loglevel', 'error', '-re'];
  if (opts.loop) args.push('-stream_loop', '-1');
  args.push('-i', MEDIA + file, '-c', 'copy', '-f', 'flv', url);
  return run('ffmpeg', args, opts.timeoutMs ?? 60000);
}

export interface ProbeStream {
  codec_name: string;
  codec_type: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  profile?: string;
}

export async function ffprobeStreams(url: string, timeoutMs = 20000): Promise<ProbeStream[]> {
  const p = run('ffprobe', ['-v', 'error', '-rw_timeout', String(timeoutMs * 1000), '-show_streams', '-of', 'json', url], timeoutMs);
  const r = await p.done;
  if (r.code !== 0) throw new Error(`ffprobe ${url} failed (${r.code}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { streams: ProbeStream[] }).streams;
}

export interface ProbePacket {
  codec_type: string;
  pts: number;
  dts: number;
  flags: string;
}

/** ffprobe's packets of the first `seconds` of a live URL (or a whole file). */
export async function ffprobePackets(url: string, opts: { readIntervals?: string; timeoutMs?: number } = {}): Promise<ProbePacket[]> {
  const args = ['-v', 'error', '-show_entries', 'packet=codec_type,pts,dts,flags', '-of', 'json'];
  if (opts.readIntervals) args.push('-read_intervals', opts.readIntervals);
  args.push(url);
  const r = await run('ffprobe', args, opts.timeoutMs ?? 30000).done;
  if (r.code !== 0) throw new Error(`ffprobe ${url} failed (${r.code}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { packets: ProbePacket[] }).packets ?? [];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `fn` returns a truthy value, or throws after `timeoutMs`. */
export async function until<T>(fn: () => T | Promise<T>, timeoutMs = 10000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

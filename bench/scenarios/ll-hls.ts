// LL-HLS against classic HLS: one publisher (av-1mbps.flv, ffmpeg -re, looped), N viewers
// polling from a separate process (bench/hls/hls-poller.ts): for `low_latency`, blocking
// playlist reloads plus part fetches; for `mpegts`, the playlist every second plus each new
// segment. Reported per variant: latency behind the encoder when each part / segment reaches
// a viewer (age of its first frame on arrival: p50, p99), server CPU and RSS over the steady window, requests' bytes, errors.

import { spawn } from 'node:child_process';
import { startServer, removeServerDir, NODE, type ServerOptions } from '../lib/servers.ts';
import { startFfmpegPublisher } from '../lib/ffmpeg-publisher.ts';
import { CpuMeter, rssBytesOf } from '../lib/proc-stats.ts';

const POLLER = new URL('../hls/hls-poller.ts', import.meta.url).pathname;

export interface LlHlsParams {
  viewers: number;
  seconds: number;
  warmup: number;
  workers: number;
}

export interface LlHlsRun {
  server: string;
  variant: 'mpegts' | 'low_latency';
  viewers: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
  samples: number;
  files: number;
  mbitPerSec: number;
  errors: number;
  serverCpuPct: number;
  serverRssMB: number;
  pollerCpuPct: number;
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLlHls(variant: 'mpegts' | 'low_latency', p: LlHlsParams, log: (s: string) => void): Promise<LlHlsRun> {
  const opts: ServerOptions = {
    kind: 'sluice', workers: p.workers, http: true,
    vhost: { hls: { enabled: true, path: './hls', fragment: 2, window: 12, variant, part_ms: 200 } },
  };
  const s = await startServer(opts);
  const t0 = Date.now();
  const pub = startFfmpegPublisher(`rtmp://127.0.0.1:${s.port}/live/cam`);
  const url = `http://127.0.0.1:${s.httpPort}/live/cam.m3u8`;
  const base: LlHlsRun = {
    server: s.label, variant, viewers: p.viewers, p50: null, p99: null, max: null, samples: 0, files: 0, mbitPerSec: 0, errors: 0,
    serverCpuPct: 0, serverRssMB: 0, pollerCpuPct: 0,
  };
  try {
    const deadline = Date.now() + 20_000;
    while ((await fetch(url).then((r) => r.status).catch(() => 0)) !== 200) {
      if (Date.now() > deadline) throw new Error('no playlist within 20 s');
      await sleep(250);
    }
    await sleep(4000); // a few segments in the window for the classic viewers
    const total = p.warmup + p.seconds;
    const mode = variant === 'low_latency' ? 'll' : 'classic';
    log(`  ${p.viewers} ${mode} viewers for ${total} s (${p.warmup} s warm-up)`);
    const poller = spawn(NODE, [POLLER, '--url', url, '--viewers', String(p.viewers), '--mode', mode, '--seconds', String(total), '--t0', String(t0), '--warmup', String(p.warmup)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    poller.stdout!.on('data', (d) => (out += d));
    const done = new Promise<void>((r) => poller.once('exit', () => r()));
    await sleep(p.warmup * 1000);
    const cpu = new CpuMeter(s.pids);
    const pollerCpu = new CpuMeter(() => [poller.pid!]);
    cpu.start();
    pollerCpu.start();
    await sleep(p.seconds * 1000 - 500);
    base.serverCpuPct = cpu.percent();
    base.pollerCpuPct = pollerCpu.percent();
    base.serverRssMB = rssBytesOf(s.pid) / 1e6;
    await done;
    const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { files: number; bytes: number; errors: number; samples: number; p50: number | null; p99: number | null; max: number | null };
    return { ...base, ...r, mbitPerSec: (r.bytes * 8) / total / 1e6 };
  } catch (err) {
    return { ...base, error: (err as Error).message };
  } finally {
    await pub.stop();
    await s.stop();
    removeServerDir(s);
  }
}

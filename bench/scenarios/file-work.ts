// File work beside the fan-out (`npm run bench -- file-work [--streams S] [--players N]
// [--window SEC]`): one pinned worker carries S looped 1 Mbit/s streams with N RTMP players
// spread over them, once with HLS and DVR off and once with both on (mpegts HLS, 2 s
// fragments; a DVR session file per stream). What a player feels is each media message's
// lateness: its arrival time minus its timestamp, less the smallest such offset that player
// saw in the window for that track (so 0 is "as early as this player ever got one"; audio and
// video apart, as a file interleaves them with an offset of its own). Disk work done on
// the worker shows up here as a tail: every player of the worker waits while it runs.

import { startServer, removeServerDir, serverLog, type ServerOptions } from '../lib/servers.ts';
import { startFfmpegPublisher } from '../lib/ffmpeg-publisher.ts';
import { CpuMeter } from '../lib/proc-stats.ts';
import { percentile } from '../lib/report.ts';
import { RtmpPlayer } from '../load-client/rtmp-player.ts';
import { TYPE_VIDEO } from '../load-client/chunk-skimmer.ts';
import type { StreamTarget } from '../load-client/rtmp-wire.ts';

export interface FileWorkParams {
  streams: number;
  players: number;
  settleSec: number;
  windowSec: number;
}

export interface FileWorkRun {
  server: string;
  files: 'off' | 'hls+dvr';
  players: number;
  samples: number;
  p50: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
  serverCpuPct: number;
  /** Server RSS before the publishers start, and its peak over the window (sampled each second). */
  idleRssMB: number;
  peakRssMB: number;
  /** Server log lines about failed file writes (should be 0). */
  fileErrors: number;
  error?: string;
}

/** A player that notes when each media message began to arrive, during the window only. */
class TimedPlayer extends RtmpPlayer {
  recording = false;
  /** Arrival minus timestamp (ms) per message, by track: [audio, video]. */
  readonly offsets: [number[], number[]] = [[], []];

  override onMedia(type: number, timestamp: number, length: number): void {
    super.onMedia(type, timestamp, length);
    if (this.recording) this.offsets[type === TYPE_VIDEO ? 1 : 0].push(performance.now() - timestamp);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lateness(players: TimedPlayer[]): number[] {
  const out: number[] = [];
  for (const p of players) {
    for (const track of p.offsets) {
      let min = Infinity;
      for (const o of track) if (o < min) min = o;
      for (const o of track) out.push(o - min);
    }
  }
  return out;
}

export async function runFileWork(files: FileWorkRun['files'], p: FileWorkParams, log: (s: string) => void): Promise<FileWorkRun> {
  const vhost = files === 'off' ? {} : {
    hls: { enabled: true, path: './hls', fragment: 2, window: 10 },
    dvr: { enabled: true, plan: 'session', path: './dvr/[app]/[stream].[timestamp].flv' },
  };
  const server: ServerOptions = { kind: 'sluice', workers: 1, cpus: '0', vhost };
  const s = await startServer(server);
  const run: FileWorkRun = {
    server: s.label, files, players: p.players, samples: 0, p50: null, p99: null, p999: null, max: null, serverCpuPct: 0, idleRssMB: 0, peakRssMB: 0, fileErrors: 0,
  };
  const cpu = new CpuMeter(s.pids);
  await sleep(3000);
  run.idleRssMB = cpu.rss() / 1e6;
  // ffmpeg -re paces by timestamps and loops without a jump in them: lateness is the server's.
  const targets: StreamTarget[] = Array.from({ length: p.streams }, (_, i) => ({ host: '127.0.0.1', port: s.port, app: 'live', stream: `fw${i}` }));
  const pubs = targets.map((t) => startFfmpegPublisher(`rtmp://127.0.0.1:${s.port}/live/${t.stream}`, { cpus: '1' }));
  const players: TimedPlayer[] = [];
  try {
    await sleep(3000);
    if (pubs.some((pub) => pub.proc.exitCode !== null)) throw new Error('a publisher exited');
    const readBuffer = Buffer.allocUnsafe(256 * 1024);
    for (let i = 0; i < p.players; i++) {
      const target = targets[i % targets.length]!;
      players.push(new TimedPlayer(target, { readBuffer }));
      if (i % 50 === 49) await sleep(100);
    }
    await sleep(p.settleSec * 1000);
    for (const pl of players) pl.recording = true;
    cpu.start();
    let peak = cpu.rss();
    for (let t = 0; t < p.windowSec; t++) {
      await sleep(1000);
      peak = Math.max(peak, cpu.rss());
    }
    run.peakRssMB = peak / 1e6;
    run.serverCpuPct = cpu.percent();
    for (const pl of players) pl.recording = false;
    const late = lateness(players);
    run.samples = late.length;
    run.p50 = percentile(late, 50);
    run.p99 = percentile(late, 99);
    run.p999 = percentile(late, 99.9);
    run.max = late.reduce((a, b) => Math.max(a, b), -Infinity);
    if (late.length === 0) run.max = null;
    const closed = players.filter((pl) => pl.socket.destroyed).length;
    if (closed > 0) run.error = `${closed} players closed`;
    log(`  ${s.label}, files ${files}: ${run.samples} messages, lateness p50 ${run.p50?.toFixed(1)} ms, p99 ${run.p99?.toFixed(1)} ms, ` +
      `p99.9 ${run.p999?.toFixed(1)} ms, max ${run.max?.toFixed(1)} ms, server CPU ${run.serverCpuPct.toFixed(1)}%, ` +
      `RSS ${run.idleRssMB.toFixed(0)} -> ${run.peakRssMB.toFixed(0)} MB`);
  } catch (err) {
    run.error = `${(err as Error).message}\n${serverLog(s).slice(-1500)}`;
    log(`  ${s.label}: ${run.error}`);
  } finally {
    for (const pl of players) pl.socket.destroy();
    await Promise.all(pubs.map((pub) => pub.stop()));
    await s.stop();
    run.fileErrors = (serverLog(s).match(/hls muxing stopped|file work failed|dvr stopped/g) ?? []).length;
    removeServerDir(s);
  }
  return run;
}

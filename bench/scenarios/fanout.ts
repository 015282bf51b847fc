// Fan-out: one looped 1 Mbit/s publisher, N players rising in steps until fewer than
// 95% keep up (or the cap). Each step: ramp, settle, mark, a measurement window, then
// read the load client's counters and the processes' CPU and RSS.

import { startServer, removeServerDir, serverLog, type ServerOptions } from '../lib/servers.ts';
import { startFfmpegPublisher } from '../lib/ffmpeg-publisher.ts';
import { LoadClient } from '../load-client/controller.ts';
import { CpuMeter } from '../lib/proc-stats.ts';
import { percentile, machineCpuMs } from '../lib/report.ts';
import type { StreamTarget } from '../load-client/rtmp-wire.ts';
import type { PlayerProtocol } from '../load-client/bench-player.ts';

export interface FanoutParams {
  steps: number[];
  windowSec: number;
  settleSec: number;
  rampPerSec: number;
  threads: number;
  /** Keep-up fraction below which the run stops. */
  stopBelow: number;
  /** How the players play: RTMP (default) or HTTP-FLV (the server must be started with `http`). */
  protocol?: PlayerProtocol;
}

export interface FanoutStep {
  players: number;
  connected: number;
  keepingUp: number;
  keepingUpPct: number;
  mbitPerSec: number;
  serverCpuPct: number;
  /** The kernel's (system time) part of serverCpuPct: socket writes, TCP, loopback delivery. */
  serverSysPct: number;
  cpuPer1000: number;
  /** Server CPU % per Gbit/s delivered: comparable even when players fall behind. */
  cpuPerGbit: number;
  serverRssMB: number;
  loadClientCpuPct: number;
  /** CPU % of everything else on the machine during the window (100 = one core). */
  otherCpuPct: number;
  firstFrameP50: number | null;
  firstFrameP99: number | null;
  firstFrameSamples: number;
  /** Seconds from the step's first new player to the last new player's first frame (null: not all had one). */
  readySec: number | null;
  errors: number;
  lastError: string;
}

export interface FanoutRun {
  server: string;
  pinned: boolean;
  steps: FanoutStep[];
  /** Most players held with >= stopBelow keeping up. */
  maxHeld: number;
  /** The server's warn/error log lines, counted by message and reason (Sluice only). */
  serverWarnings?: Record<string, number>;
  error?: string;
}

function warningCounts(log: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of log.split('\n')) {
    if (!/"level":(40|50)/.test(line)) continue;
    let key = line;
    try {
      const j = JSON.parse(line) as { msg?: string; reason?: string };
      key = `${j.msg ?? ''}${j.reason ? `: ${j.reason}` : ''}`.replace(/player \S+/, 'player X').replace(/\(\d+ skips so far\)/, '').slice(0, 120);
    } catch {
      key = line.slice(0, 120);
    }
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** How long past the ramp a step waits for its new players' first frames. */
const READY_TIMEOUT_MS = 90_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFanout(server: ServerOptions, p: FanoutParams, log: (s: string) => void): Promise<FanoutRun> {
  const pinned = server.cpus !== undefined;
  const s = await startServer(server);
  const run: FanoutRun = { server: s.label, pinned, steps: [], maxHeld: 0 };
  const protocol = p.protocol ?? 'rtmp';
  const playPort = protocol === 'http-flv' ? s.httpPort : s.port;
  const target: StreamTarget = { host: '127.0.0.1', port: playPort ?? 0, app: 'live', stream: 'bench' };
  const pub = startFfmpegPublisher(`rtmp://127.0.0.1:${s.port}/live/bench`, { cpus: pinned ? '1' : undefined });
  const lc = new LoadClient({ threads: p.threads, cpus: pinned ? '1' : undefined });
  const serverCpu = new CpuMeter(s.pids);
  const clientCpu = new CpuMeter(() => [lc.pid]);
  const pubCpu = new CpuMeter(() => [pub.proc.pid!]);
  try {
    await sleep(2000);
    if (pub.proc.exitCode !== null) throw new Error('the publisher exited');
    if (!playPort) throw new Error(`${s.label} has no port for ${protocol} players`);
    let have = 0;
    for (const n of p.steps) {
      lc.takeFirstFrames();
      const added = n - have;
      const rampStart = performance.now();
      lc.ramp([target], added, p.rampPerSec, protocol);
      have = n;
      const rampMs = (added / p.rampPerSec) * 1000;
      const r0 = await lc.waitConnected(n, rampMs + 15000);
      // The window starts once the new players all have media (not merely a session):
      // a ramp's GOP bursts would otherwise spill into it.
      const ff = lc.takeFirstFrames();
      for (const deadline = performance.now() + rampMs + READY_TIMEOUT_MS; ff.length < added && performance.now() < deadline; ) {
        await lc.nextReport();
        for (const v of lc.takeFirstFrames()) ff.push(v);
      }
      const readySec = ff.length >= added ? (performance.now() - rampStart) / 1000 : null;
      await sleep(p.settleSec * 1000);
      for (const v of lc.takeFirstFrames()) ff.push(v);
      const before = await lc.nextReport();
      lc.mark();
      serverCpu.start();
      clientCpu.start();
      pubCpu.start();
      const m0 = machineCpuMs();
      await sleep(p.windowSec * 1000);
      const r = await lc.nextReport();
      const m1 = machineCpuMs();
      const wallMs = p.windowSec * 1000;
      const srvPct = serverCpu.percent();
      const lcPct = clientCpu.percent();
      const otherPct = Math.max(0, (100 * (m1.busy - m0.busy)) / wallMs - srvPct - lcPct - pubCpu.percent());
      const keepingUp = r?.keepingUp ?? 0;
      const step: FanoutStep = {
        players: n,
        connected: r?.connected ?? 0,
        keepingUp,
        keepingUpPct: (100 * keepingUp) / n,
        mbitPerSec: r && before ? ((r.bytes - before.bytes) * 8) / 1e6 / ((r.t - before.t) / 1000) : 0,
        serverCpuPct: srvPct,
        serverSysPct: serverCpu.systemPercent(),
        cpuPer1000: srvPct / (n / 1000),
        cpuPerGbit: 0,
        serverRssMB: serverCpu.rss() / 1e6,
        loadClientCpuPct: lcPct,
        otherCpuPct: otherPct,
        firstFrameP50: percentile(ff, 50),
        firstFrameP99: percentile(ff, 99),
        firstFrameSamples: ff.length,
        readySec,
        errors: r?.errors ?? r0?.errors ?? 0,
        lastError: r?.lastError ?? '',
      };
      step.cpuPerGbit = step.mbitPerSec > 0 ? srvPct / (step.mbitPerSec / 1000) : 0;
      run.steps.push(step);
      log(`  ${s.label}: ${n} players, ${step.keepingUpPct.toFixed(1)}% keeping up, server CPU ${srvPct.toFixed(1)}% (kernel ${step.serverSysPct.toFixed(1)}%), ` +
        `RSS ${step.serverRssMB.toFixed(0)} MB, client CPU ${lcPct.toFixed(1)}%, other ${otherPct.toFixed(0)}%, ` +
        `all new players had media ${readySec === null ? 'not within the timeout' : `${readySec.toFixed(1)} s after the ramp began`}`);
      if (step.keepingUpPct < p.stopBelow * 100) break;
      run.maxHeld = n;
    }
  } catch (err) {
    run.error = `${(err as Error).message}\n${serverLog(s).slice(-1500)}`;
    log(`  ${s.label}: ${run.error}`);
  } finally {
    await lc.stop();
    await pub.stop();
    await s.stop();
    if (s.kind === 'sluice') run.serverWarnings = warningCounts(serverLog(s));
    removeServerDir(s);
  }
  return run;
}

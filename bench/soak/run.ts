// Soak: a Sluice server (2 workers, HLS with 2 s fragments and cleanup, HTTP-FLV, no DVR)
// under publish/unpublish churn, players joining and leaving and hostile clients for
// --minutes; RSS, fds and the API's client count sampled every 10 s; then all load is
// stopped and, after a cool-down, memory and fds must be back near the warm baseline.
//
//   ./node_modules/.bin/node bench/soak/run.ts --minutes 30
//
// Options: --minutes M (30) --streams N (10) --ffmpeg N (2 of the streams) --players N (50)
// --warmup S (60) --cooldown S (30) --sample S (10) --log-level L (info)
// --max-rss-mb N (6000: the soak ends early, and fails, if the server grows past it)
// --heap-snapshots (SIGUSR2 snapshots of the server's main thread at baseline and end)
// --no-hls (HLS off, to tell its memory from the rest's)
// --no-gc-check (by default the server runs with --inspect on a free 127.0.0.1 port, and
// after the baseline and the end samples every thread is made to run a full GC, then
// sampled again: what comes back was uncollected garbage, what stays is held).

import { parseArgs } from 'node:util';
import { writeResults } from '../lib/report.ts';
import { startSoakServer, type SoakServer } from './soak-server.ts';
import { freePort } from '../../test/helpers/ports.ts';
import { gcAllThreads, type ThreadProbe } from './gc-check.ts';
import { startChurn, type Churn, type ChurnOptions } from './churn.ts';
import { sample, fdKinds, type Sample } from './sampler.ts';
import { scanLog } from './log-scan.ts';
import { verdict, printReport } from './report.ts';
import { readMappings, byKind } from './smaps.ts';
import type { SoakTarget } from './context.ts';

const { values: a } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    streams: { type: 'string', default: '10' },
    ffmpeg: { type: 'string', default: '2' },
    players: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '60' },
    cooldown: { type: 'string', default: '30' },
    sample: { type: 'string', default: '10' },
    'log-level': { type: 'string', default: 'info' },
    'heap-snapshots': { type: 'boolean', default: false },
    'max-rss-mb': { type: 'string', default: '6000' },
    'gc-check': { type: 'boolean', default: true },
    hls: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const minutes = Number(a.minutes);
const sampleMs = Number(a.sample) * 1000;
const cooldownMs = Number(a.cooldown) * 1000;
const churnOpts: ChurnOptions = { streams: Number(a.streams), ffmpegSlots: Number(a.ffmpeg), players: Number(a.players), hostile: true };

const t0 = Date.now();
const elapsed = (): number => (Date.now() - t0) / 1000;
const say = (s: string): void => console.log(`[soak ${elapsed().toFixed(0).padStart(5)}s] ${s}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const inspectPort = a['gc-check'] ? await freePort() : 0;
const server: SoakServer = await startSoakServer({
  workers: 2,
  logLevel: a['log-level']!,
  ...(a.hls ? {} : { vhost: { hls: { enabled: false } } }),
  nodeFlags: [
    ...(a['heap-snapshots'] ? ['--heapsnapshot-signal=SIGUSR2'] : []),
    ...(inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : []),
  ],
});
say(`sluice pid ${server.pid}: rtmp ${server.rtmpPort}, http ${server.httpPort}, api ${server.apiPort}; log ${server.logFile}`);
const target: SoakTarget = { host: '127.0.0.1', rtmpPort: server.rtmpPort, httpPort: server.httpPort, apiPort: server.apiPort, app: 'live', streams: churnOpts.streams };

const samples: Sample[] = [];
let phase = 'start';
let churn: Churn | null = null;
let downAt: number | null = null;

// Interrupted (Ctrl-C, or a SIGTERM from whoever started the soak): the load and the
// server it started go with it, not left running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping the load and the server`);
    void Promise.resolve(churn?.stop())
      .catch(() => {})
      .then(() => server.stop())
      .finally(() => process.exit(130));
  });
}

async function takeSample(): Promise<Sample> {
  const s = await sample(server.pid, server.apiPort, elapsed(), phase, churn?.ctx.liveHandles ?? 0);
  if (server.exited() !== null && downAt === null) downAt = elapsed();
  samples.push(s);
  say(`${phase.padEnd(8)} rss ${(s.rssKiB / 1024).toFixed(1)} MB  fds ${s.fds}  threads ${s.threads}  api clients ${s.apiClients ?? '-'}  streams ${s.apiStreams ?? '-'} (publishing ${s.apiPublishing ?? '-'})  soak handles ${s.soakHandles}`);
  return s;
}

const sampler = setInterval(() => void takeSample(), sampleMs);
const cold = await takeSample();

// Warm-up: the same churn for a short while, so the baseline has JIT code, pools and
// worker heaps in it; then nothing, for the same cool-down the end gets.
phase = 'warmup';
churn = startChurn(target, churnOpts);
await sleep(Number(a.warmup) * 1000);
await churn.stop();
phase = 'cool-0';
await sleep(cooldownMs);
const baseline = await takeSample();
const baselineFdKinds = fdKinds(server.pid);
const baselineMaps = readMappings(server.pid);

/** Full GC on every thread, then a sample: null without --gc-check or when it failed. */
async function afterGc(label: string): Promise<{ sample: Sample; threads: Record<string, ThreadProbe> } | null> {
  if (!inspectPort) return null;
  try {
    const threads = await gcAllThreads(inspectPort);
    say(`${label}: heap used after a full GC, MB: ${Object.entries(threads).map(([t, p]) => `${t} ${p.unreachable ? `(${p.unreachable})` : p.heapUsedMB}`).join(', ')}`);
    for (const [t, p] of Object.entries(threads)) {
      if (p.residentBeforeGcMB) say(`${label}: ${t} V8 heap resident before the GC, MB: ${Object.entries(p.residentBeforeGcMB).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
    await sleep(3000);
    phase = label;
    return { sample: await takeSample(), threads };
  } catch (err) {
    say(`gc check failed: ${(err as Error).message}`);
    return null;
  }
}
const baselineGc = await afterGc('base-gc');
if (a['heap-snapshots']) process.kill(server.pid, 'SIGUSR2');

phase = 'soak';
say(`soak for ${minutes} min: ${churnOpts.streams} publishers (${churnOpts.ffmpegSlots} ffmpeg), ${churnOpts.players} player slots, hostile clients`);
churn = startChurn(target, churnOpts);
const soakStart = samples.length;
const endAt = Date.now() + minutes * 60_000;
let abortedAt: number | null = null;
while (Date.now() < endAt && server.exited() === null) {
  await sleep(Math.min(1000, endAt - Date.now()));
  const last = samples[samples.length - 1]!;
  if (last.rssKiB > Number(a['max-rss-mb']) * 1024) {
    abortedAt = elapsed();
    say(`server RSS ${(last.rssKiB / 1024).toFixed(0)} MB is past --max-rss-mb: ending the soak early`);
    break;
  }
}
const counts = Object.fromEntries([...churn.ctx.counts].sort());
await churn.stop();
const during = samples.slice(soakStart);

phase = 'cool';
say(`load stopped; cool-down ${cooldownMs / 1000} s`);
await sleep(cooldownMs);
clearInterval(sampler);
const end = await takeSample();
const endFdKinds = fdKinds(server.pid);
const endMaps = readMappings(server.pid);
const endGc = await afterGc('end-gc');
if (a['heap-snapshots']) {
  process.kill(server.pid, 'SIGUSR2');
  await sleep(5000);
}

const stayedUp = server.exited() === null && downAt === null;
const log = scanLog(server.log());
const workerDeaths = log.errorByMsg['worker died'] ?? 0;
const v = verdict(baseline, during, end, stayedUp && workerDeaths === 0);
if (abortedAt !== null) v.pass = false;
const exit = await server.stop();
printReport(v, counts, log, (s) => console.log(s));
if (baselineGc && endGc) {
  const retained = (endGc.sample.rssKiB - baselineGc.sample.rssKiB) / 1024;
  console.log(`after a forced full GC on every thread: RSS baseline ${(baselineGc.sample.rssKiB / 1024).toFixed(1)} MB, end ${(endGc.sample.rssKiB / 1024).toFixed(1)} MB (${retained.toFixed(1)} MB held by live objects)`);
  console.log(`threads at the end after GC: ${JSON.stringify(endGc.threads)}`);
}
console.log(`worker deaths: ${workerDeaths}; server exit on SIGTERM at the end: ${exit}`);
const residentByKind = { baseline: byKind(baselineMaps), end: byKind(endMaps) };
console.log('resident memory by kind of mapping (/proc/PID/smaps), MB: baseline -> end');
for (const k of Object.keys({ ...residentByKind.baseline, ...residentByKind.end })) {
  const [b, e] = [residentByKind.baseline[k] ?? 0, residentByKind.end[k] ?? 0];
  if (b + e > 0) console.log(`  ${(b / 1024).toFixed(1).padStart(7)} -> ${(e / 1024).toFixed(1).padStart(7)}  ${k}`);
}
console.log(`fds by kind: baseline ${JSON.stringify(baselineFdKinds)}  end ${JSON.stringify(endFdKinds)}`);
const file = writeResults('soak', {
  params: { minutes, ...churnOpts, warmupSec: Number(a.warmup), cooldownSec: cooldownMs / 1000, sampleSec: sampleMs / 1000 },
  server: { pid: server.pid, dir: server.dir, log: server.logFile, exitOnSigterm: exit, downAt, abortedAt },
  cold,
  verdict: v,
  gcCheck: baselineGc && endGc ? { baseline: baselineGc, end: endGc, heldMB: (endGc.sample.rssKiB - baselineGc.sample.rssKiB) / 1024 } : null,
  fdKinds: { baseline: baselineFdKinds, end: endFdKinds },
  residentKiBByKind: residentByKind,
  counts,
  log: { ...log, workerDeaths },
  samples,
});
console.log(`results: ${file}`);
process.exit(v.pass ? 0 : 1);

// `npm run bench [-- <scenario>] [--compare] [--quick] [options]`: see bench/README.md.
// Scenarios: fanout, http-flv (the fan-out to HTTP-FLV viewers), many-streams, density (S
// streams x K players, CPU and RSS per stream), first-frame, ll-hls (LL-HLS vs classic HLS
// viewers: latency behind the encoder, server CPU), all (the default: fanout,
// many-streams, first-frame), ring (bench/ring/run.ts), cluster-redis
// (bench/cluster/redis-origins.ts), file-work (fan-out lateness while HLS and DVR write).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { runFanout, type FanoutParams, type FanoutRun } from './scenarios/fanout.ts';
import { runManyStreams } from './scenarios/many-streams.ts';
import { runFirstFrame } from './scenarios/first-frame.ts';
import { runDensity, type DensityParams } from './scenarios/density.ts';
import { runLlHls, type LlHlsParams } from './scenarios/ll-hls.ts';
import { runFileWork, type FileWorkParams } from './scenarios/file-work.ts';
import { table, fmt, writeResults, machine, commandLine } from './lib/report.ts';
import { NODE, type ServerOptions } from './lib/servers.ts';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const VALUE_OPTIONS = new Set(['--streams', '--players', '--steady', '--nice', '--steps', '--window', '--settle', '--rate', '--threads', '--cap', '--publishers', '--per-stream', '--background', '--profile-dir', '--time-limit', '--viewers', '--seconds', '--workers']);
const scenario = argv.find((a, i) => !a.startsWith('--') && !(i > 0 && VALUE_OPTIONS.has(argv[i - 1]))) ?? 'all';

if (scenario === 'ring') {
  const ring = new URL('./ring/run.ts', import.meta.url).pathname;
  if (!existsSync(ring)) {
    console.error('bench/ring/run.ts is not there yet');
    process.exit(2);
  }
  const r = spawnSync(NODE, [ring, ...argv.filter((a) => a !== 'ring')], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

if (scenario === 'cluster-redis') {
  // Two origins sharing streams through a real redis-server: bench/cluster/redis-origins.ts.
  const script = new URL('./cluster/redis-origins.ts', import.meta.url).pathname;
  const r = spawnSync(NODE, [script, ...argv.filter((a) => a !== 'cluster-redis')], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const quick = flag('quick');
if (opt('nice')) process.env.BENCH_NICE = opt('nice');
const compare = flag('compare');
const cores = availableParallelism();
const cap = Number(opt('cap') ?? 19000);
const defaultSteps = scenario === 'http-flv'
  ? (quick ? [1000, 4000, 8000] : [1000, 2000, 4000, 8000, 10000, 12000])
  : (quick ? [1000, 4000, 8000, 12000] : [500, 1000, 2000, 4000, 6000, 8000, 10000, 12000, 15000, 18000]);
const fanoutParams: FanoutParams = {
  steps: (opt('steps')?.split(',').map(Number) ?? defaultSteps).filter((n) => n <= cap),
  windowSec: Number(opt('window') ?? (quick ? 6 : 20)),
  settleSec: Number(opt('settle') ?? (quick ? 2 : 3)),
  rampPerSec: Number(opt('rate') ?? (quick ? 2000 : 1000)),
  threads: Number(opt('threads') ?? 4),
  stopBelow: 0.95,
};
const log = (s: string) => console.error(s);

function sluiceOne(): ServerOptions {
  const o: ServerOptions = { kind: 'sluice', workers: 1, cpus: '0' };
  if (flag('profile')) {
    const dir = opt('profile-dir') ?? `${tmpdir()}/sluice-profiles-${Date.now()}`;
    o.nodeFlags = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
    log(`CPU profiles of the 1-worker Sluice go to ${dir}`);
  }
  return o;
}

/** `http`: the players are HTTP-FLV viewers (Sluice only: the peers are RTMP servers here). */
async function fanout(http = false): Promise<FanoutRun[]> {
  const configs: ServerOptions[] = [{ ...sluiceOne(), http }];
  if (compare && !http) configs.push({ kind: 'nms-2.7.4', workers: 1, cpus: '0' }, { kind: 'nginx-rtmp', workers: 1, cpus: '0' });
  if (!flag('one-worker')) {
    configs.push({ kind: 'sluice', workers: cores, http });
    if (compare && !http) configs.push({ kind: 'nginx-rtmp', workers: 2 });
  }
  if (compare && http) log('--compare: no peer is measured for HTTP-FLV; Sluice only');
  const params: FanoutParams = { ...fanoutParams, protocol: http ? 'http-flv' : 'rtmp' };
  const runs: FanoutRun[] = [];
  for (const c of configs) {
    log(`fan-out${http ? ' (HTTP-FLV)' : ''}: ${c.kind} ${c.workers} worker(s)${c.cpus ? ` pinned to CPU ${c.cpus}` : ''}`);
    runs.push(await runFanout(c, params, log));
  }
  const rows: string[][] = [];
  for (const r of runs) {
    for (const s of r.steps) {
      rows.push([r.server, String(s.players), fmt(s.keepingUpPct), fmt(s.mbitPerSec, 0), fmt(s.serverCpuPct), fmt(s.serverSysPct), fmt(s.cpuPer1000, 2), fmt(s.cpuPerGbit, 2),
        fmt(s.serverRssMB, 0), fmt(s.loadClientCpuPct), fmt(s.otherCpuPct, 0), fmt(s.firstFrameP50), fmt(s.firstFrameP99), s.readySec === null ? '-' : fmt(s.readySec)]);
    }
    if (r.error) rows.push([r.server, 'error', r.error.split('\n')[0]]);
  }
  console.log(`\nFan-out: 1 publisher (av-1mbps.flv looped) -> N ${http ? 'HTTP-FLV viewers' : 'RTMP players'}`);
  console.log(table(['server', 'players', 'keep up %', 'Mbit/s', 'CPU %', 'kernel %', 'CPU%/1k', 'CPU%/Gbit', 'RSS MB', 'client CPU %', 'other CPU %', 'ff p50 ms', 'ff p99 ms', 'ready s'], rows));
  console.log('\nMost players held (>= 95% keeping up): ' + runs.map((r) => `${r.server}: ${r.maxHeld}`).join('; '));
  const ratios = compareRatios(runs);
  for (const line of ratios) console.log(line);
  const path = writeResults(http ? 'http-flv' : 'fanout', { params, runs, ratios });
  console.log(`results: ${path}`);
  return runs;
}

/** Sluice 1 worker vs each single-core peer: CPU per player at the largest step both held, and players held. */
function compareRatios(runs: FanoutRun[]): string[] {
  const sl = runs.find((r) => r.server.startsWith('sluice 1w'));
  if (!sl) return [];
  const out: string[] = [];
  for (const peer of runs) {
    if (peer === sl || !peer.pinned) continue;
    const common = sl.steps.filter((s) => s.keepingUpPct >= 95 && peer.steps.some((q) => q.players === s.players && q.keepingUpPct >= 95));
    const at = common.find((s) => s.players === 4000) ?? common.at(-1);
    if (!at) {
      out.push(`vs ${peer.server}: no step both held`);
      continue;
    }
    const q = peer.steps.find((x) => x.players === at.players)!;
    out.push(`vs ${peer.server}: CPU per player at ${at.players} players = ${fmt(at.cpuPer1000 / q.cpuPer1000, 2)}x ` +
      `(per Gbit/s delivered ${fmt(at.cpuPerGbit / q.cpuPerGbit, 2)}x); ` +
      `players held = ${fmt(sl.maxHeld / Math.max(1, peer.maxHeld), 2)}x (${sl.maxHeld} vs ${peer.maxHeld})`);
  }
  const all = runs.find((r) => r.server.startsWith('sluice') && !r.pinned);
  if (all) out.push(`Sluice all workers vs 1 worker: players held = ${fmt(all.maxHeld / Math.max(1, sl.maxHeld), 2)}x`);
  return out;
}

async function manyStreams(): Promise<void> {
  const params = { publishers: Number(opt('publishers') ?? 100), playersPerStream: Number(opt('per-stream') ?? 5), windowSec: quick ? 6 : 20, threads: 2 };
  const configs: ServerOptions[] = [{ kind: 'sluice', workers: 1, cpus: '0' }, { kind: 'sluice', workers: cores }];
  const runs = [];
  for (const c of configs) {
    log(`many streams: ${c.kind} ${c.workers} worker(s)`);
    runs.push(await runManyStreams(c, params, log));
  }
  console.log(`\nMany streams: ${params.publishers} publishers x ${params.playersPerStream} players`);
  console.log(table(['server', 'players', 'keep up %', 'Mbit/s', 'CPU %', 'RSS MB', 'client CPU %', 'publishers CPU %'],
    runs.map((r) => [r.server, String(r.players), fmt(r.keepingUpPct), fmt(r.mbitPerSec, 0), fmt(r.serverCpuPct), fmt(r.serverRssMB, 0), fmt(r.loadClientCpuPct), fmt(r.publisherCpuPct)])));
  console.log(`results: ${writeResults('many-streams', { params, runs })}`);
}

/** `density [--streams S] [--players K] [--steady SEC] [--window SEC] [--compare] [--all-workers] [--profile]` */
async function density(): Promise<void> {
  const params: DensityParams = {
    streams: Number(opt('streams') ?? 200),
    playersPerStream: Number(opt('players') ?? 2),
    steadySec: Number(opt('steady') ?? (quick ? 15 : 75)),
    windowSec: Number(opt('window') ?? (quick ? 6 : 20)),
    threads: Number(opt('threads') ?? 2),
  };
  const configs: ServerOptions[] = flag('all-workers') ? [{ kind: 'sluice', workers: cores }] : [sluiceOne()];
  if (compare) configs.push({ kind: 'nginx-rtmp', workers: 1, cpus: '0' }, { kind: 'nms-2.7.4', workers: 1, cpus: '0' });
  const runs = [];
  for (const c of configs) {
    log(`density: ${c.kind} ${c.workers} worker(s)${c.cpus ? ` pinned to CPU ${c.cpus}` : ''}`);
    runs.push(await runDensity(c, params, log));
  }
  console.log(`\nDensity: ${params.streams} streams (av-1mbps.flv, real time) x ${params.playersPerStream} players, ${params.steadySec} s steady state, ${params.windowSec} s window`);
  console.log(table(['server', 'streams', 'players', 'keep up %', 'Mbit/s', 'CPU %', 'RSS idle MB', 'RSS peak MB', 'MB/stream', 'publisher CPU %', 'client CPU %'],
    runs.map((r) => r.error ? [r.server, String(r.streams), String(r.players), 'error', r.error] : [r.server, String(r.streams), String(r.players), fmt(r.keepingUpPct), fmt(r.mbitPerSec, 0), fmt(r.serverCpuPct),
      fmt(r.idleRssMB, 0), fmt(r.peakRssMB, 0), fmt(r.rssPerStreamMB, 2), fmt(r.publisherCpuPct), fmt(r.loadClientCpuPct)])));
  console.log(`results: ${writeResults('density', { params, runs })}`);
}

async function firstFrame(): Promise<void> {
  const params = { background: Number(opt('background') ?? 200), newPlayers: quick ? 50 : 200, perSec: 20 };
  const configs: ServerOptions[] = [{ kind: 'sluice', workers: 1, cpus: '0' }, { kind: 'sluice', workers: cores }];
  if (compare) configs.push({ kind: 'nms-2.7.4', workers: 1, cpus: '0' }, { kind: 'nginx-rtmp', workers: 1, cpus: '0' });
  const runs = [];
  for (const c of configs) {
    log(`first frame: ${c.kind} ${c.workers} worker(s)`);
    runs.push(await runFirstFrame(c, params, log));
  }
  console.log(`\nFirst frame: ${params.newPlayers} new players at ${params.perSec}/s with ${params.background} watching (GOP cache on where the server has one)`);
  console.log(table(['server', 'samples', 'p50 ms', 'p99 ms', 'max ms'], runs.map((r) => [r.server, String(r.samples), fmt(r.p50), fmt(r.p99), fmt(r.max)])));
  console.log(`results: ${writeResults('first-frame', { params, runs })}`);
}

/** `ll-hls [--viewers N] [--seconds S] [--workers W]`: LL-HLS vs classic HLS viewers. */
async function llHls(): Promise<void> {
  const params: LlHlsParams = {
    viewers: Number(opt('viewers') ?? 500),
    seconds: Number(opt('seconds') ?? (quick ? 15 : 30)),
    warmup: 5,
    workers: Number(opt('workers') ?? cores),
  };
  const runs = [];
  for (const variant of ['mpegts', 'low_latency'] as const) {
    log(`ll-hls: ${variant}, ${params.workers} worker(s)`);
    runs.push(await runLlHls(variant, params, log));
  }
  console.log(`\nLL-HLS vs classic HLS: 1 publisher (av-1mbps.flv, -re), ${params.viewers} viewers, fragment 2 s, part 200 ms, ${params.seconds} s window`);
  console.log(table(['server', 'variant', 'viewers', 'latency p50 s', 'p99 s', 'max s', 'files', 'Mbit/s', 'errors', 'server CPU %', 'RSS MB', 'poller CPU %'],
    runs.map((r) => r.error ? [r.server, r.variant, String(r.viewers), 'error', r.error] : [r.server, r.variant, String(r.viewers), fmt(r.p50, 2), fmt(r.p99, 2), fmt(r.max, 2),
      String(r.files), fmt(r.mbitPerSec, 1), String(r.errors), fmt(r.serverCpuPct), fmt(r.serverRssMB, 0), fmt(r.pollerCpuPct)])));
  console.log(`results: ${writeResults('ll-hls', { params, runs })}`);
}

/** `file-work [--streams S] [--players N] [--window SEC]`: fan-out lateness with HLS and DVR off, then on. */
async function fileWork(): Promise<void> {
  const params: FileWorkParams = {
    streams: Number(opt('streams') ?? 8),
    players: Number(opt('players') ?? 200),
    settleSec: Number(opt('settle') ?? 8),
    windowSec: Number(opt('window') ?? (quick ? 10 : 20)),
  };
  const runs = [];
  for (const files of ['off', 'hls+dvr'] as const) {
    log(`file work: ${params.streams} streams, ${params.players} RTMP players, HLS and DVR ${files === 'off' ? 'off' : 'on'}`);
    runs.push(await runFileWork(files, params, log));
  }
  console.log(`\nFan-out lateness on one worker: ${params.streams} streams (av-1mbps.flv, real time) x ${params.players} RTMP players in all, ${params.windowSec} s window`);
  console.log(table(['server', 'files', 'messages', 'late p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'server CPU %', 'RSS idle -> peak MB', 'file errors'],
    runs.map((r) => r.error ? [r.server, r.files, 'error', r.error.split('\n')[0]!] : [r.server, r.files, String(r.samples), fmt(r.p50, 2), fmt(r.p99, 2), fmt(r.p999, 2), fmt(r.max, 1),
      fmt(r.serverCpuPct), `${r.idleRssMB.toFixed(0)} -> ${r.peakRssMB.toFixed(0)}`, String(r.fileErrors)])));
  console.log(`results: ${writeResults('file-work', { params, runs })}`);
}

const deadline = setTimeout(() => {
  console.error('bench: overall time limit reached');
  process.exit(3);
}, Number(opt('time-limit') ?? (quick ? 15 : 60)) * 60_000);
deadline.unref();

const m = machine();
console.log(`${commandLine()}\nmachine: ${m.nproc} x ${m.cpuModel}, ${m.memTotalMB} MB, Linux ${m.kernel}, Node ${m.node}`);
if (scenario === 'fanout' || scenario === 'all') await fanout();
if (scenario === 'http-flv') await fanout(true);
if (scenario === 'many-streams' || scenario === 'all') await manyStreams();
if (scenario === 'density') await density();
if (scenario === 'first-frame' || scenario === 'all') await firstFrame();
if (scenario === 'll-hls') await llHls();
if (scenario === 'file-work') await fileWork();
if (!['fanout', 'http-flv', 'many-streams', 'density', 'first-frame', 'll-hls', 'file-work', 'all'].includes(scenario)) {
  console.error(`unknown scenario ${scenario}: fanout | http-flv | many-streams | density | first-frame | ll-hls | file-work | ring | cluster-redis | all`);
  process.exit(2);
}

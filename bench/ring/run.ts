// Ring benchmark: records/s and GB/s from one writer thread to 1, 2 and 4 reader threads,
// 200-byte and 16 KB records, through the SharedArrayBuffer ring and through postMessage
// (structured clone of a Uint8Array; transfer of a fresh ArrayBuffer per reader).
// Usage: node bench/ring/run.ts [--seconds 2] [--runs 2]
// Prints a table (medians over runs) and writes bench/results/ring-<date>.json.

import { MessageChannel, Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { createRing } from '../../src/runtime/ring.ts';
import type { BenchJob, Method } from './worker.ts';

const WORKER = new URL('./worker.ts', import.meta.url);
const METHODS: Method[] = ['ring', 'clone', 'transfer'];
const SIZES = [200, 16384];
const READERS = [1, 2, 4];

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const seconds = arg('seconds', 2);
const runs = arg('runs', 2);

interface Cell {
  method: Method;
  size: number;
  readers: number;
  recordsPerSec: number[];
}

async function start(job: BenchJob, transfer: MessagePortLike[]): Promise<Worker> {
  const w = new Worker(WORKER, { workerData: job, transferList: transfer as never[] });
  const [msg] = await once(w, 'message');
  if (msg !== 'ready') throw new Error('bench worker did not start');
  return w;
}
type MessagePortLike = import('node:worker_threads').MessagePort;

async function cell(method: Method, size: number, readers: number): Promise<number> {
  const acks = new SharedArrayBuffer((2 + readers) * 4);
  const window = Math.max(64, Math.min(16384, Math.floor((32 << 20) / size)));
  const ring = method === 'ring' ? createRing({ dataBytes: 64 << 20, indexSlots: 1 << 16, maxReaders: readers }) : null;
  const channels = method === 'ring' ? [] : Array.from({ length: readers }, () => new MessageChannel());
  const base = { method, readers, size, seconds, window, acks, ring };
  const rs: Worker[] = [];
  for (let i = 0; i < readers; i++) {
    const ports = channels[i] ? [channels[i]!.port2] : [];
    rs.push(await start({ ...base, role: 'reader', index: i, ports }, ports));
  }
  const wports = channels.map((c) => c.port1);
  const w = await start({ ...base, role: 'writer', index: -1, ports: wports }, wports);
  const results = [w, ...rs].map((x) => once(x, 'message'));
  const t0 = performance.now();
  for (const x of [...rs, w]) x.postMessage('go');
  const [[wr], ...rr] = await Promise.all(results);
  const elapsed = (performance.now() - t0) / 1000;
  for (const [r] of rr) if (r.count !== wr.sent) throw new Error(`reader got ${r.count} of ${wr.sent}`);
  await Promise.all([w, ...rs].map((x) => x.terminate()));
  return wr.sent / elapsed;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const cells: Cell[] = [];
for (const size of SIZES) for (const readers of READERS) for (const method of METHODS) cells.push({ method, size, readers, recordsPerSec: [] });
for (let run = 0; run < runs; run++) {
  for (const c of cells) {
    c.recordsPerSec.push(await cell(c.method, c.size, c.readers));
    process.stderr.write('.');
  }
}
process.stderr.write('\n');

const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? '?';
const rows = cells.map((c) => {
  const rps = median(c.recordsPerSec);
  return { ...c, median: rps, gbPerSec: (rps * c.size * c.readers) / 1e9 };
});
console.log(`ring bench: ${availableParallelism()} cpus, ${cpuModel}, node ${process.version}, ${seconds} s per cell, median of ${runs}`);
console.log('size    readers  method      records/s   delivered GB/s   vs ring');
for (const r of rows) {
  const ring = rows.find((x) => x.size === r.size && x.readers === r.readers && x.method === 'ring')!;
  console.log(
    `${String(r.size).padEnd(8)}${String(r.readers).padEnd(9)}${r.method.padEnd(10)}${Math.round(r.median).toLocaleString('en').padStart(11)}` +
      `${r.gbPerSec.toFixed(3).padStart(17)}${(r.median / ring.median).toFixed(2).padStart(10)}x`,
  );
}
const date = new Date().toISOString().replace(/[:.]/g, '-');
const dir = new URL('../results/', import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL(`ring-${date}.json`, dir);
writeFileSync(
  file,
  JSON.stringify({ bench: 'ring', date: new Date().toISOString(), node: process.version, cpus: availableParallelism(), cpuModel, seconds, runs, rows }, null, 2),
);
console.log(`wrote ${file.pathname}`);

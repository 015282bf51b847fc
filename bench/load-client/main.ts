// The load-client process: `node bench/load-client/main.ts [--threads N]`, driven over
// IPC by the bench (see protocol.ts). Players are spread evenly over the threads; the
// sums of the threads' reports go to the parent once a second.

import { Worker } from 'node:worker_threads';
import type { LoadCommand, LoadReport, ThreadReport } from './protocol.ts';

const argThreads = process.argv.indexOf('--threads');
const threadCount = argThreads > 0 ? Number(process.argv[argThreads + 1]) : 4;
if (!process.send) {
  console.error('load-client: run me through the bench (IPC channel missing)');
  process.exit(2);
}

const started = performance.now();
const threads: Worker[] = [];
const latest = new Map<number, ThreadReport>();
for (let i = 0; i < threadCount; i++) {
  const w = new Worker(new URL('./player-thread.ts', import.meta.url), { workerData: { index: i } });
  w.on('message', (r: ThreadReport) => {
    const prev = latest.get(r.thread);
    // First-frame samples accumulate until the next report to the parent.
    if (prev) r.firstFrameMs = prev.firstFrameMs.concat(r.firstFrameMs);
    latest.set(r.thread, r);
  });
  w.on('error', (err) => {
    console.error(`load-client thread ${i} failed: ${err.stack ?? err}`);
    process.exit(1);
  });
  threads.push(w);
}

function sendReport(): void {
  const sum: LoadReport = {
    type: 'report', t: performance.now() - started, cpuMs: 0,
    opened: 0, connected: 0, keepingUp: 0, bytes: 0, closed: 0, errors: 0, lastError: '', firstFrameMs: [],
  };
  for (const r of latest.values()) {
    sum.opened += r.opened;
    sum.connected += r.connected;
    sum.keepingUp += r.keepingUp;
    sum.bytes += r.bytes;
    sum.closed += r.closed;
    sum.errors += r.errors;
    if (r.lastError) sum.lastError = r.lastError;
    for (const v of r.firstFrameMs) sum.firstFrameMs.push(v);
    r.firstFrameMs = [];
  }
  const cpu = process.cpuUsage();
  sum.cpuMs = (cpu.user + cpu.system) / 1000;
  process.send!(sum);
}

/** Splits n as evenly as possible over the threads. */
function share(n: number, i: number): number {
  return Math.floor(n / threadCount) + (i < n % threadCount ? 1 : 0);
}

process.on('message', (cmd: LoadCommand) => {
  switch (cmd.type) {
    case 'ramp':
      threads.forEach((w, i) => {
        const count = share(cmd.count, i);
        if (count > 0) w.postMessage({ type: 'ramp', targets: cmd.targets, count, ratePerSec: cmd.ratePerSec / threadCount, protocol: cmd.protocol });
      });
      break;
    case 'mark':
    case 'close-all':
      for (const w of threads) w.postMessage({ type: cmd.type });
      break;
    case 'exit':
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

setInterval(sendReport, 1000);

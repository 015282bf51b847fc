// A load-client worker thread: holds its share of the players, opens them at the rate
// it is given, and reports once a second to the process's main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { RtmpPlayer } from './rtmp-player.ts';
import { HttpFlvPlayer } from './http-flv-player.ts';
import type { BenchPlayer, PlayerProtocol } from './bench-player.ts';
import type { StreamTarget } from './rtmp-wire.ts';
import type { ThreadCommand, ThreadReport } from './protocol.ts';

const KEEP_UP_RATIO = 0.9;
const READ_BUFFER_BYTES = 256 * 1024;
const RAMP_TICK_MS = 10;

const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
const players: BenchPlayer[] = [];
let closed = 0;
let errors = 0;
let lastError = '';
let ffSamples: number[] = [];
let pending: { targets: StreamTarget[]; protocol: PlayerProtocol; left: number; perTick: number; next: number } | null = null;
let rampTimer: NodeJS.Timeout | null = null;
const thread = (workerData as { index: number }).index;

function onClose(p: BenchPlayer): void {
  closed++;
  if (p.error) {
    errors++;
    lastError = p.error;
  }
}

function rampTick(): void {
  if (!pending) return;
  pending.next += pending.perTick;
  while (pending.left > 0 && pending.next >= 1) {
    const target = pending.targets[players.length % pending.targets.length];
    players.push(pending.protocol === 'http-flv' ? new HttpFlvPlayer(target, { readBuffer, onClose }) : new RtmpPlayer(target, { readBuffer, onClose }));
    pending.left--;
    pending.next--;
  }
  if (pending.left === 0) {
    pending = null;
    if (rampTimer) clearInterval(rampTimer);
    rampTimer = null;
  }
}

function report(): void {
  const now = performance.now();
  let connected = 0;
  let keepingUp = 0;
  let bytes = 0;
  for (const p of players) {
    bytes += p.bytes;
    if (p.isClosed) continue;
    if (p.playing) connected++;
    if (p.keepingUp(now, KEEP_UP_RATIO)) keepingUp++;
    if (p.firstFrameMs >= 0 && p.playSentAt) {
      ffSamples.push(p.firstFrameMs);
      p.playSentAt = 0; // reported once
    }
  }
  const r: ThreadReport = { thread, opened: players.length, connected, keepingUp, bytes, closed, errors, lastError, firstFrameMs: ffSamples };
  ffSamples = [];
  parentPort!.postMessage(r);
}

parentPort!.on('message', (cmd: ThreadCommand) => {
  switch (cmd.type) {
    case 'ramp':
      pending = { targets: cmd.targets, protocol: cmd.protocol ?? 'rtmp', left: cmd.count, perTick: (cmd.ratePerSec * RAMP_TICK_MS) / 1000, next: 1 };
      rampTimer ??= setInterval(rampTick, RAMP_TICK_MS);
      rampTick();
      break;
    case 'mark': {
      const now = performance.now();
      for (const p of players) p.mark(now);
      break;
    }
    case 'close-all':
      for (const p of players) p.close();
      players.length = 0;
      break;
  }
});

setInterval(report, 1000);

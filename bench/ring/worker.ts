// Bench threads: one writer and N readers moving the same records either through the
// SharedArrayBuffer ring or through postMessage (structured clone, or transfer of a fresh
// ArrayBuffer per reader). Flow control is the same for every method: the writer stays
// at most `window` records ahead of the slowest reader's acknowledgement (it sleeps with
// Atomics.wait, which is fine in a bench thread that owns no socket).

import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { RingReader, RingWriter } from '../../src/runtime/ring.ts';
import type { RingHandle } from '../../src/runtime/ring.ts';

export type Method = 'ring' | 'clone' | 'transfer';

export interface BenchJob {
  role: 'writer' | 'reader';
  method: Method;
  index: number; // reader number
  readers: number;
  size: number;
  seconds: number;
  window: number;
  acks: SharedArrayBuffer; // [waiting, gen, ack_0 .. ack_n-1]
  ring: RingHandle | null;
  ports: MessagePort[];
}

const A_WAITING = 0;
const A_GEN = 1;
const A_FIRST = 2;
const ACK_EVERY = 64;

const job = workerData as BenchJob;
const acks = new Int32Array(job.acks);

function ack(count: number): void {
  Atomics.store(acks, A_FIRST + job.index, count);
  if (Atomics.load(acks, A_WAITING) !== 0) {
    Atomics.add(acks, A_GEN, 1);
    Atomics.notify(acks, A_GEN);
  }
}

function slowest(): number {
  let min = Number.MAX_SAFE_INTEGER;
  for (let i = 0; i < job.readers; i++) {
    const a = Atomics.load(acks, A_FIRST + i);
    if (a < min) min = a;
  }
  return min;
}

function writer(): void {
  const src = new Uint8Array(job.size);
  for (let i = 0; i < src.length; i++) src[i] = i & 0xff;
  const ring = job.ring ? new RingWriter(job.ring) : null;
  const ports = job.ports;
  const t0 = performance.now();
  const until = t0 + job.seconds * 1000;
  let sent = 0;
  for (;;) {
    if ((sent & 255) === 0 && performance.now() >= until) break;
    if (sent - slowest() > job.window) {
      const gen = Atomics.load(acks, A_GEN);
      Atomics.store(acks, A_WAITING, 1);
      if (sent - slowest() > job.window) Atomics.wait(acks, A_GEN, gen, 5);
      Atomics.store(acks, A_WAITING, 0);
      continue;
    }
    sent++;
    if (ring) {
      ring.append(1, 0, sent, src);
    } else if (job.method === 'clone') {
      for (let p = 0; p < ports.length; p++) ports[p]!.postMessage(src);
    } else {
      for (let p = 0; p < ports.length; p++) {
        const ab = new ArrayBuffer(job.size);
        new Uint8Array(ab).set(src);
        ports[p]!.postMessage(ab, [ab]);
      }
    }
  }
  if (ring) ring.close();
  else for (const p of ports) p.postMessage(null);
  parentPort!.postMessage({ sent, writerMs: performance.now() - t0 });
}

async function ringReader(): Promise<void> {
  const r = new RingReader(job.ring!, { startAt: 'oldest' });
  let count = 0;
  let touched = 0;
  const bytes = r.bytes;
  for (;;) {
    const rec = r.next();
    if (rec !== null) {
      touched += bytes[rec.offset]!; // the receiver looks at the payload
      if ((++count & (ACK_EVERY - 1)) === 0) {
        r.release(rec.seq + 1);
        ack(count);
      }
      continue;
    }
    if (r.isLapped()) throw new Error('bench reader lapped: flow control failed');
    if ((await r.waitAsync()) === 'closed' && r.available() === 0) break;
  }
  r.close();
  parentPort!.postMessage({ count, touched });
}

function portReader(): void {
  const port = job.ports[0]!;
  let count = 0;
  let touched = 0;
  port.on('message', (m: Uint8Array | ArrayBuffer | null) => {
    if (m === null) {
      port.close();
      parentPort!.postMessage({ count, touched });
      return;
    }
    touched += m instanceof ArrayBuffer ? new Uint8Array(m)[0]! : m[0]!;
    if ((++count & (ACK_EVERY - 1)) === 0) ack(count);
  });
}

parentPort!.once('message', () => {
  if (job.role === 'writer') writer();
  else if (job.method === 'ring') void ringReader();
  else portReader();
});
parentPort!.postMessage('ready');

// The zero-copy invariant of DESIGN.md, on the real fan-out code: a player whose
// "kernel" sends its queued views late (its socket buffer is full) while the writer laps
// the ring must receive either the bytes that were queued, or nothing (dropped first),
// never bytes of a later record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRing, RingWriter, RING_FLAG_SYNC } from '../../src/runtime/ring.ts';
import { RingChannel } from '../../src/actors/ring-channel.ts';
import type { MediaSink } from '../../src/actors/media-sink.ts';

interface Pending {
  view: Buffer;
  copy: Buffer;
  done: (err?: Error | null) => void;
}

class SlowKernelSink implements MediaSink {
  readonly format = 'rtmp' as const;
  readonly id: string;
  pending: Pending[] = [];
  dropped: string | null = null;
  sentRecords = 0;
  corrupt = 0;
  constructor(id: string) {
    this.id = id;
  }
  write(view: Buffer, done: (err?: Error | null) => void): void {
    this.pending.push({ view, copy: Buffer.from(view), done });
  }
  queuedBytes(): number {
    return this.pending.reduce((n, p) => n + p.view.length, 0);
  }
  /** The kernel takes the oldest `n` writes now, reading the shared memory at this moment. */
  send(n: number): void {
    if (this.dropped) return;
    for (const p of this.pending.splice(0, n)) {
      if (!p.view.equals(p.copy)) this.corrupt++;
      this.sentRecords++;
      p.done(null);
    }
  }
  streamStarted(): void {}
  streamEnded(): void {}
  drop(reason: string): void {
    this.dropped = reason;
    this.pending = []; // a destroyed socket sends nothing more
  }
}

function record(seq: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  b.fill(seq & 0xff);
  new DataView(b.buffer).setUint32(0, seq);
  return b;
}

test('a player whose kernel lags while the writer laps the ring gets correct bytes or nothing', () => {
  const ring = createRing({ dataBytes: 64 * 1024, indexSlots: 1024, maxReaders: 4 });
  const writer = new RingWriter(ring);
  const logs: string[] = [];
  const channel = new RingChannel(1024, { queueMs: 1e9, highWaterBytes: 1e9 }, (m) => logs.push(m));
  writer.append(9, RING_FLAG_SYNC, 0, record(1, 1000));
  channel.attachRing(ring, 64 * 1024);
  const slow = new SlowKernelSink('slow');
  const fast = new SlowKernelSink('fast');
  channel.add(slow);
  channel.add(fast);
  let seq = 2;
  for (let tick = 0; tick < 400; tick++) {
    for (let i = 0; i < 3; i++, seq++) writer.append(9, seq % 10 === 0 ? RING_FLAG_SYNC : 0, seq * 40, record(seq, 1000 + (seq % 7) * 300));
    channel.flush();
    fast.send(1000); // a healthy player: everything leaves at once
    if (tick % 25 === 0) slow.send(1); // a stuck one: one write now and then
  }
  assert.equal(fast.corrupt, 0);
  assert.equal(fast.dropped, null);
  assert.ok(fast.sentRecords > 100);
  assert.equal(slow.corrupt, 0, 'no view was sent after its bytes were overwritten');
  assert.match(slow.dropped ?? '', /too slow/, 'the stuck player was dropped before the writer reached its bytes');
  assert.equal(writer.lappedReaders, 0, 'the writer never had to overrun the reader');
});

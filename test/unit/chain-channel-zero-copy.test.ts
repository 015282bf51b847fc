// Zero copy without a timing margin (a pending write pins its block): the real fan-out
// (ChainChannel) over a MediaChainWriter on a small pool, with a fake "slow kernel" sink
// that keeps the views it is handed and sends them (calls their callbacks) only much
// later. Meanwhile the source trims everything, other chains take every free block and
// scribble over them: the stuck player's views must still hold exactly the bytes that
// were queued, a healthy player alongside must get every message in order, and once
// the late callbacks fire the pool holds only what the live chain retains. (Checked
// without the sink's late callbacks, i.e. pins let go at once: the views change.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBlockPool, poolFor } from '../../src/runtime/block-pool.ts';
import { ChainWriter, PoolFullError } from '../../src/runtime/chain-writer.ts';
import { MediaChainWriter } from '../../src/actors/stream/media-chain.ts';
import { ChainChannel } from '../../src/actors/stream/chain-channel.ts';
import type { MediaSink } from '../../src/actors/stream/media-sink.ts';
import { FLAG_SYNC, FLAG_KEYFRAME, MSG_AUDIO, MSG_VIDEO } from '../../src/actors/stream/media-flags.ts';
import { ChunkReader } from '../../src/net/rtmp/chunk-reader.ts';
import { setChunkSize } from '../../src/net/rtmp/protocol-control.ts';

const BLOCK = 4096;
const BLOCKS = 300;
const CHUNK = 1000; // smaller than the messages: continuation headers inside records
const MESSAGES = 1500;
const GOP = 25;

interface Message { type: number; flags: number; ts: number; payload: Buffer }

// A message whose every byte says which message it is.
function message(seq: number): Message {
  const video = seq % 3 !== 0;
  const key = video && seq % GOP === 1;
  const size = 50 + ((seq * 2654435761) % 5000);
  const payload = Buffer.alloc(size);
  for (let j = 0; j < size; j++) payload[j] = (seq * 31 + j * 7 + (seq >> 8)) & 0xff;
  if (video) {
    payload[0] = key ? 0x17 : 0x27;
    payload[1] = 1;
  } else {
    payload[0] = 0xaf;
    payload[1] = 1;
  }
  return { type: video ? MSG_VIDEO : MSG_AUDIO, flags: key ? FLAG_SYNC | FLAG_KEYFRAME : 0, ts: seq * 20, payload };
}

class SlowKernelSink implements MediaSink {
  readonly format = 'rtmp' as const;
  readonly queued: { view: Buffer; copy: Buffer; done: ((err?: Error | null) => void) | null }[] = [];
  readonly id: string;
  dropped = '';
  constructor(id: string) {
    this.id = id;
  }
  write(views: readonly Buffer[], count: number, done: (err?: Error | null) => void): void {
    for (let i = 0; i < count; i++) this.queued.push({ view: views[i]!, copy: Buffer.from(views[i]!), done: i === count - 1 ? done : null });
  }
  queuedBytes(): number {
    let n = 0;
    for (const q of this.queued) n += q.view.length;
    return n;
  }
  streamStarted(): void {}
  streamEnded(): void {}
  drop(reason: string): void {
    this.dropped = reason;
  }
}

class HealthySink implements MediaSink {
  readonly format = 'rtmp' as const;
  readonly reader = new ChunkReader();
  readonly got: { type: number; ts: number; streamId: number; payload: Uint8Array }[] = [];
  readonly id: string;
  dropped = '';
  constructor(id: string) {
    this.id = id;
    this.reader.push(setChunkSize(CHUNK));
  }
  write(views: readonly Buffer[], count: number, done: (err?: Error | null) => void): void {
    // the kernel takes the bytes at once; the callback comes a moment later, as a socket's
    for (let i = 0; i < count; i++) {
      for (const m of this.reader.push(Buffer.from(views[i]!))) this.got.push({ type: m.type, ts: m.timestamp, streamId: m.streamId, payload: m.payload });
    }
    queueMicrotask(() => done(null));
  }
  queuedBytes(): number {
    return 0;
  }
  streamStarted(): void {}
  streamEnded(): void {}
  drop(reason: string): void {
    this.dropped = reason;
  }
}

// Takes every free block of the pool into other chains and fills them with 0xee.
function scribble(handle: ReturnType<typeof createBlockPool>): ChainWriter[] {
  const others: ChainWriter[] = [];
  for (;;) {
    const w = new ChainWriter(handle, 1);
    others.push(w);
    let wrote = 0;
    try {
      for (;;) {
        w.begin(9, 0, 0, 3000, 0);
        w.put(Buffer.alloc(3000, 0xee));
        w.commit();
        wrote++;
      }
    } catch (err) {
      if (!(err instanceof PoolFullError)) throw err;
    }
    if (wrote === 0) return others;
  }
}

async function run(trimAll: boolean): Promise<HealthySink> {
  const handle = createBlockPool(BLOCK, BLOCK * BLOCKS);
  const pool = poolFor(handle);
  const writer = new MediaChainWriter(handle, CHUNK, 1);
  const logs: string[] = [];
  // queue_length of a whole minute: nobody is skipped or dropped for lag in this test
  const channel = new ChainChannel('rtmp', { queueMs: 60_000, highWaterBytes: 256 * 1024 }, (m) => logs.push(m));
  const stuck = new SlowKernelSink('stuck');
  const healthy = new HealthySink('healthy');
  channel.add(healthy);
  channel.add(stuck);
  channel.attach(writer.handle.chain, CHUNK, Date.now());
  let scribbles = 0;
  let gopStart = 1;
  let pinnedSeen = 0;
  for (let seq = 1; seq <= MESSAGES; seq++) {
    const m = message(seq);
    assert.equal(writer.write(m.type, m.flags, m.ts, m.payload), seq);
    channel.flush();
    await new Promise((r) => setImmediate(r)); // the healthy player's write callbacks
    // trimAll: the source lets go of everything it stored (as with gop_cache off under
    // pool pressure); else it keeps the GOP from the latest keyframe (gop_cache on)
    if (m.flags & FLAG_SYNC) gopStart = seq;
    writer.chain.trim(trimAll ? writer.chain.committed + 1 : gopStart);
    if (seq % 5 === 0) {
      const others = scribble(handle);
      scribbles++;
      assert.equal(pool.stats().blockCount - pool.inUse, 0, 'every free block was taken');
      // the stuck player's views still hold what was queued
      for (const q of stuck.queued) assert.ok(q.view.equals(q.copy), `a queued view changed after ${seq} messages`);
      pinnedSeen = Math.max(pinnedSeen, pool.inUse - writer.chain.blocks - others.reduce((n, w) => n + w.blocks, 0));
      for (const w of others) w.close();
    }
  }
  assert.ok(scribbles > 100);
  assert.ok(stuck.queued.length > 0, 'the stuck player was handed views');
  assert.ok(pinnedSeen > 0, 'its views kept blocks out of the pool while the others scribbled');

  // The stuck kernel finally sends: each view is the bytes queued, and those bytes are a
  // prefix run of whole messages of the stream, in order (never a later message's bytes).
  const sent = new ChunkReader();
  sent.push(setChunkSize(CHUNK));
  const stuckGot: { type: number; ts: number; payload: Uint8Array }[] = [];
  for (const q of stuck.queued) {
    assert.ok(q.view.equals(q.copy), 'a view sent late differs from the bytes queued');
    for (const m of sent.push(Buffer.from(q.view))) stuckGot.push({ type: m.type, ts: m.timestamp, payload: m.payload });
  }
  assert.ok(stuckGot.length > 0);
  let last = 0;
  for (const g of stuckGot) {
    const seq = g.ts / 20;
    assert.ok(Number.isInteger(seq) && seq > last, `stuck player: message of ts ${g.ts} after seq ${last}`);
    const m = message(seq);
    assert.equal(g.type, m.type);
    assert.ok(Buffer.from(g.payload).equals(m.payload), `stuck player: message ${seq} bytes`);
    last = seq;
  }

  // Its callbacks fire: the pool holds only what the live chain retains.
  assert.ok(pool.inUse > writer.chain.blocks, 'the stuck views held blocks until now');
  for (const q of stuck.queued) q.done?.(null);
  assert.equal(pool.inUse, writer.chain.blocks, 'pool in use back to the live chain alone');
  channel.detach();
  writer.close();
  assert.equal(pool.inUse, 0, 'and to nothing once the chain is gone');

  return healthy;
}

// The healthy player got every message, once, in order, byte for byte.
function assertEveryMessage(healthy: HealthySink): void {
  const back = healthy.got.findIndex((g, i) => i > 0 && g.ts <= healthy.got[i - 1]!.ts);
  assert.equal(back, -1, `the healthy player got message ts ${healthy.got[back]?.ts} after ts ${healthy.got[back - 1]?.ts} (a repeat)`);
  assert.equal(healthy.dropped, '', `the healthy player was dropped: ${healthy.dropped}`);
  assert.equal(healthy.got.length, MESSAGES, `healthy player got ${healthy.got.length} of ${MESSAGES} messages`);
  healthy.got.forEach((g, i) => {
    const m = message(i + 1);
    assert.equal(g.type, m.type, `message ${i + 1} type`);
    assert.equal(g.ts, m.ts, `message ${i + 1} timestamp`);
    assert.equal(g.streamId, 1);
    assert.ok(Buffer.from(g.payload).equals(m.payload), `message ${i + 1} payload`);
  });
}

test('a stuck player gets the bytes queued or nothing, never a later message, while the source keeps only the GOP and the pool recycles', async () => {
  await run(false);
});

test('a stuck player gets the bytes queued or nothing, never a later message, while the source trims everything it stored, often', async () => {
  await run(true);
});

test('a caught-up player beside a stuck one gets every message once, in order, while the source keeps only the GOP', async () => {
  assertEveryMessage(await run(false));
});

test('a caught-up player beside a stuck one gets every message once, in order, while the source trims everything it stored', async () => {
  assertEveryMessage(await run(true));
});

test('a caught-up player alone, while the source trims everything it stored, gets every message', async () => {
  const handle = createBlockPool(BLOCK, BLOCK * BLOCKS);
  const pool = poolFor(handle);
  const writer = new MediaChainWriter(handle, CHUNK, 1);
  const channel = new ChainChannel('rtmp', { queueMs: 60_000, highWaterBytes: 256 * 1024 }, () => {});
  const healthy = new HealthySink('healthy');
  channel.add(healthy);
  channel.attach(writer.handle.chain, CHUNK, Date.now());
  for (let seq = 1; seq <= 200; seq++) {
    const m = message(seq);
    writer.write(m.type, m.flags, m.ts, m.payload);
    channel.flush();
    await new Promise((r) => setImmediate(r));
    writer.chain.trim(writer.chain.committed + 1);
  }
  channel.detach();
  writer.close();
  assert.equal(pool.inUse, 0);
  assert.equal(healthy.dropped, '', `a player that had every message so far was dropped: ${healthy.dropped}`);
  assert.equal(healthy.got.length, 200);
});

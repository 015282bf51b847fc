// Hostile clients, one started every few seconds: each sends one kind of bad input on
// a raw socket and records whether the server closed the connection (and how fast) or
// whether it was still open when the client gave up (the server must close
// only that connection, with a warn line, and neither crashes nor leaks).

import net from 'node:net';
import { encodeChunked } from '../../src/net/rtmp/chunk-writer.ts';
import { encodeAmf0 } from '../../src/net/amf/amf0.ts';
import { RtmpClient } from '../../src/io/rtmp-client.ts';
import { pick, randInt, randomBytes, type SoakContext } from './context.ts';

type Hostile = (ctx: SoakContext) => Promise<boolean>;

const HANDSHAKE_SIZE = 1536;

/** Starts one hostile client every 1-4 s, at most `maxLive` at a time. */
export async function hostileLoop(ctx: SoakContext, maxLive = 25): Promise<void> {
  let live = 0;
  const names = Object.keys(KINDS);
  while (!ctx.stopping) {
    await ctx.sleep(randInt(1000, 4000));
    if (ctx.stopping || live >= maxLive) continue;
    const name = pick(names);
    live++;
    const started = Date.now();
    KINDS[name]!(ctx)
      .then((closedByServer) => {
        ctx.count(`hostile.${name}`);
        if (!ctx.stopping) ctx.count(`hostile.${name}.${closedByServer ? 'closed_by_server' : 'still_open_at_give_up'}`);
        if (closedByServer) ctx.count(`hostile.${name}.close_ms_total`, Date.now() - started);
      })
      .catch((err: unknown) => ctx.count(`hostile.${name}.error: ${String((err as Error).message).slice(0, 60)}`))
      .finally(() => live--);
  }
}

const KINDS: Record<string, Hostile> = {
  async random_bytes(ctx) {
    const s = await connect(ctx, ctx.target.rtmpPort);
    s.write(randomBytes(randInt(1, 8192)));
    return closeWait(ctx, s, 40_000);
  },
  async truncated_handshake(ctx) {
    const s = await connect(ctx, ctx.target.rtmpPort);
    // Nothing at all, C0 alone, or C0 + part of C1: the handshake timeout must end it.
    const n = pick([0, 1, randInt(2, HANDSHAKE_SIZE)]);
    if (n > 0) s.write(Buffer.concat([Buffer.from([3]), randomBytes(n - 1)]));
    return closeWait(ctx, s, 60_000);
  },
  async garbage_after_handshake(ctx) {
    const s = await connect(ctx, ctx.target.rtmpPort);
    if (!(await handshake(ctx, s))) return true;
    s.write(randomBytes(randInt(1, 4096)));
    return closeWait(ctx, s, 60_000);
  },
  async huge_chunk(ctx) {
    const s = await connect(ctx, ctx.target.rtmpPort);
    if (!(await handshake(ctx, s))) return true;
    if (Math.random() < 0.5) {
      // Set Chunk Size beyond 16777215 (and the sign bit set).
      s.write(encodeChunked({ csid: 2, type: 1, streamId: 0, timestamp: 0, payload: u32(randInt(0, 1) ? 0xffffffff : 0x7fffffff) }, 128));
    } else {
      // A valid huge chunk size, then a 16 MB message of which only 64 KB ever come.
      s.write(encodeChunked({ csid: 2, type: 1, streamId: 0, timestamp: 0, payload: u32(0xffffff) }, 128));
      const head = Buffer.from([0x06, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0]);
      s.write(Buffer.concat([head, randomBytes(65536)]));
    }
    return closeWait(ctx, s, 60_000);
  },
  async broken_amf(ctx) {
    const s = await connect(ctx, ctx.target.rtmpPort);
    if (!(await handshake(ctx, s))) return true;
    const good = Buffer.from(encodeAmf0('connect', 1));
    const payload = pick([
      Buffer.concat([good, Buffer.from([0x03, 0x00, 0x03, 0x61, 0x70])]), // object cut in a key
      Buffer.concat([good, Buffer.from([0x02, 0xff, 0xff, 0x41])]), // string longer than the message
      Buffer.concat([good, Buffer.alloc(20000, 0x03)]), // 20000 nested objects
      Buffer.concat([good, Buffer.from([0x0a, 0x7f, 0xff, 0xff, 0xff])]), // strict array of 2^31 items
      Buffer.concat([good, randomBytes(randInt(1, 200))]),
    ]);
    const type = Math.random() < 0.8 ? 20 : 17;
    const body = type === 17 ? Buffer.concat([Buffer.from([0]), payload]) : payload;
    s.write(encodeChunked({ csid: 3, type, streamId: 0, timestamp: 0, payload: body }, 128));
    return closeWait(ctx, s, 60_000);
  },
  async never_reads(ctx) {
    // Plays a stream, then stops reading: the server must skip it ahead, then drop it.
    const client = await RtmpClient.connect(ctx.rtmpUrl(), { timeoutMs: 10_000 });
    const untrack = ctx.track(() => client.destroy());
    try {
      await client.play(`s${randInt(0, ctx.target.streams - 1)}`);
      client.socket.pause();
      const closed = await Promise.race([
        new Promise<boolean>((r) => client.once('closed', () => r(true))),
        ctx.sleep(randInt(30_000, 90_000)).then(() => client.closedReason !== null),
      ]);
      return closed;
    } finally {
      untrack();
      client.destroy();
    }
  },
  async http_huge_header(ctx) {
    const port = Math.random() < 0.7 ? ctx.target.httpPort : ctx.target.apiPort;
    const s = await connect(ctx, port);
    const big = 'a'.repeat(randInt(64, 1024) * 1024);
    s.write(`GET /${ctx.target.app}/s0.flv HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${big}\r\n\r\n`);
    return closeWait(ctx, s, 30_000);
  },
  async slowloris(ctx) {
    const port = Math.random() < 0.7 ? ctx.target.httpPort : ctx.target.apiPort;
    const s = await connect(ctx, port);
    s.write(`GET /${ctx.target.app}/s1.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    const deadline = Date.now() + 120_000;
    while (!ctx.stopping && !s.destroyed && !s.readableEnded && Date.now() < deadline) {
      s.write(`X-${randInt(0, 1e6)}: ${'b'.repeat(randInt(1, 10))}\r\n`);
      if (await closeWait(ctx, s, 5000, false)) return true;
    }
    const closed = s.destroyed || s.readableEnded;
    s.destroy();
    return closed;
  },
};

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

function connect(ctx: SoakContext, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, ctx.target.host);
    const untrack = ctx.track(() => s.destroy());
    s.once('close', untrack);
    // Whatever the server answers is read and dropped, so that only our writes can stall.
    s.on('data', () => {});
    s.once('connect', () => resolve(s));
    s.on('error', (err) => reject(err));
  });
}

/** A plain (non-digest) handshake; false when the server closed during it. */
function handshake(ctx: SoakContext, s: net.Socket): Promise<boolean> {
  const c1 = Buffer.concat([Buffer.alloc(8), randomBytes(HANDSHAKE_SIZE - 8)]);
  s.write(Buffer.concat([Buffer.from([3]), c1]));
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (d: Buffer): void => {
      parts.push(d);
      got += d.length;
      if (got < 1 + 2 * HANDSHAKE_SIZE) return;
      done();
      const all = Buffer.concat(parts);
      s.write(all.subarray(1, 1 + HANDSHAKE_SIZE));
      resolve(true);
    };
    const onEnd = (): void => {
      done();
      resolve(false);
    };
    const t = setTimeout(onEnd, 10_000);
    function done(): void {
      clearTimeout(t);
      s.off('data', onData);
      s.off('close', onEnd);
    }
    s.on('data', onData);
    s.once('close', onEnd);
    if (ctx.stopping) onEnd();
  });
}

/**
 * Reads and discards until the server closes (true) or `ms` pass (false); destroys the
 * socket afterwards unless `destroy` is false.
 */
function closeWait(ctx: SoakContext, s: net.Socket, ms: number, destroy = true): Promise<boolean> {
  return new Promise((resolve) => {
    if (s.destroyed || s.readableEnded) {
      resolve(true);
      return;
    }
    const finish = (closed: boolean): void => {
      clearTimeout(t);
      s.off('end', onEnd);
      s.off('close', onEnd);
      if (destroy) s.destroy();
      resolve(closed);
    };
    const onEnd = (): void => finish(true);
    const t = setTimeout(() => finish(false), ctx.stopping ? 0 : ms);
    s.on('end', onEnd);
    s.on('close', onEnd);
    s.resume();
  });
}

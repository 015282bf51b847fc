// Players joining and leaving: `slots` loops, each opening one viewer at a time (RTMP
// player over our RtmpClient, HTTP-FLV viewer, or HLS poller) on a random stream for a
// random 5-40 s, then leaving (politely or by dropping the socket) and starting again.

import http from 'node:http';
import { RtmpClient } from '../../src/io/rtmp-client.ts';
import { pick, randInt, type SoakContext } from './context.ts';

type Kind = 'rtmp' | 'flv' | 'hls';
const KINDS: readonly Kind[] = ['rtmp', 'rtmp', 'rtmp', 'rtmp', 'flv', 'flv', 'flv', 'hls', 'hls', 'hls'];

export async function playerSlot(ctx: SoakContext): Promise<void> {
  await ctx.sleep(randInt(0, 10_000));
  while (!ctx.stopping) {
    const kind = pick(KINDS);
    const stream = `s${randInt(0, ctx.target.streams - 1)}`;
    const ms = randInt(5, 40) * 1000;
    try {
      if (kind === 'rtmp') await rtmpPlayer(ctx, stream, ms);
      else if (kind === 'flv') await flvViewer(ctx, stream, ms);
      else await hlsPoller(ctx, stream, ms);
    } catch (err) {
      ctx.count(`player.${kind}.failed`);
      ctx.count(`player.${kind}.failed: ${String((err as Error).message).slice(0, 60)}`);
    }
    await ctx.sleep(randInt(100, 2000));
  }
}

async function rtmpPlayer(ctx: SoakContext, stream: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  const client = await RtmpClient.connect(ctx.rtmpUrl(), { timeoutMs: 10_000 });
  const untrack = ctx.track(() => client.destroy());
  let bytes = 0;
  client.on('media', (e: { payload: Uint8Array }) => (bytes += e.payload.length));
  try {
    await client.play(stream);
    ctx.count('player.rtmp');
    await Promise.race([ctx.sleep(deadline - Date.now()), new Promise((r) => client.once('closed', r))]);
    ctx.count('player.rtmp.bytes', bytes);
    if (bytes > 0) ctx.count('player.rtmp.got_media');
    if (client.closedReason !== null && !ctx.stopping) ctx.count('player.rtmp.closed_by_server');
    else if (Math.random() < 0.6 && !ctx.stopping) await client.close();
    else client.destroy();
  } finally {
    untrack();
    if (client.closedReason === null) client.destroy();
  }
}

async function flvViewer(ctx: SoakContext, stream: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  let bytes = 0;
  let status = 0;
  await new Promise<void>((resolve) => {
    const req = http.get(ctx.httpUrl(`${ctx.target.app}/${stream}.flv`), { agent: false }, (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', finish);
      res.on('error', finish);
    });
    req.on('error', finish);
    const untrack = ctx.track(() => req.destroy());
    const t = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(t);
      untrack();
      req.destroy();
      resolve();
    }
  });
  ctx.count('player.flv');
  ctx.count(`player.flv.status_${status}`);
  ctx.count('player.flv.bytes', bytes);
  // A 404 (stream between publishes) ends at once: idle out the rest of the slot's time.
  await ctx.sleep(deadline - Date.now());
}

async function hlsPoller(ctx: SoakContext, stream: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  ctx.count('player.hls');
  while (!ctx.stopping && Date.now() < deadline) {
    const m3u8 = await httpGet(ctx, ctx.httpUrl(`${ctx.target.app}/${stream}.m3u8`));
    ctx.count(`player.hls.m3u8_${m3u8.status}`);
    if (m3u8.status === 200) {
      const segs = m3u8.body.toString('utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
      const last = segs[segs.length - 1];
      if (last) {
        const url = new URL(last.trim(), ctx.httpUrl(`${ctx.target.app}/${stream}.m3u8`)).href;
        const seg = await httpGet(ctx, url);
        ctx.count(`player.hls.ts_${seg.status}`);
        ctx.count('player.hls.bytes', seg.body.length);
      }
    }
    await ctx.sleep(2000);
  }
}

/** One GET on a fresh connection (Connection: close), bounded at 10 s. */
export function httpGet(ctx: SoakContext, url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let status = 0;
    const req = http.get(url, { agent: false }, (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => finish());
      res.on('error', () => finish());
    });
    req.on('error', () => finish());
    const untrack = ctx.track(() => req.destroy());
    const t = setTimeout(() => finish(), 10_000);
    function finish(): void {
      clearTimeout(t);
      untrack();
      req.destroy();
      resolve({ status, body: Buffer.concat(parts) });
    }
  });
}

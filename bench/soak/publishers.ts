// Publish/unpublish churn: each stream slot publishes for a random 10-60 s, leaves
// (cleanly with FCUnpublish + deleteStream, or by dropping the socket), pauses, and
// comes back. Most slots use our RtmpClient replaying av-200kbps.flv's tags in real
// time (looped); the first `ffmpegSlots` use ffmpeg -re, stopped by SIGTERM or SIGKILL.

import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { RtmpClient } from '../../src/io/rtmp-client.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import type { FlvTag } from '../../src/net/flv/flv-tag.ts';
import { randInt, type SoakContext } from './context.ts';

export const MEDIA = new URL('../../../shared/media/', import.meta.url).pathname;
const FILE = 'av-200kbps.flv';
const SET_DATA_FRAME = Buffer.from([0x02, 0x00, 0x0d, ...Buffer.from('@setDataFrame')]);

let tagsCache: { tags: FlvTag[]; loopMs: number } | null = null;

function tags(): { tags: FlvTag[]; loopMs: number } {
  if (!tagsCache) {
    const t = readFlvFile(readFileSync(MEDIA + FILE)).tags;
    tagsCache = { tags: t, loopMs: (t.length ? t[t.length - 1]!.timestamp : 0) + 40 };
  }
  return tagsCache;
}

export async function publisherSlot(ctx: SoakContext, index: number, useFfmpeg: boolean): Promise<void> {
  // Stagger the first start so that the slots do not move in lockstep.
  await ctx.sleep(randInt(0, 5000));
  while (!ctx.stopping) {
    const seconds = randInt(10, 60);
    try {
      if (useFfmpeg) await ffmpegSession(ctx, `s${index}`, seconds);
      else await clientSession(ctx, `s${index}`, seconds);
    } catch (err) {
      ctx.count(`publish.failed`);
      ctx.count(`publish.failed: ${String((err as Error).message).slice(0, 60)}`);
    }
    await ctx.sleep(randInt(2000, 12000));
  }
}

async function clientSession(ctx: SoakContext, name: string, seconds: number): Promise<void> {
  const client = await RtmpClient.connect(ctx.rtmpUrl(), { timeoutMs: 10_000 });
  const untrack = ctx.track(() => client.destroy());
  try {
    await client.publish(name);
    ctx.count('publish.client');
    await replay(ctx, client, seconds * 1000);
    if (ctx.stopping || client.closedReason !== null) {
      client.destroy();
    } else if (Math.random() < 0.5) {
      ctx.count('publish.client.clean_close');
      await client.close();
    } else {
      ctx.count('publish.client.socket_destroyed');
      client.destroy();
    }
  } finally {
    untrack();
    if (client.closedReason === null) client.destroy();
  }
}

async function replay(ctx: SoakContext, client: RtmpClient, forMs: number): Promise<void> {
  const { tags: list, loopMs } = tags();
  const t0 = Date.now();
  let loops = 0;
  for (let i = 0; !ctx.stopping && client.closedReason === null; i++) {
    if (i === list.length) {
      i = 0;
      loops++;
    }
    const tag = list[i]!;
    if (tag.type === 18 && loops > 0) continue;
    const ts = tag.timestamp + loops * loopMs;
    if (ts >= forMs) return;
    const wait = ts - (Date.now() - t0);
    if (wait > 5) await ctx.sleep(wait);
    if (ctx.stopping || client.closedReason !== null) return;
    const payload = tag.type === 18 ? Buffer.concat([SET_DATA_FRAME, tag.data]) : tag.data;
    if (!client.sendMedia(tag.type, ts, payload)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          client.socket.off('drain', done);
          client.off('closed', done);
          resolve();
        };
        client.socket.once('drain', done);
        client.once('closed', done);
      });
    }
  }
  if (client.closedReason !== null && !ctx.stopping) ctx.count('publish.client.closed_by_server');
}

async function ffmpegSession(ctx: SoakContext, name: string, seconds: number): Promise<void> {
  const args = ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', MEDIA + FILE, '-c', 'copy', '-f', 'flv', `${ctx.rtmpUrl()}/${name}`];
  const proc = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 2000) stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  const untrack = ctx.track(() => proc.kill('SIGKILL'));
  ctx.count('publish.ffmpeg');
  const early = await Promise.race([exited.then(() => true), ctx.sleep(seconds * 1000).then(() => false)]);
  if (early && !ctx.stopping) {
    ctx.count('publish.ffmpeg.exited_early');
    ctx.count(`publish.ffmpeg.exited_early: ${stderr.trim().split('\n').pop()?.slice(0, 80) ?? ''}`);
  }
  if (proc.exitCode === null && proc.signalCode === null) {
    const clean = Math.random() < 0.5;
    ctx.count(clean ? 'publish.ffmpeg.sigterm' : 'publish.ffmpeg.sigkill');
    proc.kill(clean ? 'SIGTERM' : 'SIGKILL');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
  untrack();
}

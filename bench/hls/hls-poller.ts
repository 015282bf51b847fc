// HLS viewers for the ll-hls bench, in a process of their own (so their CPU is not the
// server's): N viewers of one stream over keep-alive HTTP/1.1, started at `--rate` a second.
//
// - `--mode ll`: as an LL-HLS player does it. Each viewer reads the playlist once, then loops:
//   a blocking reload for the part the preload hint names (`_HLS_msn=M&_HLS_part=P`) and, in
//   parallel, that part itself (the server parks both until the part lands). The next target
//   is the new playlist's preload hint. So a viewer holds at most two requests at a time.
// - `--mode classic`: as a plain HLS player: the playlist every second, and each segment that
//   appeared since the last look.
//
// Latency behind the encoder, per media file received: (now - t0) - media start of the file,
// where t0 is when the bench spawned `ffmpeg -re` (which then sends media at real speed from
// time 0) and the media start is read from the bytes: the video tfdt of an fMP4 part, the
// first PTS of a TS segment (90 kHz, no offset in our muxer). That is how old the file's first
// frame is when the viewer can first have it (a frame cannot be played before its file has
// arrived); a player adds its own hold-back on top (hls.js: 3 segments for classic HLS,
// PART-HOLD-BACK in low-latency mode).
//
// Prints one JSON line: { viewers, files, bytes, errors, p50, p99, max, samples }.

import http from 'node:http';
import { readFragments } from '../../src/net/mp4/read-fragment.ts';

const args = process.argv.slice(2);
const opt = (n: string, d?: string): string => {
  const i = args.indexOf(`--${n}`);
  if (i >= 0) return args[i + 1]!;
  if (d === undefined) throw new Error(`--${n} is required`);
  return d;
};
const playlistUrl = new URL(opt('url'));
const viewers = Number(opt('viewers', '100'));
const mode = opt('mode', 'll') as 'll' | 'classic';
const seconds = Number(opt('seconds', '30'));
const t0 = Number(opt('t0'));
const rate = Number(opt('rate', '200'));
const warmup = Number(opt('warmup', '5'));
const VIDEO_TIMESCALE = 90000;

const agent = new http.Agent({ keepAlive: true, maxSockets: 2 * viewers + 10 });
let running = true;
const started = Date.now();
const latencies: number[] = [];
let files = 0;
let bytes = 0;
let errors = 0;

function get(path: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: playlistUrl.hostname, port: playlistUrl.port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
  });
}

const dir = playlistUrl.pathname.slice(0, playlistUrl.pathname.lastIndexOf('/') + 1);
const measuring = () => Date.now() - started > warmup * 1000;

function record(mediaStartS: number, size: number): void {
  files++;
  bytes += size;
  if (measuring()) latencies.push((Date.now() - t0) / 1000 - mediaStartS);
}

/** The video tfdt of an fMP4 part, in seconds. */
function partStart(body: Buffer): number {
  for (const f of readFragments(new Uint8Array(body.buffer, body.byteOffset, body.length))) {
    for (const t of f.trafs) if (t.tfhd.trackId === 1) return t.baseMediaDecodeTime / VIDEO_TIMESCALE;
  }
  return NaN;
}

const HINT = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/;
const PART_NAME = /-(\d+)\.(\d+)\.m4s$/;

async function llViewer(): Promise<void> {
  let text = (await get(playlistUrl.pathname)).body.toString();
  while (running) {
    const hint = HINT.exec(text)?.[1];
    const m = hint ? PART_NAME.exec(hint) : null;
    if (!hint || !m) {
      await new Promise((r) => setTimeout(r, 200));
      text = (await get(playlistUrl.pathname)).body.toString();
      continue;
    }
    const [pl, part] = await Promise.all([get(`${playlistUrl.pathname}?_HLS_msn=${m[1]}&_HLS_part=${m[2]}`), get(dir + hint)]);
    if (part.status === 200) record(partStart(part.body), part.body.length);
    else errors++;
    if (pl.status === 200) text = pl.body.toString();
    else {
      errors++;
      text = (await get(playlistUrl.pathname)).body.toString();
    }
  }
}

function tsFirstPts(b: Buffer): number | null {
  for (let p = 0; p + 188 <= b.length; p += 188) {
    if (b[p] !== 0x47 || (b[p + 1]! & 0x40) === 0) continue;
    let at = p + 4;
    if (b[p + 3]! & 0x20) at += 1 + b[p + 4]!;
    if (b[at] !== 0 || b[at + 1] !== 0 || b[at + 2] !== 1) continue;
    const sid = b[at + 3]!;
    if (sid < 0xc0) continue;
    if ((b[at + 7]! & 0x80) === 0) continue;
    const q = at + 9;
    return ((b[q]! >> 1) & 0x07) * 2 ** 30 + ((b[q + 1]! << 7) | (b[q + 2]! >> 1)) * 2 ** 15 + ((b[q + 3]! << 7) | (b[q + 4]! >> 1));
  }
  return null;
}

async function classicViewer(): Promise<void> {
  let last = -1;
  while (running) {
    const text = (await get(playlistUrl.pathname)).body.toString();
    const seq = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? 0);
    const lines = text.split('\n');
    const segs: { msn: number; uri: string; duration: number }[] = [];
    let duration = 0;
    for (const l of lines) {
      if (l.startsWith('#EXTINF:')) duration = Number(l.slice(8).split(',')[0]);
      else if (l !== '' && !l.startsWith('#')) segs.push({ msn: seq + segs.length, uri: l, duration });
    }
    if (last < 0 && segs.length > 0) last = segs.at(-1)!.msn - 1;
    for (const s of segs) {
      if (s.msn <= last) continue;
      last = s.msn;
      const r = await get(dir + s.uri);
      const pts = r.status === 200 ? tsFirstPts(r.body) : null;
      if (pts === null) errors++;
      else record(pts / 90000, r.body.length);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const runs: Promise<void>[] = [];
for (let i = 0; i < viewers; i++) {
  runs.push((mode === 'll' ? llViewer() : classicViewer()).catch(() => {
    errors++;
  }));
  if ((i + 1) % Math.max(1, Math.round(rate / 10)) === 0) await new Promise((r) => setTimeout(r, 100));
}
setTimeout(() => {
  running = false;
  const sorted = latencies.sort((a, b) => a - b);
  const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : null);
  process.stdout.write(JSON.stringify({ viewers, mode, files, bytes, errors, samples: sorted.length, p50: q(50), p99: q(99), max: sorted.at(-1) ?? null }) + '\n');
  process.exit(0);
}, seconds * 1000);

// `node bench/load-client/skimmer-cost.ts`: what parsing costs the load client per MB of
// a player's stream, ChunkSkimmer (headers only) against the server's ChunkReader (whole
// messages). The stream is av-1mbps.flv chunked as Sluice sends it (chunk size 60000,
// fmt 0 headers), fed in 44 KB reads (what one 350 ms merged write of 1 Mbit/s is).

import { readFileSync } from 'node:fs';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { encodeChunked } from '../../src/net/rtmp/chunk-writer.ts';
import { ChunkReader } from '../../src/net/rtmp/chunk-reader.ts';
import { ChunkSkimmer } from './chunk-skimmer.ts';

const { tags } = readFlvFile(readFileSync(new URL('../../../shared/media/av-1mbps.flv', import.meta.url)));
const setChunk = Buffer.from([2, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0xea, 0x60]);
const parts = [setChunk];
for (const t of tags) parts.push(Buffer.from(encodeChunked({ csid: t.type === 9 ? 6 : t.type === 8 ? 7 : 5, type: t.type, streamId: 1, timestamp: t.timestamp, payload: t.data }, 60000)));
const stream = Buffer.concat(parts);
const READ = 44 * 1024;
const ROUNDS = 200;

function run(name: string, make: () => (b: Buffer, s: number, e: number) => void): void {
  const scratch = Buffer.alloc(READ);
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    const feed = make();
    for (let o = 0; o < stream.length; o += READ) {
      const n = Math.min(READ, stream.length - o);
      stream.copy(scratch, 0, o, o + n); // as a read into the shared buffer would
      feed(scratch, 0, n);
    }
  }
  const ms = performance.now() - t0;
  const mb = (stream.length * ROUNDS) / 1e6;
  console.log(`${name.padEnd(12)} ${(ms / mb * 1000).toFixed(1)} us/MB (copy into the read buffer included)`);
}

run('copy only', () => () => {});
run('skimmer', () => {
  let last = 0;
  const s = new ChunkSkimmer({ onMedia: (_t, ts) => { last = ts; }, onControl: () => {} });
  return (b, st, e) => { s.push(b, st, e); if (s.error) throw new Error(s.error + last); };
});
run('ChunkReader', () => {
  const r = new ChunkReader();
  let last = 0;
  return (b, st, e) => { for (const m of r.push(b.subarray(st, e))) last = m.timestamp; void last; };
});

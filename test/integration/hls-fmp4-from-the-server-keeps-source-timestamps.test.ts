// hls.variant fmp4 served by a real server: ffmpeg publishes av-bframes.flv (H.264 with two
// B-frames, AAC) and av-1mbps.flv in real time; ffprobe reads the live playlist from its first
// segment (-live_start_index 0) through to EXT-X-ENDLIST, following it from the server's memory
// while the stream is live and from the disk copy once it has ended. Every video and audio
// packet's PTS and DTS must be the source file's (composition offsets of the B-frames included).
// The server's timeline starts where the publisher's does, so times are compared as they are;
// the only allowance is one constant offset (ffmpeg's flv muxer may shift a stream whose first
// DTS is negative), measured on the first video packet and applied to every packet.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, run, until } from '../helpers/clients.ts';
import { httpGet } from '../helpers/http-get.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { parseVideoTag } from '../../src/net/codec/video-tag.ts';

const MEDIA = '/work/shared/media/';

type Packet = { kind: string; dts: number; pts: number; key: boolean };

/**
 * The source's packets in ms: FLV tag time as DTS, plus the composition time for video. Audio
 * that comes before the first video keyframe cannot start a segment and is left out, as
 * HlsSegmenter does for every variant.
 */
function sourcePackets(file: string): Packet[] {
  const out: Packet[] = [];
  let keyframeSeen = false;
  for (const t of readFlvFile(readFileSync(MEDIA + file)).tags) {
    if (t.type === 9) {
      const v = parseVideoTag(t.data);
      if (v.sequenceHeader || v.command || v.endOfSequence) continue;
      keyframeSeen ||= v.keyframe;
      out.push({ kind: 'video', dts: t.timestamp, pts: t.timestamp + v.compositionTime, key: v.keyframe });
    } else if (t.type === 8) {
      if (t.data[0]! >> 4 === 10 && t.data[1] === 0) continue; // AAC sequence header
      if (!keyframeSeen) continue;
      out.push({ kind: 'audio', dts: t.timestamp, pts: t.timestamp, key: true });
    }
  }
  return out;
}

type ProbeOut = { packets: { codec_type: string; pts: number; dts: number; flags: string; stream_index: number }[]; streams: { index: number; time_base: string }[] };

async function probeLive(url: string): Promise<Packet[]> {
  const r = await run('ffprobe', ['-v', 'error', '-live_start_index', '0', '-show_entries', 'packet=codec_type,pts,dts,flags,stream_index:stream=index,time_base', '-of', 'json', url], 90_000).done;
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout) as ProbeOut;
  const tb = new Map(p.streams.map((s) => [s.index, s.time_base]));
  const ms = (ticks: number, timeBase: string): number => {
    const [num, den] = timeBase.split('/').map(Number) as [number, number];
    return Math.round((ticks * num * 1000) / den);
  };
  return p.packets.map((x) => ({ kind: x.codec_type, dts: ms(x.dts, tb.get(x.stream_index)!), pts: ms(x.pts, tb.get(x.stream_index)!), key: x.flags.startsWith('K') }));
}

function compare(got: Packet[], want: Packet[], label: string): void {
  for (const kind of ['video', 'audio']) {
    const g = got.filter((p) => p.kind === kind);
    const w = want.filter((p) => p.kind === kind);
    assert.equal(g.length, w.length, `${label}: ${kind} packets (got ${g[0]?.dts}..${g.at(-1)?.dts}, source ${w[0]?.dts}..${w.at(-1)?.dts})`);
    const offset = got.find((p) => p.kind === 'video')!.dts - want.find((p) => p.kind === 'video')!.dts;
    g.forEach((p, i) => {
      const e = w[i]!;
      const shifted = { dts: e.dts + offset, pts: e.pts + offset, ...(kind === 'video' ? { key: e.key } : {}) };
      assert.deepEqual({ dts: p.dts, pts: p.pts, ...(kind === 'video' ? { key: p.key } : {}) }, shifted, `${label}: ${kind} packet ${i}`);
    });
  }
}

let server: TestServer;
before(async () => {
  server = await startServer({ workers: 2, vhost: { hls: { enabled: true, fragment: 2, window: 120, variant: 'fmp4', cleanup: false } } });
});
after(async () => {
  await server?.stop();
});

describe('hls.variant fmp4 served by the server', { timeout: 120_000 }, () => {
  for (const [file, stream] of [['av-bframes.flv', 'bframes'], ['av-1mbps.flv', 'cbr']] as const) {
    it(`ffprobe reads ${file} back with the source's PTS and DTS`, async () => {
      const pub = publish(server.rtmpUrl(`live/${stream}`), file, { timeoutMs: 60_000 });
      try {
        const url = server.httpUrl(`live/${stream}.m3u8`);
        const first = (await until(async () => {
          const r = await httpGet(url).catch(() => null);
          return r?.status === 200 ? r.body.toString() : null;
        }, 20_000, 'the first segment'))!;
        assert.match(first, /#EXT-X-VERSION:6/);
        assert.match(first, /#EXT-X-MAP:URI="[^"]+-init-0\.mp4"/);
        assert.doesNotMatch(first, /#EXT-X-PART/);
        const seg = /^(\S+\.m4s)$/m.exec(first)![1]!;
        const r = await httpGet(server.httpUrl(`live/${seg}`));
        assert.equal(r.status, 200);
        assert.equal(r.headers['content-type'], 'video/iso.segment');
        assert.match(String(r.headers['cache-control']), /max-age/);
        compare(await probeLive(url), sourcePackets(file), file);
      } finally {
        await pub.stop();
      }
    });
  }
});

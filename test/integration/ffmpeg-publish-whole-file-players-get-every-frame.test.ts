// ffmpeg publishes av-bframes.flv and av-1mbps.flv once (-re -c copy, no loop) while
// ffmpeg and rtmpdump, started before the publisher, record them; the recordings hold
// the same codecs, size, frame counts and (for B-frames) composition offsets as the files.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, MEDIA, type TestServer } from '../helpers/server.ts';
import { publish, run, ffprobeStreams, ffprobePackets, until, type ProbePacket } from '../helpers/clients.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ workers: 1 });
});
after(async () => {
  await server.stop();
});

interface Recorded {
  ffmpegFile: string;
  rtmpdumpFile: string;
  ffmpegExit: number | null;
  rtmpdumpExit: number | null;
}

/** Players first, then one pass of the publisher; players end on UnpublishNotify (or are stopped). */
async function publishOnceAndRecord(file: string, name: string): Promise<Recorded> {
  const url = server.rtmpUrl(`live/${name}`);
  const ffmpegFile = join(server.dir, `${name}-ffmpeg.flv`);
  const rtmpdumpFile = join(server.dir, `${name}-rtmpdump.flv`);
  const before = (server.logs().match(/play started/g) ?? []).length;
  const rec = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', url, '-c', 'copy', '-f', 'flv', '-y', ffmpegFile], 60000);
  const dump = run('rtmpdump', ['-q', '-v', '-r', url, '-o', rtmpdumpFile], 60000);
  await until(() => (server.logs().match(/play started/g) ?? []).length >= before + 2, 10000, `two players of ${name}`);
  const pub = publish(url, file, { timeoutMs: 50000 });
  const p = await pub.done;
  assert.equal(p.code, 0, `publisher of ${file}: ${p.stderr}`);
  // Both players stop on NetStream.Play.UnpublishNotify; bound it anyway.
  const stopLater = setTimeout(() => {
    void rec.stop();
    void dump.stop();
  }, 8000);
  const [r, d] = await Promise.all([rec.done, dump.done]);
  clearTimeout(stopLater);
  return { ffmpegFile, rtmpdumpFile, ffmpegExit: r.code, rtmpdumpExit: d.code };
}

function video(ps: ProbePacket[]): ProbePacket[] {
  return ps.filter((p) => p.codec_type === 'video');
}
function audio(ps: ProbePacket[]): ProbePacket[] {
  return ps.filter((p) => p.codec_type === 'audio');
}

async function checkRecording(source: string, recording: string, who: string): Promise<void> {
  const [want, got] = await Promise.all([ffprobePackets(MEDIA + source), ffprobePackets(recording)]);
  const [ws, gs] = await Promise.all([ffprobeStreams(MEDIA + source), ffprobeStreams(recording)]);
  const sig = (s: Awaited<ReturnType<typeof ffprobeStreams>>) =>
    s.map((x) => `${x.codec_type}:${x.codec_name}:${x.width ?? ''}x${x.height ?? ''}:${x.sample_rate ?? ''}:${x.channels ?? ''}`).sort();
  assert.deepEqual(sig(gs), sig(ws), `${who}: streams`);
  assert.ok(video(got)[0]!.flags.startsWith('K'), `${who}: first video frame is a keyframe`);
  // Composition offsets (pts - dts) frame by frame, and dts steps, as in the file
  // (compared over the frames both have; the counts are checked last).
  const prefix = <T>(a: T[], b: T[]): [T[], T[]] => [a.slice(0, Math.min(a.length, b.length)), b.slice(0, Math.min(a.length, b.length))];
  const offsets = (ps: ProbePacket[]) => video(ps).map((p) => p.pts - p.dts);
  assert.deepEqual(...prefix(offsets(got), offsets(want)), `${who}: pts - dts per video frame`);
  const steps = (ps: ProbePacket[]) => ps.slice(1).map((p, i) => p.dts - ps[i]!.dts);
  assert.deepEqual(...prefix(steps(video(got)), steps(video(want))), `${who}: video dts steps`);
  // First-GOP alignment: players join at the first video keyframe, so audio the file
  // has before it (av-1mbps.flv starts with an AAC frame at 0, video at 23) may be absent.
  const firstVideo = video(want)[0]!.dts;
  const early = audio(want).filter((p) => p.dts < firstVideo).length;
  const wantAudio = audio(want).length - audio(got).length === early ? audio(want).slice(early) : audio(want);
  const [ga, wa] = prefix(steps(audio(got)), steps(wantAudio));
  const bad = ga.findIndex((x, i) => x !== wa[i]);
  assert.equal(bad, -1, `${who}: audio dts steps differ from frame ${bad}: ${ga.slice(bad, bad + 4)} vs ${wa.slice(bad, bad + 4)} (dts ${audio(got)[bad]?.dts} vs ${wantAudio[bad]?.dts})`);
  const tail = (ps: ProbePacket[]) => ps.slice(-3).map((p) => p.dts - ps[0]!.dts).join(',');
  assert.equal(video(got).length, video(want).length, `${who}: video frames (last dts ${tail(video(got))} vs ${tail(video(want))})`);
  assert.equal(audio(got).length, wantAudio.length, `${who}: audio frames (last dts ${tail(audio(got))} vs ${tail(wantAudio)})`);
}

test('ffmpeg and rtmpdump, playing before ffmpeg publishes, record av-bframes.flv and av-1mbps.flv frame for frame', async () => {
  const [bf, hd] = await Promise.all([
    publishOnceAndRecord('av-bframes.flv', 'bf'),
    publishOnceAndRecord('av-1mbps.flv', 'hd'),
  ]);
  // Every recording is checked, then all failures are reported together.
  const results = await Promise.allSettled([
    checkRecording('av-bframes.flv', bf.ffmpegFile, 'ffmpeg bframes'),
    checkRecording('av-bframes.flv', bf.rtmpdumpFile, 'rtmpdump bframes'),
    checkRecording('av-1mbps.flv', hd.ffmpegFile, 'ffmpeg 1mbps'),
    checkRecording('av-1mbps.flv', hd.rtmpdumpFile, 'rtmpdump 1mbps'),
  ]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message.split('\n')[0]] : []));
  assert.deepEqual(failures, [], 'recordings that differ from their source');
  // The B-frame pattern is really there (so the comparison above means something).
  const src = video(await ffprobePackets(MEDIA + 'av-bframes.flv'));
  assert.ok(src.some((p) => p.pts - p.dts > 33), 'av-bframes.flv has reordered frames');
});

// Time to first frame: with a looped publisher and some players already watching, new
// players join one by one (a few per second); each measures from sending `play` to its
// first video message. With the GOP cache on, that is how fast the server starts a
// player at the latest keyframe.

import { startServer, removeServerDir, type ServerOptions } from '../lib/servers.ts';
import { startFfmpegPublisher } from '../lib/ffmpeg-publisher.ts';
import { LoadClient } from '../load-client/controller.ts';
import { percentile } from '../lib/report.ts';

export interface FirstFrameParams {
  background: number;
  newPlayers: number;
  perSec: number;
}

export interface FirstFrameRun {
  server: string;
  background: number;
  samples: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFirstFrame(server: ServerOptions, p: FirstFrameParams, log: (s: string) => void): Promise<FirstFrameRun> {
  const pinned = server.cpus !== undefined;
  const s = await startServer(server);
  const target = { host: '127.0.0.1', port: s.port, app: 'live', stream: 'ff' };
  const pub = startFfmpegPublisher(`rtmp://127.0.0.1:${s.port}/live/ff`, { cpus: pinned ? '1' : undefined });
  const lc = new LoadClient({ threads: 2, cpus: pinned ? '1' : undefined });
  try {
    await sleep(2500);
    if (p.background > 0) {
      lc.ramp([target], p.background, 1000);
      await lc.waitConnected(p.background, 20000);
      // Without a GOP cache (nginx) the watchers' first frames come with the next keyframe.
      let seen = 0;
      for (const end = Date.now() + 8000; seen < p.background && Date.now() < end; ) {
        await lc.nextReport();
        seen += lc.takeFirstFrames().length;
      }
    }
    lc.takeFirstFrames();
    lc.ramp([target], p.newPlayers, p.perSec);
    await lc.waitConnected(p.background + p.newPlayers, (p.newPlayers / p.perSec) * 1000 + 10000);
    await sleep(1500);
    const ff = lc.takeFirstFrames();
    const run: FirstFrameRun = {
      server: s.label, background: p.background, samples: ff.length,
      p50: percentile(ff, 50), p99: percentile(ff, 99), max: percentile(ff, 100),
    };
    log(`  ${s.label}: first frame p50 ${run.p50?.toFixed(1)} ms, p99 ${run.p99?.toFixed(1)} ms (${ff.length} players)`);
    return run;
  } finally {
    await lc.stop();
    await pub.stop();
    await s.stop();
    removeServerDir(s);
  }
}

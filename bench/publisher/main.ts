// The publisher process for the many-streams scenario:
// `node bench/publisher/main.ts HOST PORT APP PREFIX COUNT [FILE]` publishes COUNT looped
// replays of FILE as streams PREFIX0..PREFIX<COUNT-1>, and prints "ready N" once all
// were accepted. It runs until killed.
import { FlvReplayPublisher, loadFlv } from './flv-replay-publisher.ts';

const [host, port, app, prefix, count, file] = process.argv.slice(2);
const src = loadFlv(file ?? new URL('../../../shared/media/av-1mbps.flv', import.meta.url).pathname);
let started = 0;
const pubs: FlvReplayPublisher[] = [];
for (let i = 0; i < Number(count); i++) {
  pubs.push(new FlvReplayPublisher({ host, port: Number(port), app, stream: `${prefix}${i}` }, src, {
    loop: true,
    onStarted: () => {
      if (++started === Number(count)) console.log(`ready ${started}`);
    },
  }));
}
setInterval(() => {
  const failed = pubs.filter((p) => p.error || p.socket.destroyed).length;
  if (failed) console.log(`failed ${failed} ${pubs.find((p) => p.error)?.error ?? ''}`);
}, 5000);
process.on('SIGTERM', () => {
  for (const p of pubs) p.stop();
  process.exit(0);
});

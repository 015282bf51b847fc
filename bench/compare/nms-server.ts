// Node-Media-Server 2.7.4 for `npm run bench -- --compare`: RTMP only, on the port given
// as the first argument, GOP cache on, out chunk size 60000, errors-only logging.
import { createRequire } from 'node:module';

type Nms = new (config: unknown) => { run(): void };
const NodeMediaServer = createRequire(import.meta.url)('node-media-server') as Nms;

const port = Number(process.argv[2]);
const nms = new NodeMediaServer({
  logType: 1,
  rtmp: { port, chunk_size: 60000, gop_cache: true, ping: 30, ping_timeout: 60 },
});
nms.run();
process.on('SIGTERM', () => process.exit(0));

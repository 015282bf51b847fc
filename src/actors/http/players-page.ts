// The players page on the HTTP server: `/players/` is the folder shipped in
// `html/players/`, whatever `http_server.dir` is, plus the two player libraries served
// straight from their npm packages (no CDN, no build step) and `ports.json`, which tells
// the pages the ports of the other listeners (RTMP URL to copy, the API for the landing
// page): a page knows only the port it was loaded from.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { SluiceConfig } from '../../config/types.ts';
import { listenerPorts } from '../../config/listener-ports.ts';
import { sendJson } from '../../io/http-errors.ts';
import { serveMounted, underMount, type Mount } from '../../io/mounted-files.ts';

const PORTS_JSON = '/players/ports.json';

// The dist builds that run in a page as plain <script>s (UMD, globals `Hls` and `mpegts`),
// and their source maps, which the builds name and a browser's developer tools fetch.
const VENDOR: Readonly<Record<string, string>> = {
  'vendor/hls.min.js': 'hls.js/dist/hls.min.js',
  'vendor/hls.min.js.map': 'hls.js/dist/hls.min.js.map',
  'vendor/mpegts.js': 'mpegts.js/dist/mpegts.js',
  'vendor/mpegts.js.map': 'mpegts.js/dist/mpegts.js.map',
};

let vendorFiles: Record<string, string | null> | null = null;

/** Resolved once, lazily: a missing package makes its file a 404, not a worker that cannot start. */
function vendor(): Readonly<Record<string, string | null>> {
  if (vendorFiles) return vendorFiles;
  const require = createRequire(import.meta.url);
  const out: Record<string, string | null> = {};
  for (const [name, spec] of Object.entries(VENDOR)) {
    try {
      out[name] = require.resolve(spec);
    } catch {
      out[name] = null;
    }
  }
  vendorFiles = out;
  return out;
}

const PLAYERS: Mount = {
  prefix: '/players/',
  root: fileURLToPath(new URL('../../../html/players/', import.meta.url)),
  files: vendor,
};

/** Answers `/players` and everything under `/players/`; false for any other path. */
export async function servePlayersPage(req: IncomingMessage, res: ServerResponse, url: URL, config: SluiceConfig): Promise<boolean> {
  if (!underMount(PLAYERS, url.pathname)) return false;
  if (url.pathname === PORTS_JSON) sendJson(res, 200, listenerPorts(config), { 'Cache-Control': 'no-cache' });
  else await serveMounted(req, res, PLAYERS, url);
  return true;
}

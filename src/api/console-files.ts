// GET /console/: the web console, plain files in `src/api/console/` served
// from the API's own origin, as SRS does, so the page calls the API without CORS and
// can send the Authorization header.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { serveMounted, type Mount } from '../io/mounted-files.ts';

const CONSOLE: Mount = {
  prefix: '/console/',
  root: fileURLToPath(new URL('./console/', import.meta.url)),
};

export function serveConsole(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  return serveMounted(req, res, CONSOLE, url);
}

// Serving an HLS playlist to a player who came with a token: the file the muxer wrote
// under `hls.path`, read whole and answered with the token added to its relative URIs
// so that hls.js, Safari or ffmpeg ask for segments with it. Done per
// request, at serve time: the muxer's files stay token-free, shared by every player.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolveSafePath } from '../../net/http/paths.ts';
import { realPathWithin } from '../../io/static-files.ts';
import { baseHeaders, sendText } from '../../io/http-errors.ts';
import { contentTypeFor } from '../../net/http/mime.ts';
import { addQueryToUris } from '../../net/hls/playlist-query.ts';

/** Playlists are small; a file much larger than this under hls.path is not ours to rewrite. */
const MAX_PLAYLIST_BYTES = 4 * 1024 * 1024;

/**
 * Answers a GET/HEAD of a playlist under `root` with `query` on its URIs. False, having
 * written nothing, when there is no such file (the caller goes on as for any file).
 */
export async function servePlaylistWithQuery(req: IncomingMessage, res: ServerResponse, root: string, query: string): Promise<boolean> {
  const filePath = resolveSafePath(root, req.url ?? '/');
  if (filePath === null) {
    sendText(res, 403, 'Forbidden');
    return true;
  }
  const real = await realPathWithin(root, filePath);
  if (real === null) return false;
  let text: string;
  try {
    const bytes = await readFile(real);
    if (bytes.length > MAX_PLAYLIST_BYTES) return false;
    text = bytes.toString('utf8');
  } catch {
    return false; // gone since (cleanup), or a folder: the static server decides
  }
  const body = Buffer.from(addQueryToUris(text, query), 'utf8');
  if (res.destroyed) return true;
  res.writeHead(200, {
    ...baseHeaders(),
    'Content-Type': contentTypeFor(real),
    'Content-Length': String(body.length),
    'Cache-Control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

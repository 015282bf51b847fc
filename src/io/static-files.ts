// Serves files under one root: GET/HEAD, single byte ranges, index.html for folders.
// The path check is lexical (paths.ts) and then physical: the real path of the file, with
// symlinks followed, must still lie under the real path of the root.
//
// Deliberately no 304 / If-Modified-Since: Last-Modified has one-second resolution and
// a live playlist can change twice in a second, so a 304 could pin a stale playlist.
import { constants as fsConstants, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { answerOptions } from './cors.ts';
import { baseHeaders, sendText } from './http-errors.ts';
import { contentTypeFor } from '../net/http/mime.ts';
import { isInside, resolveSafePath } from '../net/http/paths.ts';
import { contentRange, parseRange } from '../net/http/range.ts';

export interface ServeStaticOptions {
  /** Sent as `Cache-Control` on file answers (e.g. `no-cache` for live playlists). */
  readonly cacheControl?: string;
  /**
   * The request path to look up under the root, when it is not `req.url`: a folder
   * mounted under a prefix (`/players/x` served from `html/players/x`) passes the rest.
   */
  readonly urlPath?: string;
}

const ALLOW = 'GET, HEAD, OPTIONS';
// O_NONBLOCK keeps open() from hanging on a FIFO swapped in after the stat check;
// it changes nothing for regular files.
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

/** The real path of `filePath` when it lies under the real path of `rootDir`, else null. */
export async function realPathWithin(rootDir: string, filePath: string): Promise<string | null> {
  try {
    const [realRoot, realFile] = await Promise.all([realpath(rootDir), realpath(filePath)]);
    return isInside(realRoot, realFile) ? realFile : null;
  } catch {
    return null;
  }
}

/**
 * Answers `req` from the files under `rootDir`. Returns false, having written nothing,
 * when there is no such file (the caller answers 404 or tries something else); true when
 * it answered (200, 206, 403, 405, 416, or OPTIONS).
 */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  rootDir: string,
  opts?: ServeStaticOptions,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  if (method === 'OPTIONS') {
    answerOptions(res, { Allow: ALLOW });
    return true;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    sendText(res, 405, 'Method Not Allowed', { Allow: ALLOW });
    return true;
  }

  const filePath = resolveSafePath(rootDir, opts?.urlPath ?? req.url ?? '/');
  if (filePath === null) {
    sendText(res, 403, 'Forbidden');
    return true;
  }
  const found = await findFile(rootDir, filePath);
  if (found === 'missing') return false;
  if (found === 'forbidden') {
    sendText(res, 403, 'Forbidden');
    return true;
  }

  let handle: FileHandle;
  try {
    handle = await open(found, OPEN_FLAGS);
  } catch {
    return false; // vanished (or became unreadable) since the check
  }
  let st: Stats;
  try {
    st = await handle.stat();
  } catch {
    await handle.close().catch(() => {});
    return false;
  }
  if (!st.isFile()) {
    await handle.close().catch(() => {});
    return false;
  }
  sendFile(req, res, handle, found, st, opts);
  return true;
}

/** Resolves a path to a servable regular file, following a folder to its index.html. */
async function findFile(rootDir: string, filePath: string): Promise<string | 'missing' | 'forbidden'> {
  let st: Stats;
  try {
    st = await stat(filePath);
  } catch {
    return 'missing';
  }
  let target = filePath;
  if (st.isDirectory()) {
    target = path.join(filePath, 'index.html');
    try {
      st = await stat(target);
    } catch {
      return 'missing';
    }
  }
  // Sockets, FIFOs and devices are never content.
  if (!st.isFile()) return 'missing';
  let real: string | null;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(rootDir), realpath(target)]);
    real = isInside(realRoot, realFile) ? realFile : null;
  } catch {
    return 'missing'; // gone since the stat (an HLS segment just cleaned up): 404, not 403
  }
  return real ?? 'forbidden';
}

function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  handle: FileHandle,
  filePath: string,
  st: Stats,
  opts: ServeStaticOptions | undefined,
): void {
  const size = st.size;
  const lastModified = st.mtime.toUTCString();
  const headers: OutgoingHttpHeaders = {
    ...baseHeaders(),
    'Content-Type': contentTypeFor(filePath),
    'Last-Modified': lastModified,
    'Accept-Ranges': 'bytes',
  };
  if (opts?.cacheControl) headers['Cache-Control'] = opts.cacheControl;

  // If-Range names the version the client holds; when it is not this one, send it all.
  const ifRange = req.headers['if-range'];
  const range = ifRange === undefined || ifRange === lastModified ? parseRange(req.headers.range, size) : null;
  if (range === 'unsatisfiable') {
    void handle.close().catch(() => {});
    sendText(res, 416, 'Range Not Satisfiable', { 'Content-Range': `bytes */${size}` });
    return;
  }

  let status = 200;
  let start = 0;
  let end = size - 1;
  if (range !== null) {
    status = 206;
    start = range.start;
    end = range.end;
    headers['Content-Range'] = contentRange(range, size);
  }
  const length = size === 0 ? 0 : end - start + 1;
  headers['Content-Length'] = String(length);
  res.writeHead(status, headers);

  if (req.method === 'HEAD' || length === 0) {
    void handle.close().catch(() => {});
    res.end();
    return;
  }
  // The client may have gone while we opened the file: close it now, pipe nothing.
  if (res.destroyed || res.writableEnded) {
    void handle.close().catch(() => {});
    return;
  }
  // autoClose (the default) closes the handle on end, error or destroy; pipeline destroys
  // the file stream when the response closes early, so an aborted client frees its fd.
  const stream = handle.createReadStream({ start, end });
  pipeline(stream, res, (err) => {
    // After writeHead there is no status left to change; a read error can only cut
    // the answer short, which pipeline has already done by destroying `res`.
    void err;
  });
}

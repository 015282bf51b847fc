// A folder served under a fixed URL prefix whatever `http_server.dir` says: the pages
// that ship with the package (the players page, the console) and single files named one
// by one (the player libraries in node_modules). Only the named files and the files
// under the folder can be reached; the prefix owns its namespace, so a missing file is
// a 404 here rather than a lookup somewhere else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { sendText } from './http-errors.ts';
import { serveStatic } from './static-files.ts';

export interface Mount {
  /** With both slashes, e.g. `/players/`. */
  readonly prefix: string;
  /** The folder served under the prefix. */
  readonly root: string;
  /** Extra names under the prefix (`vendor/hls.min.js`) -> absolute file path, or null when unavailable. */
  readonly files?: () => Readonly<Record<string, string | null>>;
}

// The folder's pages change with each release of the server, and there is no 304 to make
// revalidation cheap (static-files.ts): they are small, so browsers fetch them every
// time. The named files (libraries of hundreds of KB) keep the browser's own caching.
const FOLDER_CACHE = 'no-cache';

/** True when `pathname` belongs to the mount: the prefix itself, with or without its slash, or below it. */
export function underMount(mount: Mount, pathname: string): boolean {
  return pathname === mount.prefix.slice(0, -1) || pathname.startsWith(mount.prefix);
}

/**
 * Answers a request whose path is under the mount (check with `underMount` first):
 * the bare prefix redirects to the slashed one so that the page's relative links
 * resolve, named files come from their own place, the rest from the folder.
 */
export async function serveMounted(req: IncomingMessage, res: ServerResponse, mount: Mount, url: URL): Promise<void> {
  if (url.pathname === mount.prefix.slice(0, -1)) {
    sendText(res, 302, `Redirect to ${mount.prefix}`, { Location: mount.prefix + url.search });
    return;
  }
  const rest = url.pathname.slice(mount.prefix.length - 1);
  const named = mount.files?.()[rest.slice(1)];
  if (named !== undefined) {
    if (named !== null && (await serveStatic(req, res, path.dirname(named), { urlPath: '/' + path.basename(named) }))) return;
  } else if (await serveStatic(req, res, mount.root, { urlPath: rest, cacheControl: FOLDER_CACHE })) {
    return;
  }
  sendText(res, 404, 'Not Found');
}

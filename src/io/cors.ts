// The crossdomain headers SRS sends on every reply (`crossdomain on`), so browser players
// (hls.js, mpegts.js) on another origin can read our playlists, segments and API answers.
import type { ServerResponse } from 'node:http';
import { SERVER_HEADER_VALUE } from '../net/http/server-header.ts';

export const CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': '*',
  'Access-Control-Allow-Methods': '*',
  'Access-Control-Expose-Headers': '*',
  'Access-Control-Allow-Credentials': 'false',
  'Access-Control-Request-Private-Network': 'true',
});

/** Answers a preflight (OPTIONS) the SRS way: 200, CORS headers, empty body. */
export function answerOptions(res: ServerResponse, extraHeaders?: Readonly<Record<string, string>>): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(200, {
    ...CORS_HEADERS,
    Server: SERVER_HEADER_VALUE,
    'Content-Length': '0',
    ...extraHeaders,
  });
  res.end();
}

// Short answers (errors, redirects, API bodies) with the headers every reply carries:
// CORS (as SRS sends it) and `Server: Sluice/<version>`. node:http drops the body of a
// HEAD answer by itself, so callers need not special-case HEAD.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { CORS_HEADERS } from './cors.ts';
import { SERVER_HEADER_VALUE } from '../net/http/server-header.ts';

/** Headers every Sluice reply carries. */
export function baseHeaders(): OutgoingHttpHeaders {
  return { ...CORS_HEADERS, Server: SERVER_HEADER_VALUE };
}

export function sendText(res: ServerResponse, status: number, text: string, extraHeaders?: OutgoingHttpHeaders): void {
  send(res, status, 'text/plain; charset=utf-8', Buffer.from(text, 'utf8'), extraHeaders);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extraHeaders?: OutgoingHttpHeaders): void {
  send(res, status, 'application/json', Buffer.from(JSON.stringify(body), 'utf8'), extraHeaders);
}

function send(res: ServerResponse, status: number, type: string, payload: Buffer, extra?: OutgoingHttpHeaders): void {
  // Too late for a status line: cutting the connection is the only honest signal left.
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    ...baseHeaders(),
    'Content-Type': type,
    'Content-Length': String(payload.length),
    ...extra,
  });
  res.end(payload);
}

// Limits that keep one slow or oversized client from holding server resources
// (the size of a request and the time to send it). Streaming answers (HTTP-FLV) are
// long-lived by design, so only the *request* side is timed here; nothing times out an
// answer that is still flowing.
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

export interface HttpLimits {
  /** Largest request head (request line + headers), bytes; beyond it node answers 431. */
  readonly maxHeaderSize: number;
  /** Time allowed to receive the complete request head, ms. */
  readonly headersTimeoutMs: number;
  /** Time allowed to receive the complete request, body included, ms. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection waits for its next request, ms. */
  readonly keepAliveTimeoutMs: number;
  /** How often node checks the two request timeouts above, ms (node's default is 30 s). */
  readonly connectionsCheckingIntervalMs: number;
}

export const HTTP_LIMITS: HttpLimits = Object.freeze({
  maxHeaderSize: 16384,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  connectionsCheckingIntervalMs: 1_000,
});

/** Options for `http.createServer(options, handler)`; maxHeaderSize can only be set there. */
export function httpServerOptions(overrides?: Partial<HttpLimits>): ServerOptions {
  const l = { ...HTTP_LIMITS, ...overrides };
  return {
    maxHeaderSize: l.maxHeaderSize,
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    connectionsCheckingInterval: l.connectionsCheckingIntervalMs,
  };
}

/** Called once per malformed or timed-out request, e.g. to write the one `warn` line. */
export type ClientErrorListener = (reason: string, socket: Socket) => void;

/**
 * Applies the timeouts to an existing server (harmless if it was created with
 * `httpServerOptions`). With `onClientError`, also answers bad requests itself
 * (400/408/431, then closes) after telling the listener; without it node's default
 * handling stays.
 */
export function applyHttpLimits(server: Server, overrides?: Partial<HttpLimits>, onClientError?: ClientErrorListener): void {
  const l = { ...HTTP_LIMITS, ...overrides };
  server.headersTimeout = l.headersTimeoutMs;
  server.requestTimeout = l.requestTimeoutMs;
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
  if (!onClientError) return;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const code = err.code ?? 'UNKNOWN';
    onClientError(`${code}: ${err.message}`, socket);
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, reason] = clientErrorStatus(code);
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
}

/** The status node's own clientError handling would pick for an error code. */
export function clientErrorStatus(code: string): readonly [number, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'Request Header Fields Too Large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'Request Timeout'];
  return [400, 'Bad Request'];
}

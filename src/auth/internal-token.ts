// Tokens this server hands its own ffmpeg processes on a vhost with auth on: a
// transcoder reads the stream (a play) and publishes its output, an ingest publishes.
// Each token names one action and one `app/stream`. They are signed with node:crypto,
// synchronously, because the command lines are built in constructors; verification
// stays with jose. A supervised ffmpeg restarts with the same command line, so the
// token lasts one to two years, and it is the same all through a year (no `iat`, `exp`
// rounded), so the ingest supervisor, which restarts a job whose command line changed,
// does not restart it on every reload. It never leaves this machine (the URL is a
// loopback one) and is taken out of log lines (redactTokens).
import { createHmac } from 'node:crypto';
import type { AuthConfig } from '../config/types.ts';
import { tokenRequired } from './authorize.ts';
import type { StreamAction } from './token-claims.ts';
import { TOKEN_PARAM } from './token-query.ts';

export const INTERNAL_TOKEN_PERIOD_S = 365 * 24 * 3600;

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function internalToken(secret: string, act: StreamAction, stream: string, nowS = Math.floor(Date.now() / 1000)): string {
  const exp = (Math.floor(nowS / INTERNAL_TOKEN_PERIOD_S) + 2) * INTERNAL_TOKEN_PERIOD_S;
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ act, stream, exp })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** `url` with `token=` added to the query of its last path segment (the stream name). */
export function withTokenParam(url: string, token: string): string {
  const last = url.slice(url.lastIndexOf('/') + 1);
  return `${url}${last.includes('?') ? '&' : '?'}${TOKEN_PARAM}=${token}`;
}

/**
 * The `app/stream` an rtmp:// URL names on this server (`host:port`), or null when it
 * points elsewhere: a token is only ever added to URLs of this server.
 */
export function localStreamPath(url: string, host: string, port: number): string | null {
  const m = /^rtmp:\/\/([^/]+)\/(.+)$/i.exec(url);
  if (!m) return null;
  const local = [`${host}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
  if (!local.includes(m[1]!.toLowerCase())) return null;
  const segments = m[2]!.split('/');
  if (segments.length < 2) return null;
  const bare = (s: string) => s.replace(/\?.*$/, '');
  const app = bare(segments[0]!);
  const stream = bare(segments[segments.length - 1]!);
  return app && stream ? `${app}/${stream}` : null;
}

/** `url` with a token for `act` when the vhost asks for one and the URL is this server's. */
export function withInternalToken(url: string, auth: AuthConfig | undefined, act: StreamAction, host: string, port: number): string {
  if (!auth || !tokenRequired(auth, act)) return url;
  const path = localStreamPath(url, host, port);
  return path === null ? url : withTokenParam(url, internalToken(auth.secret, act, path));
}

// The API's bearer token (`http_api.auth`). Pure: a request's path and
// Authorization header in, a verdict out. The token is read from the configuration in
// force at each request, so a reload that sets or changes it applies at once.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpApiAuthConfig, HttpApiConfig, ListenAddress } from '../config/types.ts';

/** Paths the token guards: the API itself; /metrics only when `auth.metrics` is on. */
export function needsToken(pathname: string, auth: HttpApiAuthConfig): boolean {
  if (auth.token === '') return false;
  if (pathname === '/api' || pathname.startsWith('/api/')) return true;
  return auth.metrics && /^\/metrics\/?$/.test(pathname);
}

// Hashing both sides first gives timingSafeEqual equal lengths, so neither the bytes nor
// the length of the token leak through the time a refusal takes.
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** True when the header is `Bearer <token>` (scheme case-insensitive, as RFC 6750 reads it). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  return timingSafeEqual(digest(m[1]!), digest(token));
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i;

/** Listen addresses that other machines can reach (anything but loopback). */
export function exposedAddresses(listen: readonly ListenAddress[]): ListenAddress[] {
  return listen.filter((a) => !LOOPBACK.test(a.host));
}

/**
 * The addresses to name in the start-up warning when the API has no token and
 * other machines can reach it; null when there is nothing to warn about.
 */
export function openApiExposure(api: HttpApiConfig): string[] | null {
  if (!api.enabled || api.auth.token !== '') return null;
  const exposed = exposedAddresses(api.listen);
  return exposed.length === 0 ? null : exposed.map((a) => `${a.host}:${a.port}`);
}

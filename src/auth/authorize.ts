// A vhost's `auth` settings applied to one publish or play: whether a token is needed
// and, when it is, whether the one in the request's parameters allows this `app/stream`.
import type { AuthConfig } from '../config/types.ts';
import type { StreamAction } from './token-claims.ts';
import { tokenOf, withoutToken } from './token-query.ts';
import { verifyStreamToken, type VerifyOptions } from './verify-token.ts';

export type AuthVerdict = { ok: true } | { ok: false; reason: string };

const ALLOWED: AuthVerdict = { ok: true };

/** Whether `action` needs a token on a vhost with these settings. */
export function tokenRequired(auth: AuthConfig, action: StreamAction): boolean {
  return auth.enabled && (action === 'publish' ? auth.publish : auth.play);
}

/**
 * Checks the `token=` of `param` (a query, with or without '?') for `action` on
 * `app/stream`. Allowed at once when the vhost does not ask for a token.
 */
export async function authorize(
  auth: AuthConfig,
  action: StreamAction,
  where: { app: string; stream: string },
  param: string,
  opts?: VerifyOptions,
): Promise<AuthVerdict> {
  if (!tokenRequired(auth, action)) return ALLOWED;
  const token = tokenOf(param);
  if (token === null) return { ok: false, reason: 'no token' };
  const verdict = await verifyStreamToken(token, auth.secret, action, `${where.app}/${where.stream}`, opts);
  return verdict.ok ? ALLOWED : { ok: false, reason: verdict.reason };
}

/**
 * The parameters others may see (hooks, forwards, the API, logs). On a vhost with auth
 * on, `token=` is ours and is taken out; elsewhere it is left alone, since hook-based
 * authentication (SRS's way) reads its own `token=` from the hooks' `param`.
 */
export function visibleParam(auth: AuthConfig, param: string): string {
  return auth.enabled ? withoutToken(param) : param;
}

// One stream token checked with jose: HS256 only (so `alg: none` and any other
// algorithm are refused before a signature is even looked at), the HMAC compared in
// constant time by WebCrypto, `exp` required, `exp`/`nbf` checked with a few seconds of
// clock skew; then our own claims (token-claims.ts). It never throws: a hostile token
// is a refusal with a reason fit for a log line (never the token itself).
import { jwtVerify, type JWTPayload } from 'jose';
import { claimsRefusal, type StreamAction } from './token-claims.ts';
import { MAX_TOKEN_LENGTH } from './token-query.ts';

/** Seconds of clock difference allowed between the token's issuer and this server. */
export const CLOCK_SKEW_S = 5;

export type TokenVerdict = { ok: true; payload: JWTPayload } | { ok: false; reason: string };

export interface VerifyOptions {
  /** The time to check `exp`/`nbf` against (tests, fuzzing); default now. */
  now?: Date;
}

const encoder = new TextEncoder();

export async function verifyStreamToken(
  token: string,
  secret: string,
  action: StreamAction,
  path: string,
  opts: VerifyOptions = {},
): Promise<TokenVerdict> {
  if (token.length === 0) return { ok: false, reason: 'empty token' };
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: `malformed token (longer than ${MAX_TOKEN_LENGTH} characters)` };
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      clockTolerance: CLOCK_SKEW_S,
      ...(opts.now ? { currentDate: opts.now } : {}),
    }));
  } catch (err) {
    return { ok: false, reason: joseRefusal(err) };
  }
  const refusal = claimsRefusal(payload, action, path);
  return refusal === null ? { ok: true, payload } : { ok: false, reason: refusal };
}

/** jose's error, as a reason a person reads in the log. */
function joseRefusal(err: unknown): string {
  const e = err as { code?: unknown; claim?: unknown; reason?: unknown };
  switch (e?.code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad signature';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'algorithm not allowed (HS256 only)';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      // jose's reason: 'check_failed' (the time check), 'missing', or 'invalid' (not a number).
      if (e.claim === 'nbf' && e.reason === 'check_failed') return 'not yet valid (nbf)';
      if (e.claim === 'exp' && e.reason === 'missing') return 'no expiry (exp)';
      return `invalid ${String(e.claim)} claim`;
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID, ERR_JOSE_NOT_SUPPORTED (crit, b64), or a bug
      // of jose's that threw something else: all the same to the client.
      return 'malformed token';
  }
}

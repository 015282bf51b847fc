// Stream tokens made in the tests, good and bad, by hand where jose would refuse to
// make them (`alg: none`, no `exp`, another algorithm), so each refusal has its input.
import { createHmac } from 'node:crypto';
import { mintStreamToken, type MintOptions } from '../../src/auth/mint-token.ts';

export const SECRET = 'test-secret-that-is-long-enough-0123456789';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token from our own minter; ttl 600 s unless said otherwise. */
export function token(opts: Partial<MintOptions> & Pick<MintOptions, 'act'>): Promise<string> {
  return mintStreamToken({ secret: SECRET, ttl: 600, ...opts });
}

/** A JWT signed with HMAC-SHA256 by hand, with any header and claims. */
export function handMade(header: Record<string, unknown>, claims: Record<string, unknown>, secret = SECRET): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** The classic forgery: `alg: none` and no signature. */
export function algNone(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
}

export const nowS = (): number => Math.floor(Date.now() / 1000);

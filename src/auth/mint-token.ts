// Makes a stream token: what a platform's backend would do, for `sluice ctl token` and
// the tests. HS256, `exp` always set (the server refuses tokens without one).
import { SignJWT } from 'jose';
import type { StreamAction } from './token-claims.ts';

export interface MintOptions {
  secret: string;
  /** One action, or several (`['publish', 'play']`). */
  act: StreamAction | StreamAction[];
  /** `app/stream`, or a prefix ending in `*`; left out: any stream. */
  stream?: string;
  /** Seconds from `now` until the token expires. */
  ttl: number;
  /** Seconds from `now` before the token is valid; left out: valid at once. */
  nbf?: number;
  /** Seconds since the epoch; default now. */
  now?: number;
}

export async function mintStreamToken(opts: MintOptions): Promise<string> {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { act: opts.act };
  if (opts.stream !== undefined) claims.stream = opts.stream;
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(now).setExpirationTime(now + opts.ttl);
  if (opts.nbf !== undefined) jwt.setNotBefore(now + opts.nbf);
  return jwt.sign(new TextEncoder().encode(opts.secret));
}

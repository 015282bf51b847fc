// Publish/play tokens (HS256 JWTs) from the network: verifyStreamToken on random
// tokens must never throw, and may only allow a token that an independent check (our
// own HMAC-SHA256 with node:crypto, the claims read by hand) also allows; tokenOf and
// withoutToken on random queries: after withoutToken no token is left, and the rest is
// stable. The first byte picks what the rest is and which action and stream are asked.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { verifyStreamToken, CLOCK_SKEW_S } from '../../../src/auth/verify-token.ts';
import { tokenOf, withoutToken } from '../../../src/auth/token-query.ts';
import { streamClaimMatches, type StreamAction } from '../../../src/auth/token-claims.ts';
import type { FuzzTarget } from './fuzz-target.ts';
import { check } from './fuzz-target.ts';

export const FUZZ_SECRET = 'fuzz-secret';
/** A fixed clock, so a seed that is valid stays valid: 2030-01-01T00:00:00Z. */
export const FUZZ_NOW_S = 1893456000;
const NOW = new Date(FUZZ_NOW_S * 1000);

function json(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

/** What an allowed token must be, checked without jose. */
function independentlyValid(token: string, action: StreamAction, path: string): string | null {
  const parts = token.split('.');
  if (parts.length !== 3) return 'not three parts';
  const [h, p, sig] = parts as [string, string, string];
  const header = json(h) as { alg?: unknown } | null;
  if (header?.alg !== 'HS256') return `alg ${JSON.stringify(header?.alg)}`;
  const mac = createHmac('sha256', FUZZ_SECRET).update(`${h}.${p}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== mac.length || !timingSafeEqual(given, mac)) return 'signature does not match';
  const claims = json(p) as Record<string, unknown> | null;
  if (!claims || typeof claims !== 'object') return 'claims not an object';
  if (typeof claims.exp !== 'number' || claims.exp < FUZZ_NOW_S - CLOCK_SKEW_S) return `exp ${String(claims.exp)}`;
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > FUZZ_NOW_S + CLOCK_SKEW_S)) return `nbf ${String(claims.nbf)}`;
  const acts = Array.isArray(claims.act) ? claims.act : [claims.act];
  if (!acts.includes(action)) return 'act';
  if (claims.stream !== undefined && (typeof claims.stream !== 'string' || !streamClaimMatches(claims.stream, path))) return 'stream';
  return null;
}

async function verify(token: string, mode: number): Promise<void> {
  const action: StreamAction = (mode & 2) !== 0 ? 'play' : 'publish';
  const path = (mode & 4) !== 0 ? 'live/x' : 'live/other';
  const v = await verifyStreamToken(token, FUZZ_SECRET, action, path, { now: NOW });
  if (v.ok) {
    const why = independentlyValid(token, action, path);
    check(why === null, `allowed a token the independent check refuses (${why})`);
  } else {
    check(typeof v.reason === 'string' && v.reason.length > 0, 'a refusal without a reason');
    check(token.length < 16 || !v.reason.includes(token), 'a refusal whose reason prints the token');
  }
}

function query(q: string): string | null {
  const found = tokenOf(q);
  const rest = withoutToken(q);
  check(tokenOf(rest) === null, `${JSON.stringify(q)}: a token left after withoutToken (${JSON.stringify(rest)})`);
  check(withoutToken(rest) === rest, `${JSON.stringify(q)}: withoutToken is not stable`);
  if (!q.includes('token')) check(rest === q, `${JSON.stringify(q)}: changed without a token in it`);
  return found;
}

export const target: FuzzTarget = {
  name: 'stream-token',
  description: 'verifyStreamToken (never throws; allows only what an independent HMAC and claims check allows); tokenOf/withoutToken',
  coverage: ['/src/auth/', '/node_modules/jose/'],
  maxLen: 2048,
  dictionary: ['.', '-', '_', '=', '?', '&', 'token=', 'eyJ', 'eyJhbGciOiJIUzI1NiJ9', 'eyJhbGciOiJub25lIn0', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
    '"alg"', '"HS256"', '"none"', '"exp"', '"nbf"', '"act"', '"stream"', '"crit"', '"b64"', 'publish', 'play', 'live/*', '%2E', '%'],
  async fuzz(data) {
    if (data.length === 0) return;
    const mode = data[0]!;
    const text = data.toString('utf8', 1);
    if ((mode & 1) === 0) {
      await verify(text, mode);
      return;
    }
    const found = query(text);
    if (found !== null) await verify(found, mode);
  },
};

// Stream tokens (HS256 JWTs) through verifyStreamToken and authorize: each token
// made here, good or bad, and the reason a refusal gives (the log line's words).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyStreamToken } from '../../src/auth/verify-token.ts';
import { authorize, tokenRequired, visibleParam } from '../../src/auth/authorize.ts';
import { streamClaimMatches, claimsRefusal } from '../../src/auth/token-claims.ts';
import type { AuthConfig } from '../../src/config/types.ts';
import { algNone, handMade, nowS, SECRET, token } from '../helpers/tokens.ts';

const HS256 = { alg: 'HS256', typ: 'JWT' };

async function reason(tok: string, action: 'publish' | 'play' = 'publish', path = 'live/x'): Promise<string> {
  const v = await verifyStreamToken(tok, SECRET, action, path);
  return v.ok ? 'ok' : v.reason;
}

test('a token is allowed or refused, with the reason that says why', async () => {
  const now = nowS();
  const cases: [string, string | Promise<string>, string, ('publish' | 'play')?, string?][] = [
    ['valid', token({ act: 'publish', stream: 'live/x' }), 'ok'],
    ['valid, no stream claim', token({ act: 'publish' }), 'ok'],
    ['valid, both actions, play', token({ act: ['publish', 'play'] }), 'ok', 'play'],
    ['expired', token({ act: 'publish', ttl: 1, now: now - 60 }), 'expired'],
    ['expired 3 s ago: within the clock skew', handMade(HS256, { act: 'publish', exp: now - 3 }), 'ok'],
    ['wrong secret', handMade(HS256, { act: 'publish', exp: now + 60 }, 'another-secret'), 'bad signature'],
    ['wrong action', token({ act: 'play' }), 'wrong action: the token is not for publish'],
    ['no act claim', handMade(HS256, { exp: now + 60 }), 'wrong action: no act claim'],
    ['act of another type', handMade(HS256, { act: 7, exp: now + 60 }), 'wrong action: no act claim'],
    ['wrong stream', token({ act: 'publish', stream: 'live/y' }), 'wrong stream: the token is for another stream'],
    ['stream claim a prefix of the name but no *', token({ act: 'publish', stream: 'live/' }), 'wrong stream: the token is for another stream'],
    ['stream claim not a string', handMade(HS256, { act: 'publish', stream: ['live/x'], exp: now + 60 }), 'wrong stream: the stream claim is not a string'],
    ['prefix match', token({ act: 'publish', stream: 'live/*' }), 'ok'],
    ['prefix match of another app', token({ act: 'publish', stream: 'vod/*' }), 'wrong stream: the token is for another stream'],
    ['nbf in the future', token({ act: 'publish', nbf: 120 }), 'not yet valid (nbf)'],
    ['nbf 3 s ahead: within the clock skew', handMade(HS256, { act: 'publish', exp: now + 60, nbf: now + 3 }), 'ok'],
    ['no exp', handMade(HS256, { act: 'publish' }), 'no expiry (exp)'],
    ['exp not a number', handMade(HS256, { act: 'publish', exp: 'tomorrow' }), 'invalid exp claim'],
    ['alg: none', algNone({ act: 'publish', exp: now + 60 }), 'algorithm not allowed (HS256 only)'],
    ['HS512', handMade({ alg: 'HS512' }, { act: 'publish', exp: now + 60 }), 'algorithm not allowed (HS256 only)'],
    ['garbage', 'not-a-jwt', 'malformed token'],
    ['three garbage parts', 'a.b.c', 'malformed token'],
    ['empty', '', 'empty token'],
    ['huge', 'a'.repeat(100_000), 'malformed token (longer than 4096 characters)'],
    ['claims not an object', `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('[1]').toString('base64url')}.x`, 'malformed token'],
  ];
  for (const [name, tok, expected, action, path] of cases) {
    assert.equal(await reason(await tok, action, path), expected, name);
  }
});

test('the stream claim: exact, or a prefix when it ends in *', () => {
  assert.ok(streamClaimMatches('live/x', 'live/x'));
  assert.ok(!streamClaimMatches('live/x', 'live/xy'));
  assert.ok(streamClaimMatches('live/*', 'live/xy'));
  assert.ok(streamClaimMatches('live/x*', 'live/xy'));
  assert.ok(streamClaimMatches('*', 'any/thing'));
  assert.ok(!streamClaimMatches('live/*', 'lives/x'));
  assert.equal(claimsRefusal({ act: ['play'] }, 'play', 'a/b'), null);
});

const AUTH: AuthConfig = { enabled: true, secret: SECRET, publish: true, play: false };

test('authorize follows the vhost: off, publish only, play too; no token is a refusal', async () => {
  const where = { app: 'live', stream: 'x' };
  const good = await token({ act: ['publish', 'play'], stream: 'live/x' });
  assert.deepEqual(await authorize({ ...AUTH, enabled: false }, 'publish', where, ''), { ok: true });
  assert.deepEqual(await authorize(AUTH, 'play', where, ''), { ok: true });
  assert.deepEqual(await authorize(AUTH, 'publish', where, ''), { ok: false, reason: 'no token' });
  assert.deepEqual(await authorize(AUTH, 'publish', where, '?a=1&tokenx=2'), { ok: false, reason: 'no token' });
  assert.deepEqual(await authorize(AUTH, 'publish', where, `?a=1&token=${good}`), { ok: true });
  assert.deepEqual(await authorize(AUTH, 'publish', where, `?token=${good}?vhost=v`), { ok: true });
  assert.deepEqual(await authorize({ ...AUTH, play: true }, 'play', where, `token=${good}`), { ok: true });
  assert.deepEqual(await authorize({ ...AUTH, play: true }, 'play', { app: 'live', stream: 'y' }, `token=${good}`),
    { ok: false, reason: 'wrong stream: the token is for another stream' });
  assert.equal(tokenRequired({ ...AUTH, publish: false, play: true }, 'publish'), false);
  assert.equal(tokenRequired({ ...AUTH, publish: false, play: true }, 'play'), true);
});

test('visibleParam takes the token out only where auth is on (hooks may read their own token=)', () => {
  assert.equal(visibleParam(AUTH, '?token=abc'), '');
  assert.equal(visibleParam(AUTH, '?a=1&token=abc&b=2'), '?a=1&b=2');
  assert.equal(visibleParam({ ...AUTH, enabled: false }, '?token=abc'), '?token=abc');
});

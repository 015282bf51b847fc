// `sluice ctl token` in-process through runCli: the token it prints verifies with the
// same secret for what it was asked (action, stream, ttl, nbf), and bad flags get exit 2
// and one line saying which flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { runCli } from '../../src/cli.ts';
import { verifyStreamToken } from '../../src/auth/verify-token.ts';

async function ctl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['ctl', ...args], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

test('ctl token prints one token for the action, stream and ttl asked for', async () => {
  const r = await ctl('token', '--secret', 'S', '--act', 'publish', '--stream', 'live/x', '--ttl', '60');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  const t = r.out.trim();
  const claims = decodeJwt(t);
  assert.equal(claims.act, 'publish');
  assert.equal(claims.stream, 'live/x');
  assert.ok(Math.abs(claims.exp! - (Date.now() / 1000 + 60)) < 5);
  assert.equal((await verifyStreamToken(t, 'S', 'publish', 'live/x')).ok, true);
  assert.equal((await verifyStreamToken(t, 'S', 'play', 'live/x')).ok, false);
  assert.equal((await verifyStreamToken(t, 'other', 'publish', 'live/x')).ok, false);
});

test('ctl token: both, a comma list, default ttl, nbf, no stream', async () => {
  const both = decodeJwt((await ctl('token', '--secret', 'S', '--act', 'both')).out.trim());
  assert.deepEqual(both.act, ['publish', 'play']);
  assert.equal(both.stream, undefined);
  assert.ok(Math.abs(both.exp! - (Date.now() / 1000 + 3600)) < 5);
  assert.deepEqual(decodeJwt((await ctl('token', '--secret', 'S', '--act', 'play,publish')).out.trim()).act, ['play', 'publish']);
  const later = (await ctl('token', '--secret', 'S', '--act', 'play', '--nbf', '120')).out.trim();
  assert.equal((await verifyStreamToken(later, 'S', 'play', 'a/b')).ok, false);
  assert.equal((await verifyStreamToken(later, 'S', 'play', 'a/b', { now: new Date(Date.now() + 130_000) })).ok, true);
});

test('ctl token refuses bad flags by name, exit 2', async () => {
  for (const [args, what] of [
    [['--act', 'publish'], /--secret is required/],
    [['--secret', 'S'], /--act is required/],
    [['--secret', 'S', '--act', 'watch'], /--act "watch"/],
    [['--secret', 'S', '--act', 'play', '--ttl', '0'], /--ttl "0"/],
    [['--secret', 'S', '--act', 'play', '--ttl', '1.5'], /--ttl "1.5"/],
    [['--secret', 'S', '--act', 'play', '--nbf', '-1'], /nbf/],
    [['--secret', 'S', '--act', 'play', '--bogus'], /bogus/],
  ] as const) {
    const r = await ctl('token', ...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, what);
    assert.equal(r.out, '');
  }
  const unknown = await ctl('frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command "frobnicate"/);
});

// The tokens the server gives its own ffmpeg processes: they verify with jose for the
// one action and stream they name, only URLs of this server get one, they stay the same
// across reloads (no restart of an ingest for a new token), and logs get them redacted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { internalToken, localStreamPath, withInternalToken, withTokenParam } from '../../src/auth/internal-token.ts';
import { redactTokens, tokenOf } from '../../src/auth/token-query.ts';
import { verifyStreamToken } from '../../src/auth/verify-token.ts';
import { ingestJobs, transcodeArgs } from '../../src/actors/ffmpeg/ffmpeg-args.ts';
import type { AuthConfig } from '../../src/config/types.ts';

const AUTH: AuthConfig = { enabled: true, secret: 's3cret', publish: true, play: true };

test('an internal token verifies for its action and stream only', async () => {
  const t = internalToken('s3cret', 'publish', 'live/x_ld');
  assert.equal((await verifyStreamToken(t, 's3cret', 'publish', 'live/x_ld')).ok, true);
  assert.equal((await verifyStreamToken(t, 's3cret', 'play', 'live/x_ld')).ok, false);
  assert.equal((await verifyStreamToken(t, 's3cret', 'publish', 'live/y')).ok, false);
  assert.equal((await verifyStreamToken(t, 'other', 'publish', 'live/x_ld')).ok, false);
  assert.equal(internalToken('s', 'play', 'a/b', 1_800_000_000), internalToken('s', 'play', 'a/b', 1_800_000_100), 'the same all through a period');
});

test('only URLs of this server get a token, on the stream name\'s query', () => {
  const table: [string, string | null][] = [
    ['rtmp://127.0.0.1:1935/live?vhost=v/x_ld', 'live/x_ld'],
    ['rtmp://127.0.0.1:1935/live/x?vhost=v', 'live/x'],
    ['rtmp://localhost:1935/live/x', 'live/x'],
    ['rtmp://127.0.0.1:1936/live/x', null],
    ['rtmp://example.com:1935/live/x', null],
    ['rtmp://127.0.0.1:1935/live', null],
    ['/tmp/out.flv', null],
  ];
  for (const [url, want] of table) assert.equal(localStreamPath(url, '127.0.0.1', 1935), want, url);
  assert.equal(withTokenParam('rtmp://h/live?vhost=v/x', 'T'), 'rtmp://h/live?vhost=v/x?token=T');
  assert.equal(withTokenParam('rtmp://h/live/x?vhost=v', 'T'), 'rtmp://h/live/x?vhost=v&token=T');
  assert.equal(withInternalToken('rtmp://example.com/live/x', AUTH, 'publish', '127.0.0.1', 1935), 'rtmp://example.com/live/x');
  assert.equal(withInternalToken('rtmp://127.0.0.1:1935/live/x', { ...AUTH, enabled: false }, 'publish', '127.0.0.1', 1935), 'rtmp://127.0.0.1:1935/live/x');
});

test('transcode and ingest command lines carry tokens when the vhost asks, and only then', async () => {
  const engine = { name: 'ld', enabled: true, vcodec: 'copy', vbitrate: 1, vfps: 25, vwidth: 0, vheight: 0, vprofile: '', vpreset: '', acodec: 'copy', abitrate: 1, asample_rate: 44100, achannels: 2, output: 'rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine]' };
  const names = { vhost: 'v', app: 'live', stream: 'x' };
  const plain = transcodeArgs(names, engine, '127.0.0.1', 1935);
  assert.ok(!plain.join(' ').includes('token='));
  const args = transcodeArgs(names, engine, '127.0.0.1', 1935, AUTH);
  const input = args[args.indexOf('-i') + 1]!;
  const output = args[args.length - 1]!;
  assert.equal((await verifyStreamToken(tokenOf(input.slice(input.lastIndexOf('?')))!, 's3cret', 'play', 'live/x')).ok, true);
  assert.equal((await verifyStreamToken(tokenOf(output.slice(output.lastIndexOf('?')))!, 's3cret', 'publish', 'live/x_ld')).ok, true);
  const jobs = ingestJobs('v', { id: 'ing', enabled: true, input: { type: 'file', url: '/a.flv' }, ffmpeg: 'ffmpeg', engines: [] }, 1935,
    'rtmp://127.0.0.1:[port]/live?vhost=[vhost]/[stream]', { config: AUTH, host: '127.0.0.1' });
  const out = jobs[0]!.args.at(-1)!;
  assert.equal((await verifyStreamToken(tokenOf(out.slice(out.lastIndexOf('?')))!, 's3cret', 'publish', 'live/ing')).ok, true);
  assert.equal(redactTokens(`ffmpeg -i ${input} ${output}`).includes('eyJ'), false);
});

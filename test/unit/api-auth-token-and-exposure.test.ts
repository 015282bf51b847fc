// http_api.auth, the pure part: which paths the token guards, how the Authorization
// header is read, and which listen addresses count as reachable from other machines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerMatches, exposedAddresses, needsToken, openApiExposure } from '../../src/api/api-auth.ts';

test('the token guards every /api/ path, /metrics only when auth.metrics is on, nothing when empty', () => {
  const on = { token: 't0k', metrics: false };
  const cases: [string, boolean][] = [
    ['/api/v1/versions', true], ['/api/v1/clients/abc', true], ['/api', true], ['/api/', true],
    ['/metrics', false], ['/console/', false], ['/', false], ['/apix', false],
  ];
  for (const [path, want] of cases) assert.equal(needsToken(path, on), want, path);
  assert.equal(needsToken('/metrics', { token: 't0k', metrics: true }), true);
  assert.equal(needsToken('/metrics/', { token: 't0k', metrics: true }), true);
  assert.equal(needsToken('/api/v1/versions', { token: '', metrics: true }), false);
  assert.equal(needsToken('/metrics', { token: '', metrics: true }), false);
});

test('only `Bearer <the token>` passes', () => {
  assert.equal(bearerMatches('Bearer s3cret', 's3cret'), true);
  assert.equal(bearerMatches('bearer s3cret', 's3cret'), true);
  assert.equal(bearerMatches('Bearer   s3cret ', 's3cret'), true);
  for (const h of [undefined, '', 's3cret', 'Bearer', 'Bearer ', 'Bearer s3cre', 'Bearer s3cret2', 'Basic czNjcmV0', 'Bearer s3cret extra']) {
    assert.equal(bearerMatches(h, 's3cret'), false, String(h));
  }
});

test('loopback addresses are not exposed; any other host is', () => {
  const l = (host: string) => ({ host, port: 1985 });
  assert.deepEqual(exposedAddresses([l('127.0.0.1'), l('127.0.1.1'), l('::1'), l('localhost')]), []);
  assert.deepEqual(exposedAddresses([l('0.0.0.0'), l('127.0.0.1'), l('192.168.1.2'), l('::')]), [l('0.0.0.0'), l('192.168.1.2'), l('::')]);
});

test('the start-up warning: only an enabled API with no token listening beyond loopback', () => {
  const api = (token: string, ...hosts: string[]) => ({ enabled: true, listen: hosts.map((host) => ({ host, port: 1985 })), auth: { token, metrics: false } });
  assert.deepEqual(openApiExposure(api('', '0.0.0.0')), ['0.0.0.0:1985']);
  assert.deepEqual(openApiExposure(api('', '127.0.0.1', '10.0.0.5')), ['10.0.0.5:1985']);
  assert.equal(openApiExposure(api('', '127.0.0.1')), null);
  assert.equal(openApiExposure(api('t', '0.0.0.0')), null);
  assert.equal(openApiExposure({ ...api('', '0.0.0.0'), enabled: false }), null);
});

// http_api.auth with a real server: with a token, every /api/ request
// without `Authorization: Bearer <token>` gets 401 JSON with a non-zero code, whatever
// the path or method; /metrics stays open unless auth.metrics; preflights pass; a reload
// changes the token at once; loopback listening with a token logs no warning.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startServer, waitForPort, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/clients.ts';

const TOKEN = 'tok-3f9a';
let server: TestServer;

before(async () => {
  server = await startServer({ apiToken: TOKEN });
  await waitForPort(server.apiPort);
});

after(async () => {
  await server.stop();
});

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; json: any; text: string }> {
  const res = await fetch(`http://127.0.0.1:${server.apiPort}${path}`, init);
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, json, text };
}

const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

test('without the token, or with a wrong one, every /api/ request is 401 JSON with a non-zero code', async () => {
  const cases: [string, string, Record<string, string>][] = [
    ['GET', '/api/v1/versions', {}],
    ['GET', '/api/v1/summaries', bearer('wrong')],
    ['GET', '/api/v1/streams/', { Authorization: TOKEN }],
    ['GET', '/api/v1/nothing', {}],
    ['DELETE', '/api/v1/clients/abc', {}],
    ['POST', '/api/v1/raw?rpc=reload', {}],
    ['GET', '/api/v1/versions?callback=cb', {}],
  ];
  for (const [method, path, headers] of cases) {
    const r = await call(path, { method, headers });
    assert.equal(r.status, 401, `${method} ${path}`);
    assert.equal(r.headers.get('content-type'), 'application/json', `${method} ${path}`);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="sluice"');
    assert.notEqual(r.json.code, 0, `${method} ${path}`);
    assert.equal(typeof r.json.server, 'string');
  }
});

test('with the token the API answers as usual; /metrics and preflights need none', async () => {
  const v = await call('/api/v1/versions', { headers: bearer(TOKEN) });
  assert.equal(v.status, 200);
  assert.equal(v.json.code, 0);
  assert.equal((await call('/api/v1/clients/nothere1', { method: 'DELETE', headers: bearer(TOKEN) })).status, 404);
  const m = await call('/metrics');
  assert.equal(m.status, 200);
  assert.match(m.text, /^# HELP /m);
  const opt = await fetch(`http://127.0.0.1:${server.apiPort}/api/v1/streams/`, { method: 'OPTIONS' });
  assert.equal(opt.status, 200);
  assert.match(opt.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  assert.doesNotMatch(server.logs(), /HTTP API has no token/);
});

test('a reload that sets auth.metrics and a new token applies to the next request', async () => {
  const path = join(server.dir, 'sluice.yaml');
  const original = readFileSync(path, 'utf8');
  const conf = parse(original) as Record<string, any>;
  conf.http_api.auth = { token: 'tok-2', metrics: true };
  writeFileSync(path, stringify(conf));
  try {
    const r = await call('/api/v1/raw?rpc=reload', { method: 'POST', headers: bearer(TOKEN) });
    assert.equal(r.json.code, 0);
    await until(async () => (await call('/metrics')).status === 401, 5000, '/metrics to need the token');
    assert.equal((await call('/metrics', { headers: bearer('tok-2') })).status, 200);
    assert.equal((await call('/api/v1/versions', { headers: bearer(TOKEN) })).status, 401);
    assert.equal((await call('/api/v1/versions', { headers: bearer('tok-2') })).status, 200);
  } finally {
    writeFileSync(path, original);
    await call('/api/v1/raw?rpc=reload', { method: 'POST', headers: bearer('tok-2') });
  }
  assert.equal((await call('/api/v1/versions', { headers: bearer(TOKEN) })).status, 200);
});

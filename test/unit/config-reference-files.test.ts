import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfigFile } from '../../src/config/load.ts';
import { configSchema } from '../../src/config/schema.ts';
import type { SchemaNode } from '../../src/config/schema.ts';

const FULL = new URL('../../conf/full.yaml', import.meta.url).pathname;
const DEFAULT = new URL('../../conf/sluice.yaml', import.meta.url).pathname;

/** Every key path of the schema: `vhosts.*.hls.fragment`, `...rules.[].action`. */
function schemaPaths(node: SchemaNode, path: string[] = [], out: string[][] = []): string[][] {
  if (node.properties) {
    for (const [key, child] of Object.entries(node.properties)) {
      out.push([...path, key]);
      schemaPaths(child, [...path, key], out);
    }
  }
  if (typeof node.additionalProperties === 'object') schemaPaths(node.additionalProperties, [...path, '*'], out);
  if (node.type === 'array' && node.items) schemaPaths(node.items, [...path, '[]'], out);
  return out;
}

function present(value: unknown, path: readonly string[]): boolean {
  if (path.length === 0) return true;
  const [head, ...rest] = path;
  if (head === '[]') return Array.isArray(value) && value.some((item) => present(item, rest));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const map = value as Record<string, unknown>;
  if (head === '*') return Object.values(map).some((v) => present(v, rest));
  return Object.hasOwn(map, head!) && present(map[head!], rest);
}

test('conf/full.yaml validates against the schema', () => {
  const result = loadConfigFile(FULL);
  assert.ok('config' in result, 'errors' in result ? result.errors.join('\n') : '');
  assert.ok(result.config.vhosts.__defaultVhost__);
  assert.ok(Object.keys(result.config.vhosts).length >= 2);
});

test('conf/full.yaml sets every key of the schema explicitly', () => {
  const raw: unknown = parse(readFileSync(FULL, 'utf8'));
  const paths = schemaPaths(configSchema);
  assert.ok(paths.length > 100, `walked only ${paths.length} keys`);
  const missing = paths.filter((p) => !present(raw, p)).map((p) => p.join('.'));
  assert.deepEqual(missing, []);
});

test('the __defaultVhost__ of conf/full.yaml shows the defaults', () => {
  const full = loadConfigFile(FULL);
  const empty = loadConfigFile('/dev/null');
  assert.ok('config' in full && 'config' in empty);
  assert.deepEqual(full.config.vhosts.__defaultVhost__, empty.config.vhosts.__defaultVhost__);
  const { vhosts: _a, ...fullTop } = full.config;
  const { vhosts: _b, ...emptyTop } = empty.config;
  assert.deepEqual(fullTop, emptyTop);
});

test('conf/sluice.yaml: RTMP 1935, HTTP 8080 from ./html, API 1985, HLS and HTTP-FLV on', () => {
  const result = loadConfigFile(DEFAULT);
  assert.ok('config' in result, 'errors' in result ? result.errors.join('\n') : '');
  const c = result.config;
  assert.deepEqual(c.listen.map((l) => l.port), [1935]);
  assert.deepEqual(c.http_server.listen.map((l) => l.port), [8080]);
  assert.equal(c.http_server.enabled, true);
  assert.equal(c.http_server.dir, './html');
  assert.deepEqual(c.http_api.listen.map((l) => l.port), [1985]);
  assert.equal(c.http_api.enabled, true);
  const v = c.vhosts.__defaultVhost__!;
  assert.equal(v.hls.enabled, true);
  assert.equal(v.http_remux.enabled, true);
  assert.match(readFileSync(DEFAULT, 'utf8'), /^workers: auto$/m);
});

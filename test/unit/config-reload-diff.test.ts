import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.ts';
import { diffConfig } from '../../src/config/reload-diff.ts';
import type { SluiceConfig } from '../../src/config/types.ts';

function cfg(yaml: string): SluiceConfig {
  const result = parseConfig(yaml, 'r.yaml');
  if ('errors' in result) assert.fail(result.errors.join('\n'));
  return result.config;
}

const base = `
listen: 1935
workers: 2
log: { level: info }
vhosts:
  __defaultVhost__: {}
  a: { hls: { fragment: 5 } }
  b: {}
`;

test('identical configs: nothing changed', () => {
  assert.deepEqual(diffConfig(cfg(base), cfg(base)), {
    listenChanged: false, httpServerChanged: false, httpApiChanged: false, rtmpsChanged: false,
    logLevelChanged: false, workersChanged: false, topKeysChanged: [],
    vhostsAdded: [], vhostsRemoved: [], vhostsChanged: [],
  });
});

test('listen, servers, log level and workers are reported separately', () => {
  const next = cfg(base.replace('listen: 1935', 'listen: [1935, 1940]').replace('workers: 2', 'workers: 3')
    .replace('level: info', 'level: debug') + 'http_api: { listen: 1990 }\n');
  const d = diffConfig(cfg(base), next);
  assert.equal(d.listenChanged, true);
  assert.equal(d.workersChanged, true);
  assert.equal(d.logLevelChanged, true);
  assert.equal(d.httpApiChanged, true);
  assert.equal(d.httpServerChanged, false);
  assert.equal(d.rtmpsChanged, false);
  assert.deepEqual(d.topKeysChanged.sort(), ['http_api', 'listen', 'log', 'workers']);
  assert.deepEqual(d.vhostsChanged, []);
});

test('vhosts added, removed, and changed by top-level vhost key', () => {
  const next = cfg(`
listen: 1935
workers: 2
log: { level: info }
vhosts:
  __defaultVhost__: { forward: { enabled: true, destination: ["127.0.0.1:19350"] } }
  a: { hls: { fragment: 6 }, http_hooks: { enabled: true }, ingest: [{ id: x, input: { url: y } }] }
  c: {}
`);
  const d = diffConfig(cfg(base), next);
  assert.deepEqual(d.vhostsAdded, ['c']);
  assert.deepEqual(d.vhostsRemoved, ['b']);
  assert.deepEqual(d.vhostsChanged, [
    { name: '__defaultVhost__', keys: ['forward'] },
    { name: 'a', keys: ['hls', 'http_hooks', 'ingest'] },
  ]);
  assert.equal(d.listenChanged, false);
  assert.deepEqual(d.topKeysChanged, ['vhosts']);
});

test('http_server and rtmps changes', () => {
  const d = diffConfig(cfg(base), cfg(`${base}http_server: { dir: ./www }\nrtmps: { enabled: true }\n`));
  assert.equal(d.httpServerChanged, true);
  assert.equal(d.rtmpsChanged, true);
  assert.equal(d.listenChanged, false);
});

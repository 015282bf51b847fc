// The address an origin advertises in the cluster directory: `cluster.advertise` when
// set, else its first RTMP listen, with a wildcard host made reachable on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/index.ts';
import { advertiseOf, clusterOn } from '../../src/actors/relay/cluster-names.ts';
import type { SluiceConfig } from '../../src/config/types.ts';

function config(raw: Record<string, unknown>): SluiceConfig {
  const res = validateConfig(raw);
  assert.ok('config' in res, JSON.stringify(res));
  return res.config;
}

test('advertise: the key when set, else the first RTMP listen', () => {
  assert.equal(advertiseOf(config({ listen: [19350, 1935], cluster: { advertise: 'origin-a.example:1936' } })), 'origin-a.example:1936');
  assert.equal(advertiseOf(config({ listen: '10.1.2.3:1940' })), '10.1.2.3:1940');
  assert.equal(advertiseOf(config({ listen: 1935 })), '127.0.0.1:1935', '0.0.0.0 is not an address to dial');
  assert.equal(advertiseOf(config({ listen: '[::1]:1935' })), '[::1]:1935');
});

test('the cluster is on only with a Redis URL', () => {
  assert.equal(clusterOn(config({})), false);
  assert.equal(clusterOn(config({ cluster: { redis: 'redis://10.0.0.5:6379/2' } })), true);
});

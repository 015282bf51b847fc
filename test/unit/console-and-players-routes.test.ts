// The pure parts behind the console and the players page: which paths the API hands to
// the console's files, which paths a mount owns, the listeners' ports the pages link
// to, and the per-worker rows of /api/v1/summaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRoute } from '../../src/api/router.ts';
import { underMount } from '../../src/io/mounted-files.ts';
import { listenerPorts } from '../../src/config/listener-ports.ts';
import { validateConfig } from '../../src/config/load.ts';
import { workerRows } from '../../src/api/process-stats.ts';

test('the API hands /console and everything under /console/ to the console files, whatever the method', () => {
  for (const path of ['/console', '/console/', '/console/console.js', '/console/a/b']) {
    assert.deepEqual(matchRoute('GET', path), { kind: 'console' }, path);
  }
  assert.deepEqual(matchRoute('POST', '/console/'), { kind: 'console' }, 'the file server answers 405 itself');
  assert.deepEqual(matchRoute('OPTIONS', '/console/'), { kind: 'options' });
  assert.deepEqual(matchRoute('GET', '/consoles'), { kind: 'not-found' });
  assert.deepEqual(matchRoute('GET', '/api/v1/console'), { kind: 'not-found' });
});

test('a mount owns its prefix with and without the slash, and nothing that merely starts alike', () => {
  const m = { prefix: '/players/', root: '/x' };
  assert.equal(underMount(m, '/players'), true);
  assert.equal(underMount(m, '/players/'), true);
  assert.equal(underMount(m, '/players/vendor/hls.min.js'), true);
  assert.equal(underMount(m, '/playersx'), false);
  assert.equal(underMount(m, '/live/players.flv'), false);
});

test('listener ports: the ports of each listener, empty when it is off', () => {
  const r = validateConfig({
    listen: ['127.0.0.1:1935', 19350],
    rtmps: { enabled: false },
    http_server: { listen: 8081 },
    http_api: { enabled: false },
  });
  if ('errors' in r) assert.fail(r.errors.join('\n'));
  assert.deepEqual(listenerPorts(r.config), { rtmp: [1935, 19350], rtmps: [], http: [8081], api: [] });
});

test('worker rows: lag rounded, heap in KB, and a worker that did not answer shown as not alive', () => {
  const thread = { worker: 1, actors: 3, mailboxDepth: 0, deadLetters: 0, eventLoopLagMs: 0.123456, eventLoopLagP99Ms: 0.5, processed: 10, heapUsedBytes: 2048 * 1024, heapTotalBytes: 4096 * 1024 };
  assert.deepEqual(workerRows([{ worker: 1, up: true, thread, counters: null }, { worker: 2, up: false, thread: null, counters: null }]), [
    { worker: 1, alive: true, event_loop_lag_ms: 0.12, heap_used_kbyte: 2048, actors: 3, mailbox_depth: 0 },
    { worker: 2, alive: false, event_loop_lag_ms: null, heap_used_kbyte: null, actors: null, mailbox_depth: null },
  ]);
});

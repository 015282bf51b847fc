import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isSluiceError } from '../../src/errors.ts';
import { getWorkerData, type ActorSystem } from '../../src/runtime/index.ts';
import { startSystem } from '../fixtures/runtime/harness.ts';

let sys: ActorSystem;
before(async () => {
  sys = await startSystem({ workers: 3, workerData: { region: 'eu', n: [1, 2] } });
});
after(() => sys.shutdown(2000));

test('stats come back from every worker over the control plane', async () => {
  const echo = await sys.spawn(2, 'test/echo');
  for (let i = 0; i < 10; i++) await sys.ask(echo, { type: 'echo', v: i });
  for (let w = 0; w <= sys.workerCount; w++) {
    const s = await sys.stats(w);
    assert.equal(s.worker, w);
    for (const k of ['actors', 'mailboxDepth', 'deadLetters', 'eventLoopLagMs', 'processed'] as const) {
      assert.equal(typeof s[k], 'number', k);
      assert.ok(s[k] >= 0, k);
    }
  }
  const s2 = await sys.stats(2);
  assert.ok(s2.actors >= 1);
  assert.ok(s2.processed >= 10);
  assert.equal((await sys.stats(0)).actors >= 1, true, 'the directory lives on the main thread');
});

test('control and broadcast run registered functions; workerData reaches every thread', async () => {
  assert.equal(sys.workerCount, 3);
  const all = await sys.broadcast('test/hello', 'x');
  assert.deepEqual(
    all,
    [1, 2, 3].map((worker) => ({ worker, data: { region: 'eu', n: [1, 2] }, x: 'x' })),
  );
  assert.deepEqual(await sys.control(0, 'test/hello', 5), { worker: 0, data: { region: 'eu', n: [1, 2] }, x: 5 });
  assert.deepEqual(getWorkerData(), { region: 'eu', n: [1, 2] });
});

test('control errors keep their code; unknown names reject with CONTROL_UNKNOWN', async () => {
  await assert.rejects(sys.control(2, 'test/fail'), (e: Error & { code?: string }) => e.code === 'TEST_CONTROL' && e.message === 'control failed');
  await assert.rejects(sys.control(1, 'test/none'), (e) => isSluiceError(e, 'CONTROL_UNKNOWN'));
  await assert.rejects(sys.control(0, 'test/none'), (e) => isSluiceError(e, 'CONTROL_UNKNOWN'));
  await assert.rejects(sys.control(7, 'test/hello'), (e) => isSluiceError(e, 'ACTOR_NOT_FOUND'));
});

test('shutdown runs every stopped hook on every thread without restarts, then refuses work', async () => {
  const stops = new SharedArrayBuffer(8);
  const local = await startSystem({ workers: 2, workerData: { stops } });
  for (const w of [0, 1, 2]) {
    await local.spawn(w, 'test/echo');
    await local.spawn(w, 'test/echo', undefined, { restart: 'permanent' });
  }
  const parent = await local.spawn(1, 'test/probe');
  await local.ask(parent, { type: 'probe/spawn', worker: 2, kind: 'test/echo', opts: { restart: 'permanent' } });
  let escalated = 0;
  local.on('escalated', () => escalated++);
  await local.shutdown(2000);
  const counts = new Int32Array(stops);
  assert.equal(counts[0], 7, 'seven echo actors stopped normally');
  assert.equal(counts[1], 0);
  assert.equal(escalated, 0);
  assert.throws(() => local.tell({ worker: 1, id: 1 }, {}), (e) => isSluiceError(e, 'RUNTIME_STATE'));
});

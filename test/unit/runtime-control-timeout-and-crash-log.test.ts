import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { isSluiceError, type WorkerDiedEvent } from '../../src/runtime/index.ts';
import { once, startSystem, TEST_ACTORS } from '../fixtures/runtime/harness.ts';

const BLOCKING = new URL('../fixtures/runtime/blocking-control.ts', import.meta.url).href;

/** A pino logger whose lines land in `lines`, parsed. */
function capturedLogger(lines: Record<string, any>[]) {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}

test('a control call to a worker stuck in a loop rejects with CONTROL_TIMEOUT, and the worker answers again once free', async () => {
  const sys = await startSystem({ workers: 2, modules: [TEST_ACTORS, BLOCKING], controlTimeoutMs: 300 });
  try {
    const started = Date.now();
    await assert.rejects(sys.control(1, 'test/block', 2000), (e) => isSluiceError(e, 'CONTROL_TIMEOUT') && /worker 1: control "test\/block" after 300 ms/.test(e.message));
    const waited = Date.now() - started;
    assert.ok(waited >= 250 && waited < 1500, `rejected after ${waited} ms`);
    // stats() goes over the same control plane and is bounded the same way.
    await assert.rejects(sys.stats(1), (e) => isSluiceError(e, 'CONTROL_TIMEOUT'));
    // The other worker is not held up by the stuck one.
    assert.equal((await sys.stats(2)).worker, 2);
    // Once the loop ends, worker 1 answers again.
    await new Promise((r) => setTimeout(r, 2000 - (Date.now() - started) + 100));
    assert.equal(await sys.control(1, 'test/block', 0), 'unblocked');
  } finally {
    await sys.shutdown(2000);
  }
});

test('an uncaught exception in a worker is logged once with its reason, stack and worker number', async () => {
  const lines: Record<string, any>[] = [];
  const sys = await startSystem({ workers: 2, logger: capturedLogger(lines), logLevel: 'silent' });
  try {
    const echo = await sys.spawn(2, 'test/echo');
    const died = once<WorkerDiedEvent>(sys, 'worker-died');
    sys.tell(echo, { type: 'uncaught' });
    assert.equal((await died).worker, 2);
    const crashed = lines.filter((l) => l.msg === 'worker crashed');
    assert.equal(crashed.length, 1, JSON.stringify(lines));
    assert.equal(crashed[0]!.worker, 2);
    assert.equal(crashed[0]!.err.message, 'uncaught in test actor');
    assert.match(crashed[0]!.err.stack, /uncaught in test actor\n\s+at /);
    assert.ok(lines.some((l) => l.msg === 'worker died' && l.worker === 2), 'the exit is still logged');
  } finally {
    await sys.shutdown(2000);
  }
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isSluiceError, SluiceError } from '../../src/errors.ts';
import type { ActorSystem } from '../../src/runtime/index.ts';
import { startSystem } from '../fixtures/runtime/harness.ts';

let sys: ActorSystem;
before(async () => {
  sys = await startSystem();
});
after(() => sys.shutdown(2000));

for (const w of [0, 1, 2]) {
  test(`the system asks an actor on thread ${w} and gets its reply`, async () => {
    const echo = await sys.spawn(w, 'test/echo');
    assert.deepEqual(await sys.ask(echo, { type: 'echo', v: { a: [1, 2], s: 'x' } }), { a: [1, 2], s: 'x' });
    const who = await sys.ask<{ self: unknown; parent: unknown; worker: number }>(echo, { type: 'whoami' });
    assert.deepEqual(who.self, echo);
    assert.equal(who.parent, null);
    assert.equal(who.worker, w);
  });
}

for (const [from, to] of [
  [1, 2],
  [2, 1],
  [1, 0],
  [0, 2],
  [1, 1],
  [0, 0],
] as const) {
  test(`an actor on thread ${from} asks an actor on thread ${to}`, async () => {
    const probe = await sys.spawn(from, 'test/probe');
    const echo = await sys.spawn(to, 'test/echo');
    const res = await sys.ask(probe, { type: 'probe/ask', to: echo, msg: { type: 'echo', v: 42 } });
    assert.deepEqual(res, { ok: true, value: 42 });
  });
}

test('an ask that gets no reply in time rejects with ACTOR_ASK_TIMEOUT', async () => {
  const echo = await sys.spawn(1, 'test/echo');
  await assert.rejects(sys.ask(echo, { type: 'sleep', ms: 300 }, 50), (e) => isSluiceError(e, 'ACTOR_ASK_TIMEOUT'));
  const probe = await sys.spawn(2, 'test/probe');
  const res = await sys.ask<{ ok: boolean; code: string }>(probe, {
    type: 'probe/ask',
    to: echo,
    msg: { type: 'sleep', ms: 300 },
    timeoutMs: 50,
  });
  assert.equal(res.ok, false);
  assert.equal(res.code, 'ACTOR_ASK_TIMEOUT');
});

test('an ask to an unknown actor rejects with ACTOR_NOT_FOUND, on any thread', async () => {
  for (const w of [0, 1, 2]) {
    await assert.rejects(sys.ask({ worker: w, id: 777_777 }, { type: 'echo' }), (e) => isSluiceError(e, 'ACTOR_NOT_FOUND'));
  }
  await assert.rejects(sys.ask({ worker: 9, id: 1 }, { type: 'echo' }), (e) => isSluiceError(e, 'ACTOR_NOT_FOUND'));
});

test('a failing ask rejects the asker with the error code and message', async () => {
  for (const w of [0, 1]) {
    const echo = await sys.spawn(w, 'test/echo');
    await assert.rejects(sys.ask(echo, { type: 'boom' }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'TEST_BOOM');
      assert.equal(e.message, 'boom');
      return true;
    });
    const echo2 = await sys.spawn(w, 'test/echo');
    await assert.rejects(sys.ask(echo2, { type: 'boom-async' }), /boom-async/);
  }
});

test('an actor stopped before it replies rejects the ask with ACTOR_STOPPED', async () => {
  for (const w of [0, 2]) {
    const echo = await sys.spawn(w, 'test/echo');
    const pending = sys.ask(echo, { type: 'sleep', ms: 2000 });
    const queued = sys.ask(echo, { type: 'echo', v: 1 });
    await new Promise((r) => setTimeout(r, 30));
    sys.stop(echo);
    await assert.rejects(pending, (e) => isSluiceError(e, 'ACTOR_STOPPED'));
    await assert.rejects(queued, (e) => isSluiceError(e, 'ACTOR_STOPPED'));
  }
});

test('an actor that stops itself still replies to the ask it was handling', async () => {
  const echo = await sys.spawn(1, 'test/echo');
  assert.equal(await sys.ask(echo, { type: 'stop-self' }), 'bye');
  await assert.rejects(sys.ask(echo, { type: 'echo', v: 1 }), (e) => isSluiceError(e, 'ACTOR_NOT_FOUND'));
});

test('spawning an unknown kind or a failing factory rejects', async () => {
  await assert.rejects(sys.spawn(1, 'test/nope'), (e) => isSluiceError(e, 'ACTOR_UNKNOWN_KIND'));
  await assert.rejects(sys.spawn(0, 'test/nope'), (e) => e instanceof SluiceError && e.code === 'ACTOR_UNKNOWN_KIND');
  await assert.rejects(sys.spawn(2, 'test/bad-factory'), /cannot build/);
});

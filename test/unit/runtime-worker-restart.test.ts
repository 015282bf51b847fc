import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSluiceError } from '../../src/errors.ts';
import type { ActorRef, ActorRespawnedEvent, WorkerDiedEvent, WorkerRestartedEvent } from '../../src/runtime/index.ts';
import { once, startSystem, waitFor } from '../fixtures/runtime/harness.ts';

type Got = { type: string; reason?: string; child?: ActorRef; previous?: ActorRef; ref?: ActorRef; restarting?: boolean };

for (const how of ['exit', 'uncaught'] as const) {
  test(`a worker that dies by ${how} is restarted and its actors reported`, async () => {
    const sys = await startSystem({ workers: 3 });
    try {
      const acceptor = await sys.spawn(1, 'test/echo', undefined, { restart: 'permanent' });
      const victim = await sys.spawn(1, 'test/echo');
      const killer = await sys.spawn(1, 'test/echo');
      const p2 = await sys.spawn(2, 'test/probe');
      const child = await sys.ask<ActorRef>(p2, { type: 'probe/spawn', worker: 1, kind: 'test/echo' });
      await sys.ask(p2, { type: 'probe/watch', ref: victim });
      const p0 = await sys.spawn(0, 'test/probe');
      await sys.ask(p0, { type: 'probe/watch', ref: acceptor });
      const supervised = await sys.ask<ActorRef>(p0, { type: 'probe/spawn', worker: 1, kind: 'test/echo', opts: { restart: 'permanent' } });
      const pending = sys.ask(victim, { type: 'sleep', ms: 5000 }, 8000);
      const pendingFromWorker = sys.ask<{ ok: boolean; code: string }>(p2, { type: 'probe/ask', to: victim, msg: { type: 'sleep', ms: 5000 }, timeoutMs: 8000 });
      await new Promise((r) => setTimeout(r, 20));

      const died = once<WorkerDiedEvent>(sys, 'worker-died');
      const restarted = once<WorkerRestartedEvent>(sys, 'worker-restarted');
      const respawned = once<ActorRespawnedEvent>(sys, 'actor-respawned');
      sys.tell(killer, { type: how }); // the victim is busy sleeping

      const d = await died;
      assert.equal(d.worker, 1);
      assert.equal(d.restarting, true);
      await assert.rejects(pending, (e) => isSluiceError(e, 'WORKER_DIED'));
      assert.equal((await pendingFromWorker).code, 'WORKER_DIED');

      const got2 = await waitFor<Got>(sys, p2, (g) => g.some((m) => m.type === 'sys/child-stopped') && g.some((m) => m.type === 'sys/down'));
      const stopped = got2.find((m) => m.type === 'sys/child-stopped')!;
      assert.deepEqual(stopped.child, child);
      assert.equal(stopped.reason, 'worker-died');
      assert.equal(stopped.restarting, undefined, 'a temporary child is not spawned again');
      const down = got2.find((m) => m.type === 'sys/down')!;
      assert.deepEqual(down.ref, victim);
      assert.equal(down.reason, 'worker-died');
      const got0 = await waitFor<Got>(sys, p0, (g) => g.some((m) => m.type === 'sys/down') && g.some((m) => m.type === 'sys/child-restarted'));
      assert.equal(got0.find((m) => m.type === 'sys/down')!.reason, 'worker-died');
      const lost = got0.find((m) => m.type === 'sys/child-stopped')!;
      assert.equal(lost.restarting, true);
      const again = got0.find((m) => m.type === 'sys/child-restarted')!;
      assert.deepEqual(again.previous, supervised);
      assert.equal(again.child!.worker, 1);
      assert.equal(await sys.ask(again.child!, { type: 'echo', v: 'supervised back' }), 'supervised back');

      const r = await respawned;
      assert.deepEqual(r.previous, acceptor);
      assert.equal(r.child.worker, 1);
      assert.notEqual(r.child.id, acceptor.id, 'a new incarnation has new ids');
      assert.equal(await sys.ask(r.child, { type: 'echo', v: 'back' }), 'back');
      assert.equal((await restarted).worker, 1);

      await assert.rejects(sys.ask(acceptor, { type: 'echo' }), (e) => isSluiceError(e, 'ACTOR_NOT_FOUND'));
      const fresh = await sys.spawn(1, 'test/echo');
      const viaW2 = await sys.ask(p2, { type: 'probe/ask', to: fresh, msg: { type: 'echo', v: 7 } });
      assert.deepEqual(viaW2, { ok: true, value: 7 }, 'worker 2 reaches the new worker 1');
      const fromNew = await sys.spawn(1, 'test/probe');
      const back = await sys.ask(fromNew, { type: 'probe/ask', to: p2, msg: { type: 'probe/get' } });
      assert.equal((back as { ok: boolean }).ok, true, 'the new worker 1 reaches worker 2');
      assert.equal((await sys.stats(1)).worker, 1);
    } finally {
      await sys.shutdown(2000);
    }
  });
}

test('a worker that dies past its restart budget stays dead', async () => {
  const sys = await startSystem({ workers: 2, workerRestart: { maxRestarts: 1, withinMs: 60_000 } });
  try {
    let ref = await sys.spawn(1, 'test/echo');
    let died = once<WorkerDiedEvent>(sys, 'worker-died');
    const restarted = once<WorkerRestartedEvent>(sys, 'worker-restarted');
    sys.tell(ref, { type: 'exit' });
    assert.equal((await died).restarting, true);
    await restarted;
    ref = await sys.spawn(1, 'test/echo');
    died = once<WorkerDiedEvent>(sys, 'worker-died');
    sys.tell(ref, { type: 'exit' });
    assert.equal((await died).restarting, false);
    await assert.rejects(sys.spawn(1, 'test/echo'), (e) => isSluiceError(e, 'WORKER_DIED'));
    await assert.rejects(sys.control(1, 'test/hello'), (e) => isSluiceError(e, 'WORKER_DIED'));
    const other = await sys.spawn(2, 'test/echo');
    assert.equal(await sys.ask(other, { type: 'echo', v: 1 }), 1, 'the other worker goes on');
  } finally {
    await sys.shutdown(2000);
  }
});

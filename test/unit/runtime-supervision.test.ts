import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ActorRef, ActorSystem, ChildRestarted, ChildStopped, EscalatedEvent } from '../../src/runtime/index.ts';
import { once, startSystem, waitFor } from '../fixtures/runtime/harness.ts';

let sys: ActorSystem;
before(async () => {
  sys = await startSystem();
});
after(() => sys.shutdown(2000));

type Got = { type: string; reason?: string; child?: ActorRef; self?: ActorRef; escalated?: boolean; error?: { code?: string; message: string } };

for (const [parentWorker, childWorker] of [
  [1, 1],
  [0, 2],
  [2, 1],
] as const) {
  test(`a throwing actor on thread ${childWorker} is stopped, its parent on ${parentWorker} told, its neighbour goes on`, async () => {
    const parent = await sys.spawn(parentWorker, 'test/probe');
    const child = await sys.ask<ActorRef>(parent, {
      type: 'probe/spawn',
      worker: childWorker === parentWorker ? undefined : childWorker,
      kind: 'test/echo',
      args: { notify: parent },
    });
    const neighbour = await sys.spawn(childWorker, 'test/echo');
    sys.tell(child, { type: 'boom' });
    const got = await waitFor<Got>(sys, parent, (g) => g.some((m) => m.type === 'sys/child-stopped'));
    const stopped = got.find((m) => m.type === 'echo/stopped')!;
    assert.equal(stopped.reason, 'error', 'the stopped hook ran with reason error');
    const note = got.find((m) => m.type === 'sys/child-stopped') as unknown as ChildStopped;
    assert.deepEqual(note.child, child);
    assert.equal(note.kind, 'test/echo');
    assert.equal(note.reason, 'error');
    assert.deepEqual(note.error, { code: 'TEST_BOOM', message: 'boom', name: 'Error' });
    assert.equal(await sys.ask(neighbour, { type: 'echo', v: 'still here' }), 'still here');
    await assert.rejects(sys.ask(child, { type: 'echo', v: 1 }), /no actor with that ref/);
  });
}

test('a permanent actor is restarted with the same ref within its budget, then escalates', async () => {
  const parent = await sys.spawn(1, 'test/probe');
  const child = await sys.ask<ActorRef>(parent, {
    type: 'probe/spawn',
    kind: 'test/echo',
    args: { notify: parent },
    opts: { restart: 'permanent', maxRestarts: 2, withinMs: 10_000 },
  });
  for (let i = 1; i <= 2; i++) {
    sys.tell(child, { type: 'boom' });
    await waitFor<Got>(sys, parent, (g) => g.filter((m) => m.type === 'sys/child-restarted').length === i);
    assert.equal(await sys.ask(child, { type: 'echo', v: i }), i, 'same ref answers after the restart');
  }
  sys.tell(child, { type: 'boom' });
  const got = await waitFor<Got>(sys, parent, (g) => g.some((m) => m.type === 'sys/child-stopped'));
  const restarts = got.filter((m) => m.type === 'sys/child-restarted') as unknown as ChildRestarted[];
  assert.equal(restarts.length, 2);
  assert.deepEqual(restarts[0]!.child, child);
  assert.equal(restarts[0]!.reason, 'error');
  assert.equal(got.filter((m) => m.type === 'echo/started').length, 3);
  const final = got.find((m) => m.type === 'sys/child-stopped') as unknown as ChildStopped;
  assert.equal(final.escalated, true);
  assert.equal(final.reason, 'error');
  await assert.rejects(sys.ask(child, { type: 'echo', v: 1 }), /no actor with that ref/);
});

test('a permanent actor restarts after stopping itself but not when its parent stops it', async () => {
  const parent = await sys.spawn(2, 'test/probe');
  const child = await sys.ask<ActorRef>(parent, {
    type: 'probe/spawn',
    kind: 'test/echo',
    args: { notify: parent },
    opts: { restart: 'permanent' },
  });
  assert.equal(await sys.ask(child, { type: 'stop-self' }), 'bye');
  await waitFor<Got>(sys, parent, (g) => g.some((m) => m.type === 'sys/child-restarted' && m.reason === 'normal'));
  assert.equal(await sys.ask(child, { type: 'echo', v: 'back' }), 'back');
  await sys.ask(parent, { type: 'probe/stop', ref: child });
  const got = await waitFor<Got>(sys, parent, (g) => g.some((m) => m.type === 'sys/child-stopped' && m.child?.id === child.id));
  const final = got.find((m) => m.type === 'sys/child-stopped')!;
  assert.equal(final.reason, 'normal');
  assert.equal(final.escalated, undefined);
  assert.equal(got.filter((m) => m.type === 'echo/started').length, 2, 'not started again');
  await assert.rejects(sys.ask(child, { type: 'echo', v: 1 }), /no actor with that ref/);
  const transient = await sys.ask<ActorRef>(parent, {
    type: 'probe/spawn',
    kind: 'test/echo',
    opts: { restart: 'transient' },
  });
  assert.equal(await sys.ask(transient, { type: 'stop-self' }), 'bye');
  await waitFor<Got>(sys, parent, (g) => g.some((m) => m.type === 'sys/child-stopped' && m.child?.id === transient.id));
});

test('stopping a parent stops its children, local and remote, without restarting them', async () => {
  const watcher = await sys.spawn(0, 'test/probe');
  const parent = await sys.spawn(1, 'test/probe');
  const local = await sys.ask<ActorRef>(parent, { type: 'probe/spawn', kind: 'test/echo', args: { notify: watcher }, opts: { restart: 'permanent' } });
  const remote = await sys.ask<ActorRef>(parent, { type: 'probe/spawn', worker: 2, kind: 'test/echo', args: { notify: watcher }, opts: { restart: 'permanent' } });
  sys.stop(parent);
  const got = await waitFor<Got>(sys, watcher, (g) => g.filter((m) => m.type === 'echo/stopped').length === 2);
  assert.deepEqual(
    got.filter((m) => m.type === 'echo/stopped').map((m) => m.self!.id).sort(),
    [local.id, remote.id].sort(),
  );
  await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(sys.ask(local, { type: 'echo' }));
  await assert.rejects(sys.ask(remote, { type: 'echo' }));
});

test('a system-spawned permanent actor that uses up its budget emits escalated', async () => {
  const child = await sys.spawn(2, 'test/echo', undefined, { restart: 'permanent', maxRestarts: 1, withinMs: 10_000 });
  const escalated = once<EscalatedEvent>(sys, 'escalated');
  sys.tell(child, { type: 'boom' });
  assert.equal(await sys.ask(child, { type: 'echo', v: 1 }), 1);
  sys.tell(child, { type: 'boom' });
  const ev = await escalated;
  assert.deepEqual(ev.child, child);
  assert.equal(ev.reason, 'error');
  assert.equal(ev.error?.code, 'TEST_BOOM');
});

test('watchers hear sys/down when the actor stops, and not-found for a gone actor', async () => {
  const watcher = await sys.spawn(1, 'test/probe');
  const target = await sys.spawn(2, 'test/echo');
  const local = await sys.spawn(1, 'test/echo');
  await sys.ask(watcher, { type: 'probe/watch', ref: target });
  await sys.ask(watcher, { type: 'probe/watch', ref: local });
  await sys.ask(watcher, { type: 'probe/watch', ref: { worker: 2, id: 123_456 } });
  sys.stop(target);
  sys.tell(local, { type: 'boom' });
  const got = await waitFor<Got & { ref: ActorRef }>(sys, watcher, (g) => g.filter((m) => m.type === 'sys/down').length === 3);
  const byId = new Map(got.map((m) => [m.ref.id, m.reason]));
  assert.equal(byId.get(target.id), 'normal');
  assert.equal(byId.get(local.id), 'error');
  assert.equal(byId.get(123_456), 'not-found');
});

test('schedule and every bring timers back as messages', async () => {
  const probe = await sys.spawn(1, 'test/probe');
  // The probe's own context is not reachable from here, so use a one-off actor kind on main.
  const { registerActor } = await import('../../src/runtime/index.ts');
  registerActor('test/timer', (args: { to: ActorRef }, ctx) => {
    ctx.schedule(10, { type: 'once' });
    const cancel = ctx.every(5, { type: 'tick' });
    let ticks = 0;
    return {
      receive(msg: { type: string }) {
        if (msg.type === 'tick' && ++ticks === 3) cancel();
        ctx.tell(args.to, msg);
      },
    };
  });
  await sys.spawn(0, 'test/timer', { to: probe });
  const got = await waitFor<Got>(sys, probe, (g) => g.some((m) => m.type === 'once') && g.filter((m) => m.type === 'tick').length >= 3);
  await new Promise((r) => setTimeout(r, 40));
  const later = await sys.ask<Got[]>(probe, { type: 'probe/get' });
  assert.equal(later.filter((m) => m.type === 'tick').length, 3, 'every() stops after cancel');
  assert.ok(got.length >= 4);
});

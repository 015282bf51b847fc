import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DIRECTORY_REF, type ActorRef, type ActorSystem, type DirListRes, type WorkerRestartedEvent } from '../../src/runtime/index.ts';
import { once, startSystem, waitFor } from '../fixtures/runtime/harness.ts';

let sys: ActorSystem;
before(async () => {
  sys = await startSystem();
});
after(() => sys.shutdown(2000));

type Got = { type: string; name?: string; entry?: unknown };

test('register, lookup, list and unregister; a name has one owner', async () => {
  const a = await sys.spawn(1, 'test/echo');
  const b = await sys.spawn(2, 'test/echo');
  const sab = new SharedArrayBuffer(16);
  new Int32Array(sab)[0] = 42;
  assert.deepEqual(await sys.ask(DIRECTORY_REF, { type: 'dir/register', name: 'live/a', entry: { ring: sab }, owner: a }), { ok: true, subscribers: 0 });
  const clash = await sys.ask<{ ok: false; existing: { ring: SharedArrayBuffer } }>(DIRECTORY_REF, { type: 'dir/register', name: 'live/a', entry: 2, owner: b });
  assert.equal(clash.ok, false);
  assert.equal(new Int32Array(clash.existing.ring)[0], 42);
  const found = await sys.ask<{ entry: { ring: SharedArrayBuffer } }>(DIRECTORY_REF, { type: 'dir/lookup', name: 'live/a' });
  new Int32Array(found.entry.ring)[1] = 7;
  assert.equal(new Int32Array(sab)[1], 7, 'the entry shares its SharedArrayBuffer');
  assert.deepEqual(await sys.ask(DIRECTORY_REF, { type: 'dir/lookup', name: 'live/none' }), { entry: null });
  const list = await sys.ask<DirListRes>(DIRECTORY_REF, { type: 'dir/list' });
  assert.deepEqual(list.map((r) => [r.name, r.owner]), [['live/a', a]]);
  assert.deepEqual(await sys.ask(DIRECTORY_REF, { type: 'dir/unregister', name: 'live/a', owner: b }), { ok: false });
  assert.deepEqual(await sys.ask(DIRECTORY_REF, { type: 'dir/unregister', name: 'live/a', owner: a }), { ok: true });
  assert.deepEqual(await sys.ask(DIRECTORY_REF, { type: 'dir/lookup', name: 'live/a' }), { entry: null });
});

test('a subscriber that asks before the publisher exists hears appeared and disappeared', async () => {
  const player = await sys.spawn(2, 'test/probe');
  await sys.ask(player, { type: 'probe/tell', to: DIRECTORY_REF, msg: { type: 'dir/subscribe', name: 'live/b', subscriber: player } });
  const publisher = await sys.spawn(1, 'test/echo');
  await sys.ask(DIRECTORY_REF, { type: 'dir/register', name: 'live/b', entry: { n: 1 }, owner: publisher });
  await waitFor<Got>(sys, player, (g) => g.some((m) => m.type === 'dir/appeared'));
  const late = await sys.spawn(1, 'test/probe');
  sys.tell(DIRECTORY_REF, { type: 'dir/subscribe', name: 'live/b', subscriber: late });
  const lateGot = await waitFor<Got>(sys, late, (g) => g.length > 0);
  assert.deepEqual(lateGot[0], { type: 'dir/appeared', name: 'live/b', entry: { n: 1 } }, 'told at once when already registered');
  sys.stop(publisher);
  const got = await waitFor<Got>(sys, player, (g) => g.some((m) => m.type === 'dir/disappeared'));
  assert.deepEqual(
    got.map((m) => m.type),
    ['dir/appeared', 'dir/disappeared'],
  );
  assert.deepEqual(await sys.ask(DIRECTORY_REF, { type: 'dir/lookup', name: 'live/b' }), { entry: null }, 'unregistered when its owner stopped');
});

test('unsubscribed and stopped subscribers hear nothing more', async () => {
  const s1 = await sys.spawn(1, 'test/probe');
  const s2 = await sys.spawn(2, 'test/probe');
  sys.tell(DIRECTORY_REF, { type: 'dir/subscribe', name: 'live/c', subscriber: s1 });
  sys.tell(DIRECTORY_REF, { type: 'dir/subscribe', name: 'live/c', subscriber: s2 });
  sys.tell(DIRECTORY_REF, { type: 'dir/unsubscribe', name: 'live/c', subscriber: s1 });
  sys.stop(s2);
  const owner = await sys.spawn(0, 'test/echo');
  await sys.ask(DIRECTORY_REF, { type: 'dir/register', name: 'live/c', entry: 1, owner });
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(await sys.ask(s1, { type: 'probe/get' }), []);
  const statsBefore = await sys.stats(2);
  assert.equal(typeof statsBefore.deadLetters, 'number');
});

test('the names of actors on a worker that dies are unregistered', async () => {
  const owner = await sys.spawn(1, 'test/echo');
  const killer = await sys.spawn(1, 'test/echo');
  const watcher = await sys.spawn(2, 'test/probe');
  sys.tell(DIRECTORY_REF, { type: 'dir/subscribe', name: 'live/d', subscriber: watcher });
  await sys.ask(DIRECTORY_REF, { type: 'dir/register', name: 'live/d', entry: 'x', owner });
  const restarted = once<WorkerRestartedEvent>(sys, 'worker-restarted');
  sys.tell(killer, { type: 'exit' });
  const got = await waitFor<Got>(sys, watcher, (g) => g.some((m) => m.type === 'dir/disappeared'));
  assert.deepEqual(got.at(-1), { type: 'dir/disappeared', name: 'live/d' });
  assert.deepEqual(await sys.ask(DIRECTORY_REF, { type: 'dir/lookup', name: 'live/d' }), { entry: null });
  await restarted;
  const again: ActorRef = await sys.spawn(1, 'test/echo');
  assert.deepEqual(await sys.ask(DIRECTORY_REF, { type: 'dir/register', name: 'live/d', entry: 'y', owner: again }), { ok: true, subscribers: 1 }, 'the watcher still waits for the name');
});

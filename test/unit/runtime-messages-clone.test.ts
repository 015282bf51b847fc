// Every message type of the runtime crosses threads by structured clone: check each survives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActorRef, DirectoryMsg, DirAppeared, DirDisappeared, SystemMessage } from '../../src/runtime/index.ts';
import type { Envelope } from '../../src/runtime/wire.ts';

const ref: ActorRef = { worker: 2, id: 2 ** 32 + 5 };
const owner: ActorRef = { worker: 1, id: 9 };

const system: SystemMessage[] = [
  { type: 'sys/child-stopped', child: ref, kind: 'k', reason: 'normal' },
  { type: 'sys/child-stopped', child: ref, kind: 'k', reason: 'error', error: { code: 'X', message: 'm', name: 'Error' }, escalated: true },
  { type: 'sys/child-stopped', child: ref, kind: 'k', reason: 'worker-died', restarting: true },
  { type: 'sys/child-restarted', child: ref, previous: owner, kind: 'k', reason: 'worker-died' },
  { type: 'sys/down', ref, reason: 'not-found' },
];
const directory: (DirectoryMsg | DirAppeared | DirDisappeared)[] = [
  { type: 'dir/register', name: 'live/a', entry: { ring: new SharedArrayBuffer(8), n: 1 }, owner },
  { type: 'dir/unregister', name: 'live/a', owner },
  { type: 'dir/lookup', name: 'live/a' },
  { type: 'dir/list' },
  { type: 'dir/subscribe', name: 'live/a', subscriber: ref },
  { type: 'dir/unsubscribe', name: 'live/a', subscriber: ref },
  { type: 'dir/appeared', name: 'live/a', entry: [1, 'two'] },
  { type: 'dir/disappeared', name: 'live/a' },
];
const envelopes: Envelope[] = [
  { k: 'tell', to: 3, m: { type: 'x' } },
  { k: 'ask', to: 3, m: { type: 'x' }, ask: 1 },
  { k: 'reply', ask: 1, ok: true, v: new Uint8Array([1, 2]) },
  { k: 'reply', ask: 1, ok: false, e: { code: 'ACTOR_STOPPED', message: 'stopped' } },
  { k: 'spawn', req: 1, kind: 'k', args: { a: 1 }, opts: { restart: 'permanent', maxRestarts: 2, withinMs: 10, name: 'n' }, parent: 0 },
  { k: 'spawned', req: 1, ok: true, id: 4 },
  { k: 'spawned', req: 1, ok: false, e: { message: 'no' } },
  { k: 'stop', to: 3, by: owner },
  { k: 'watch', to: 3, watcher: 4 },
  { k: 'unwatch', to: 3, watcher: 4 },
  { k: 'sys', to: 0, m: system[1]! },
];

for (const msg of [...system, ...directory, ...envelopes]) {
  const tag = 'type' in msg ? msg.type : `envelope ${msg.k}`;
  test(`${tag} round-trips through structuredClone`, () => {
    assert.deepEqual(structuredClone(msg), msg);
  });
}

test('a SharedArrayBuffer in an entry stays shared after cloning', () => {
  const entry = { ring: new SharedArrayBuffer(8) };
  const copy = structuredClone(entry);
  new Uint8Array(copy.ring)[0] = 9;
  assert.equal(new Uint8Array(entry.ring)[0], 9);
});

// The runtime's shared directory with a store that a test can take away and bring back
// empty (as a Redis restart without persistence does): claims belong to owner actors on
// any thread and end with them; a name held elsewhere is refused; while the store is
// away claims are granted locally and lookups say so; when it returns, every claim is
// stored again by itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  MemoryDirectoryBackend, SHARED_DIRECTORY_REF,
  type ActorSystem, type ClaimResult, type DirectoryBackend, type SdirClaimRes, type SdirListRes, type SdirLookupRes,
} from '../../src/runtime/index.ts';
import { startSystem } from '../fixtures/runtime/harness.ts';

/** A memory store that can go away (calls fail) and come back empty. */
class FlakyBackend implements DirectoryBackend {
  store = new MemoryDirectoryBackend();
  available = true;
  private readonly listeners: ((up: boolean) => void)[] = [];
  private check(): void {
    if (!this.available) throw new Error('store away');
  }
  setAvailable(up: boolean): void {
    if (up) this.store = new MemoryDirectoryBackend();
    this.available = up;
    for (const l of this.listeners) l(up);
  }
  onAvailability(l: (up: boolean) => void): void {
    this.listeners.push(l);
  }
  async claim(n: string, v: string, t: number): Promise<ClaimResult> { this.check(); return this.store.claim(n, v, t); }
  async refresh(n: string, v: string, t: number) { this.check(); return this.store.refresh(n, v, t); }
  async release(n: string, v: string) { this.check(); return this.store.release(n, v); }
  async lookup(n: string) { this.check(); return this.store.lookup(n); }
  async list() { this.check(); return this.store.list(); }
  async announce(m: string, i: string, t: number) { this.check(); return this.store.announce(m, i, t); }
  async withdraw(m: string) { this.check(); return this.store.withdraw(m); }
  async members() { this.check(); return this.store.members(); }
  async close() {}
}

const backend = new FlakyBackend();
let sys: ActorSystem;
before(async () => {
  sys = await startSystem({ workers: 1, sharedDirectory: { backend, ttlMs: 600, member: 'me:1935' } });
});
after(() => sys.shutdown(2000));

const claim = (name: string, value: string, owner: { worker: number; id: number }) =>
  sys.ask<SdirClaimRes>(SHARED_DIRECTORY_REF, { type: 'sdir/claim', name, value, owner });
const lookup = (name: string) => sys.ask<SdirLookupRes>(SHARED_DIRECTORY_REF, { type: 'sdir/lookup', name });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a claim lives with its owner, is refreshed past the ttl, and ends when the owner stops', async () => {
  const owner = await sys.spawn(1, 'test/echo');
  assert.deepEqual(await claim('v/live/a', 'me:1935', owner), { ok: true, stored: true });
  assert.deepEqual(await claim('v/live/a', 'me:1935', owner), { ok: true, stored: true }, 'the same owner again');
  const other = await sys.spawn(1, 'test/echo');
  assert.deepEqual(await claim('v/live/a', 'me:1935', other), { ok: false, holder: 'me:1935' }, 'another owner here: busy');
  await sleep(1000); // past the 600 ms ttl: refreshed every 200 ms
  assert.equal(await backend.store.lookup('v/live/a'), 'me:1935');
  sys.stop(owner);
  for (let i = 0; i < 50 && (await backend.store.lookup('v/live/a')) !== null; i++) await sleep(20);
  assert.equal(await backend.store.lookup('v/live/a'), null, 'released when the owner stopped');
  assert.deepEqual(await lookup('v/live/a'), { value: null, available: true });
});

test('a name another member holds is refused and looked up', async () => {
  await backend.store.claim('v/live/b', 'other:1935', 60_000);
  const owner = await sys.spawn(1, 'test/echo');
  assert.deepEqual(await claim('v/live/b', 'me:1935', owner), { ok: false, holder: 'other:1935' });
  assert.deepEqual(await lookup('v/live/b'), { value: 'other:1935', available: true });
  const list = await sys.ask<SdirListRes>(SHARED_DIRECTORY_REF, { type: 'sdir/list' });
  assert.deepEqual(list.names, [{ key: 'v/live/b', value: 'other:1935' }]);
});

test('this member is announced with its info once given', async () => {
  sys.tell(SHARED_DIRECTORY_REF, { type: 'sdir/info', info: { load: 1 } });
  for (let i = 0; i < 50 && (await backend.store.members()).length === 0; i++) await sleep(20);
  const list = await sys.ask<SdirListRes>(SHARED_DIRECTORY_REF, { type: 'sdir/list' });
  assert.deepEqual(list.members, [{ member: 'me:1935', info: { load: 1 } }]);
});

test('store away: claims granted locally, lookups unavailable; back empty: claims stored again', async () => {
  const owner = await sys.spawn(1, 'test/echo');
  assert.deepEqual(await claim('v/live/c', 'me:1935', owner), { ok: true, stored: true });
  backend.setAvailable(false);
  await sleep(50);
  assert.deepEqual(await claim('v/live/d', 'me:1935', owner), { ok: true, stored: false });
  assert.deepEqual(await lookup('v/live/elsewhere'), { value: null, available: false });
  assert.deepEqual(await lookup('v/live/d'), { value: 'me:1935', available: true }, 'our own claims are known here');
  backend.setAvailable(true); // a new, empty store
  for (let i = 0; i < 50 && (await backend.store.lookup('v/live/d')) === null; i++) await sleep(20);
  assert.equal(await backend.store.lookup('v/live/c'), 'me:1935');
  assert.equal(await backend.store.lookup('v/live/d'), 'me:1935');
  assert.equal((await backend.store.members()).length, 1, 'the member announced again');
});

test('leave releases every claim and withdraws the member', async () => {
  await sys.ask(SHARED_DIRECTORY_REF, { type: 'sdir/leave' });
  assert.equal(await backend.store.lookup('v/live/c'), null);
  assert.deepEqual(await backend.store.members(), []);
});

test('the memory store expires what is not refreshed', async () => {
  let now = 1000;
  const m = new MemoryDirectoryBackend(() => now);
  assert.deepEqual(await m.claim('n', 'a', 100), { ok: true });
  assert.deepEqual(await m.claim('n', 'b', 100), { ok: false, holder: 'a' });
  now += 100;
  assert.deepEqual(await m.claim('n', 'b', 100), { ok: true }, 'expired: free again');
  await m.release('n', 'a');
  assert.equal(await m.lookup('n'), 'b', 'only the holder releases');
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ActorSystem } from '../../src/runtime/index.ts';
import { startSystem, waitFor } from '../fixtures/runtime/harness.ts';

let sys: ActorSystem;
before(async () => {
  sys = await startSystem();
});
after(() => sys.shutdown(2000));

const N = 1000;

async function sendAndCheck(senderWorker: number, receiverWorker: number): Promise<void> {
  const sender = await sys.spawn(senderWorker, 'test/probe');
  const receiver = await sys.spawn(receiverWorker, 'test/probe');
  await sys.ask(sender, { type: 'probe/send-seq', to: receiver, n: N });
  const got = await waitFor<{ i: number }>(sys, receiver, (g) => g.length >= N);
  assert.deepEqual(
    got.map((m) => m.i),
    Array.from({ length: N }, (_, i) => i),
  );
}

test('1000 messages keep their order within the main thread', () => sendAndCheck(0, 0));
test('1000 messages keep their order within a worker', () => sendAndCheck(1, 1));
test('1000 messages keep their order from main to a worker', () => sendAndCheck(0, 1));
test('1000 messages keep their order from a worker to main', () => sendAndCheck(2, 0));
test('1000 messages keep their order from worker to worker', () => sendAndCheck(1, 2));

test('tells from the system keep their order', async () => {
  const receiver = await sys.spawn(2, 'test/probe');
  for (let i = 0; i < N; i++) sys.tell(receiver, { type: 'seq', i });
  const got = await waitFor<{ i: number }>(sys, receiver, (g) => g.length >= N);
  assert.deepEqual(
    got.map((m) => m.i),
    Array.from({ length: N }, (_, i) => i),
  );
});

test('a tell to an unknown actor is dropped and counted as a dead letter', async () => {
  const before = (await sys.stats(1)).deadLetters;
  sys.tell({ worker: 1, id: 999_999 }, { type: 'lost' });
  const sender = await sys.spawn(2, 'test/probe');
  await sys.ask(sender, { type: 'probe/tell', to: { worker: 1, id: 999_998 }, msg: { type: 'lost' } });
  for (let i = 0; i < 100; i++) {
    if ((await sys.stats(1)).deadLetters >= before + 2) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('dead letters not counted');
});

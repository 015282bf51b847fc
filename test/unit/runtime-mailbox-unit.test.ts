import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isSluiceError, SluiceError } from '../../src/errors.ts';
import { Mailbox } from '../../src/runtime/mailbox.ts';
import { RestartBudget } from '../../src/runtime/restart-budget.ts';
import { deserializeError, serializeError } from '../../src/runtime/wire.ts';
import { ActorSystem, registerActor, type ActorContext } from '../../src/runtime/index.ts';

test('the mailbox is a FIFO of (message, ask, reply worker) under any push/shift mix', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 5000 })), { maxLength: 5000 }), (ops) => {
      const mb = new Mailbox();
      const model: number[] = [];
      for (const op of ops) {
        if (op >= 0) {
          mb.push({ v: op }, op % 3, op % 5);
          model.push(op);
        } else if (model.length > 0) {
          const want = model.shift()!;
          assert.deepEqual(mb.peekMsg(), { v: want });
          assert.equal(mb.peekAsk(), want % 3);
          assert.equal(mb.peekReplyWorker(), want % 5);
          mb.shift();
        }
        assert.equal(mb.length, model.length);
      }
      const asks: number[] = [];
      mb.drain((ask) => asks.push(ask));
      assert.deepEqual(asks, model.map((v) => v % 3).filter((a) => a !== 0));
      assert.equal(mb.length, 0);
    }),
    { numRuns: 50 },
  );
});

test('the restart budget allows max restarts within the window, then again after it', () => {
  const b = new RestartBudget(2, 1000);
  assert.equal(b.take(0), true);
  assert.equal(b.take(10), true);
  assert.equal(b.take(20), false);
  assert.equal(b.take(1001), true, 'the first restart left the window');
  assert.equal(b.take(1002), false);
});

test('errors cross threads with their code and message', () => {
  const e = deserializeError(serializeError(new SluiceError('ACTOR_STOPPED', 'x')));
  assert.ok(isSluiceError(e, 'ACTOR_STOPPED'));
  assert.equal(e.message, 'the actor stopped before it replied: x');
  const custom = deserializeError(serializeError(Object.assign(new TypeError('bad'), { code: 'E_BAD' })));
  assert.equal((custom as Error & { code?: string }).code, 'E_BAD');
  assert.equal(custom.name, 'TypeError');
  assert.equal(deserializeError(serializeError('plain string')).message, 'plain string');
});

test('a system with no workers runs actors on the main thread alone, in order, never re-entrant', async () => {
  const trace: string[] = [];
  registerActor('test/reentrancy', (_args, ctx: ActorContext) => ({
    receive(msg: { type: string; n: number }) {
      trace.push(`in ${msg.n}`);
      if (msg.n < 3) ctx.tell(ctx.self, { type: 'x', n: msg.n + 1 });
      trace.push(`out ${msg.n}`);
      return msg.n;
    },
  }));
  const sys = new ActorSystem({ workers: 0, logLevel: 'silent' });
  await sys.start();
  try {
    const ref = await sys.spawn(0, 'test/reentrancy');
    sys.tell(ref, { type: 'x', n: 1 });
    assert.equal(await sys.ask(ref, { type: 'x', n: 10 }), 10);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(trace, ['in 1', 'out 1', 'in 10', 'out 10', 'in 2', 'out 2', 'in 3', 'out 3']);
    await assert.rejects(sys.spawn(1, 'test/reentrancy'), (e) => isSluiceError(e, 'ACTOR_NOT_FOUND'));
  } finally {
    await sys.shutdown(1000);
  }
});

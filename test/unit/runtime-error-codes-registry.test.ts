import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { errorCodeText, isSluiceError, registerErrorCodes, SluiceError, type ActorSystem } from '../../src/runtime/index.ts';
import { startSystem, TEST_ACTORS } from '../fixtures/runtime/harness.ts';

const SHOP = new URL('../fixtures/runtime/custom-error-codes.ts', import.meta.url).href;

let sys: ActorSystem;
before(async () => {
  sys = await startSystem({ workers: 2, modules: [TEST_ACTORS, SHOP] });
});
after(() => sys.shutdown(2000));

test('an embedder code thrown by an actor on a worker arrives as a SluiceError with its code, text and detail', async () => {
  const shop = await sys.spawn(2, 'test/shop');
  await assert.rejects(sys.ask(shop, { type: 'buy', card: '4242' }), (e: unknown) => {
    assert.ok(e instanceof SluiceError, String(e));
    assert.equal(e.code, 'SHOP_CARD_DECLINED');
    assert.equal(e.message, 'the card was declined: card 4242');
    assert.equal(e.detail, 'card 4242');
    return true;
  });
});

test('an embedder code thrown by a control function crosses the control plane the same way', async () => {
  await assert.rejects(sys.control(1, 'test/stock', 'kettle'), (e) => isSluiceError(e, 'SHOP_OUT_OF_STOCK') && e.detail === 'kettle');
});

test('the runtime codes still cross threads as SluiceErrors', async () => {
  await assert.rejects(sys.control(2, 'test/none'), (e) => isSluiceError(e, 'CONTROL_UNKNOWN') && e.detail === 'test/none');
});

test('a code this thread never registered arrives as a plain Error that keeps the code', async () => {
  const echo = await sys.spawn(1, 'test/echo');
  await assert.rejects(sys.ask(echo, { type: 'boom' }), (e: Error & { code?: string }) => {
    assert.ok(!(e instanceof SluiceError));
    assert.equal(e.code, 'TEST_BOOM');
    return true;
  });
});

test('registering is idempotent for the same text and refuses a second meaning or a malformed code', () => {
  registerErrorCodes({ SHOP_CARD_DECLINED: 'the card was declined' });
  assert.equal(errorCodeText('SHOP_CARD_DECLINED'), 'the card was declined');
  assert.throws(() => registerErrorCodes({ SHOP_CARD_DECLINED: 'something else' }), (e) => isSluiceError(e, 'ERROR_CODE'));
  assert.throws(() => registerErrorCodes({ WORKER_DIED: 'redefined' }), (e) => isSluiceError(e, 'ERROR_CODE'));
  assert.throws(() => registerErrorCodes({ 'shop-lower': 'bad form' }), (e) => isSluiceError(e, 'ERROR_CODE'));
  assert.equal(errorCodeText('shop-lower'), undefined);
  assert.equal(errorCodeText('WORKER_DIED'), 'the worker thread hosting the actor died');
});

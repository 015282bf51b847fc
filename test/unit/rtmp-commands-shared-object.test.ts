import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SharedObjectEventType, decodeSharedObject } from '../../src/net/rtmp/shared-object.ts';
import { isSluiceError } from '../../src/errors.ts';
import { fromHex } from '../helpers/bytes.ts';

// name "so", version 1, persistent (2), reserved, then Use (empty) and Change {x: 1} (AMF0 key/value)
const so = '0002 736f 00000001 00000002 00000000 01 00000000 04 0000000c 0001 78 00 3ff0000000000000';

test('shared object messages parse down to their events', () => {
  assert.deepStrictEqual(decodeSharedObject(fromHex(so), false), {
    name: 'so',
    version: 1,
    persistent: true,
    events: [
      { type: SharedObjectEventType.Use, data: new Uint8Array(0) },
      { type: SharedObjectEventType.Change, data: fromHex('0001 78 00 3ff0000000000000') },
    ],
  });
  const transient = decodeSharedObject(fromHex('0000 00000000 00000000 00000000'), false);
  assert.deepStrictEqual(transient, { name: '', version: 0, persistent: false, events: [] });
});

test('AMF3 shared object messages (type 16) may carry a format selector', () => {
  assert.equal(decodeSharedObject(fromHex('00' + so), true).name, 'so');
  assert.equal(decodeSharedObject(fromHex(so), true).name, 'so');
});

test('broken shared object messages are RTMP_MESSAGE', () => {
  const full = fromHex(so);
  for (let cut = 0; cut < full.length; cut++) {
    // Cuts on an event boundary are complete messages with fewer events.
    if (cut === 16 || cut === 21) continue;
    assert.throws(() => decodeSharedObject(full.subarray(0, cut), false), (e) => isSluiceError(e, 'RTMP_MESSAGE'), `cut ${cut}`);
  }
  assert.throws(() => decodeSharedObject(fromHex('0000 00000000 00000000 00000000 0c 00000000'), false), (e) => isSluiceError(e, 'RTMP_MESSAGE'));
  assert.throws(() => decodeSharedObject(fromHex('0000 00000000 00000000 00000000 04 ffffffff 00'), false), (e) => isSluiceError(e, 'RTMP_MESSAGE'));
});

test('random shared object bytes parse or throw SluiceError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (b, amf3) => {
      try {
        decodeSharedObject(b, amf3);
      } catch (e) {
        assert.ok(isSluiceError(e), String(e));
      }
    }),
    { numRuns: 3000 },
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAmf0, decodeAmf0Value, encodeAmf0 } from '../../src/net/amf/amf0.ts';
import { ecmaArray, typedObject } from '../../src/net/amf/amf-types.ts';
import { isSluiceError } from '../../src/errors.ts';
import { fromHex } from '../helpers/bytes.ts';

const isCode = (code: 'AMF_DECODE' | 'AMF_DEPTH') => (e: unknown) => isSluiceError(e, code);

function repeat(h: string, n: number, tail = ''): Uint8Array {
  return fromHex(h.repeat(n) + tail);
}

test('AMF0 refuses reserved, stray and unknown markers', () => {
  for (const h of ['04', '0e', '09', '12', 'ff', '03 0001 61 09']) {
    assert.throws(() => decodeAmf0(fromHex(h)), isCode('AMF_DECODE'), h);
  }
});

test('AMF0 depth bomb: 20,000 nested objects and arrays are refused quickly', () => {
  const bombs = [
    repeat('03 0001 61', 20000), // objects
    repeat('0a 00000001', 20000, '05'), // strict arrays
    repeat('08 00000001 0001 61', 20000), // ECMA arrays
    repeat('10 0001 43 0001 61', 20000), // typed objects
    repeat('11 09 03 01', 20000, '01'), // AMF3 arrays behind the switch
  ];
  for (const b of bombs) {
    const t0 = performance.now();
    assert.throws(() => decodeAmf0(b), isCode('AMF_DEPTH'));
    assert.ok(performance.now() - t0 < 200);
  }
});

test('AMF0 depth limit: 64 levels pass by default, the limit is configurable', () => {
  const nested = (n: number): Uint8Array => repeat('0a 00000001', n, '05');
  assert.equal(decodeAmf0(nested(64)).length, 1);
  assert.throws(() => decodeAmf0(nested(65)), isCode('AMF_DEPTH'));
  assert.throws(() => decodeAmf0(nested(3), { maxDepth: 2 }), isCode('AMF_DEPTH'));
  assert.equal(decodeAmf0Value(nested(3), 0, { maxDepth: 3 }).next, 5 * 3 + 1);
  // A huge limit is clamped below the native stack limit rather than overflowing it.
  assert.throws(() => decodeAmf0(nested(50000), { maxDepth: 1e9 }), isCode('AMF_DEPTH'));
  assert.throws(() => decodeAmf0(nested(65), { maxDepth: NaN }), isCode('AMF_DEPTH'));
  assert.throws(() => decodeAmf0(nested(65), { maxDepth: -1 }), isCode('AMF_DEPTH'));
  assert.throws(() => decodeAmf0(nested(1), { maxDepth: 0 }), isCode('AMF_DEPTH'));
});

test('AMF0 strict array claiming 2^32-1 elements is refused without allocating', () => {
  const t0 = performance.now();
  assert.throws(() => decodeAmf0(fromHex('0a ffffffff 05 05')), isCode('AMF_DECODE'));
  assert.throws(() => decodeAmf0(fromHex('02 ffff 61')), isCode('AMF_DECODE'));
  assert.throws(() => decodeAmf0(fromHex('0c ffffffff 61')), isCode('AMF_DECODE'));
  assert.throws(() => decodeAmf0(fromHex('0f ffffffff 61')), isCode('AMF_DECODE'));
  assert.ok(performance.now() - t0 < 100);
  // An ECMA array's count is a hint: a huge one with a proper end marker is fine.
  assert.deepStrictEqual(decodeAmf0(fromHex('08 ffffffff 000009')), [ecmaArray({})]);
});

test('AMF0 __proto__ keys stay data and pollute nothing', () => {
  // {"__proto__": {"polluted": true}} as an object, an ECMA array and a typed object
  for (const marker of ['03', '08 00000001', '10 0001 43']) {
    const [v] = decodeAmf0(fromHex(`${marker} 0009 5f5f70726f746f5f5f 03 0008 706f6c6c75746564 01 01 000009 000009`));
    const obj = v as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(obj), Object.prototype);
    assert.equal(obj['polluted'], undefined);
    assert.deepStrictEqual(Object.keys(obj), ['__proto__']);
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value, { polluted: true });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    // And it encodes back as a key.
    assert.deepStrictEqual(decodeAmf0(encodeAmf0(obj))[0], obj);
  }
  const t = typedObject('C', {});
  assert.equal(Object.getPrototypeOf(t), Object.prototype);
});

test('AMF0 references: unknown index and cycles are refused, sharing is kept', () => {
  assert.throws(() => decodeAmf0(fromHex('07 0000')), isCode('AMF_DECODE'));
  assert.throws(() => decodeAmf0(fromHex('03 0001 61 07 0000 000009')), isCode('AMF_DECODE'));
  assert.throws(() => decodeAmf0(fromHex('0a 00000001 07 0000')), isCode('AMF_DECODE'));
  // References to finished siblings are fine.
  const [arr, again] = decodeAmf0(fromHex('0a 00000002 03 000009 07 0001 07 0000'));
  assert.ok(Array.isArray(arr));
  assert.equal(arr[0], arr[1]);
  assert.equal(again, arr);
});

test('AMF0 references that expand exponentially are refused', () => {
  // Each level is a strict array holding the previous level twice: 2^40 nodes if traversed.
  let h = '0a 00000002 05 05'; // level 0: [null, null], ref index 0
  for (let i = 1; i <= 40; i++) h += ` 0a 00000002 07 ${(i - 1).toString(16).padStart(4, '0')} 07 ${(i - 1).toString(16).padStart(4, '0')}`;
  const t0 = performance.now();
  assert.throws(() => decodeAmf0(fromHex(h)), isCode('AMF_DECODE'));
  assert.ok(performance.now() - t0 < 500);
});

test('AMF0 random bytes decode or throw SluiceError, never anything else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      try {
        decodeAmf0(b);
      } catch (e) {
        assert.ok(isSluiceError(e), String(e));
      }
    }),
    { numRuns: 5000 },
  );
});

test('AMF0 mutated valid encodings decode or throw SluiceError', () => {
  const seed = encodeAmf0(
    'connect', 1,
    { app: 'live', tcUrl: 'rtmp://h/live', n: [1, 'x', null, { d: new Date(5) }] },
    ecmaArray({ width: 1280, ok: true }), typedObject('T', { u: undefined }), new Uint8Array([9, 9]),
  );
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      fc.nat(seed.length),
      (edits, cut) => {
        const b = seed.slice(0, Math.max(1, cut));
        for (const [i, v] of edits) if (i < b.length) b[i] = v;
        try {
          decodeAmf0(b);
        } catch (e) {
          assert.ok(isSluiceError(e), String(e));
        }
      },
    ),
    { numRuns: 5000 },
  );
});

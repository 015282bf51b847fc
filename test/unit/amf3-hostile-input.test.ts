import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAmf3 } from '../../src/net/amf/amf3.ts';
import { encodeAmf3 } from '../../src/net/amf/amf3-encode.ts';
import { decodeAmf0 } from '../../src/net/amf/amf0.ts';
import { AmfObjectVector, ecmaArray, typedObject } from '../../src/net/amf/amf-types.ts';
import { isSluiceError } from '../../src/errors.ts';
import { fromHex } from '../helpers/bytes.ts';

const isCode = (code: 'AMF_DECODE' | 'AMF_DEPTH') => (e: unknown) => isSluiceError(e, code);

test('AMF3 depth bomb: 20,000 nested arrays, objects, vectors, dictionaries are refused quickly', () => {
  const bombs = [
    '09 03 01'.repeat(20000) + '01', // arrays of one element
    '0a 0b 01 03 61'.repeat(20000), // dynamic objects {a: ...}
    '10 03 00 01'.repeat(20000), // Vector.<Object> of one
    '11 03 00 01'.repeat(20000), // Dictionary {null: ...}
  ];
  for (const h of bombs) {
    const t0 = performance.now();
    assert.throws(() => decodeAmf3(fromHex(h)), isCode('AMF_DEPTH'));
    assert.ok(performance.now() - t0 < 200);
  }
  assert.equal(decodeAmf3(fromHex('09 03 01'.repeat(64) + '01')).length, 1);
  assert.throws(() => decodeAmf3(fromHex('09 03 01'.repeat(65) + '01')), isCode('AMF_DEPTH'));
});

test('AMF3 absurd counts and lengths are refused without allocating', () => {
  const t0 = performance.now();
  for (const h of [
    '09 ffffffff 01', // dense array of 2^28-1
    '06 ffffffff', // string
    '0c ffffffff', // ByteArray
    '0d ffffffff 00', // Vector.<int>
    '0f ffffffff 00', // Vector.<Number>
    '10 ffffffff 00 01', // Vector.<Object>
    '11 ffffffff 00', // Dictionary
    '0a fffffff3 01', // traits with 2^24 sealed members
    '07 ffffffff', // XML
  ]) {
    assert.throws(() => decodeAmf3(fromHex(h)), isCode('AMF_DECODE'), h);
  }
  assert.ok(performance.now() - t0 < 100);
});

test('AMF3 bad references, unknown markers and externalizable objects are AMF_DECODE', () => {
  for (const h of [
    '06 02', // string ref 1 of an empty table
    '06 00', // string ref 0 of an empty table (the empty string is never in it)
    '0a 00', // object ref 0 of an empty table
    '0a 01', // traits ref 0 of an empty table
    '0a 07 03 43', // externalizable
    '09 03 01 09 00', // array containing itself
    '0a 0b 01 03 61 0a 00 01', // object containing itself
    '08 01 0000000000000000 0c 00', // ByteArray ref to a Date
    '0c 03 07 0d 00', // Vector.<int> ref to a ByteArray
    '12',
    'ff',
  ]) {
    assert.throws(() => decodeAmf3(fromHex(h)), isCode('AMF_DECODE'), h);
  }
});

test('AMF3 references that expand exponentially are refused', () => {
  // Level i: an array holding level i-1 twice (object table index i-1).
  let h = '09 05 01 01 01';
  for (let i = 1; i <= 40; i++) {
    const ref = ((i - 1) << 1).toString(16).padStart(2, '0');
    h += i - 1 < 64 ? ` 09 05 01 09 ${ref} 09 ${ref}` : '';
  }
  assert.throws(() => decodeAmf3(fromHex(h)), isCode('AMF_DECODE'));
  // String references are charged too: a 1 KiB string referenced a million times.
  const s = 'x'.repeat(1024);
  const many = new Uint8Array(encodeAmf3(s).length + 2 * 600000);
  many.set(encodeAmf3(s));
  for (let i = encodeAmf3(s).length; i < many.length; i += 2) many.set([0x06, 0x00], i);
  assert.throws(() => decodeAmf3(many), isCode('AMF_DECODE'));
});

test('AMF3 __proto__ keys (dynamic, sealed, associative) stay data', () => {
  const proto = '13 5f5f70726f746f5f5f'; // "__proto__"
  for (const h of [
    `0a 0b 01 ${proto} 0a 0b 01 05 706f 03 01 01`, // dynamic member
    `0a 13 03 43 ${proto} 0a 0b 01 05 706f 03 01`, // sealed member of typed C
    `09 01 ${proto} 0a 0b 01 05 706f 03 01 01`, // associative array key
  ]) {
    const [v] = decodeAmf3(fromHex(h)) as [Record<string, unknown>];
    assert.equal(Object.getPrototypeOf(v), Object.prototype, h);
    assert.equal(v['po'], undefined);
    assert.deepStrictEqual(Object.keys(v), ['__proto__']);
    assert.deepStrictEqual(decodeAmf3(encodeAmf3(v)), [v]);
  }
  assert.equal(({} as Record<string, unknown>)['po'], undefined);
});

test('AMF3 associative keys a JS array cannot hold ("length", numerals) decode into an ECMA object', () => {
  // one dense item, associative {length: 5, "3": 1}
  const [v] = decodeAmf3(fromHex('09 03 0d 6c656e677468 04 05 03 33 04 01 01 06 03 61'));
  assert.deepStrictEqual(v, ecmaArray({ length: 5, '3': 1, '0': 'a' }));
});

test('AMF3 random bytes decode or throw SluiceError, never anything else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      try {
        decodeAmf3(b);
      } catch (e) {
        assert.ok(isSluiceError(e), String(e));
      }
      try {
        decodeAmf0(Uint8Array.of(0x11, ...b));
      } catch (e) {
        assert.ok(isSluiceError(e), String(e));
      }
    }),
    { numRuns: 5000 },
  );
});

test('AMF3 mutated valid encodings decode or throw SluiceError', () => {
  const o = { a: 1 };
  const seed = encodeAmf3(
    [o, o, 'str', 'str', -5, 1e10],
    typedObject('Foo', { x: 1, y: new Date(3) }), typedObject('Foo', { x: 2, y: null }),
    ecmaArray({ k: [1], j: new Uint8Array([1, 2, 3]) }),
    new Map([[o, new Int32Array([1, 2])]]), new AmfObjectVector('Foo', [o]),
  );
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      fc.nat(seed.length),
      (edits, cut) => {
        const b = seed.slice(0, Math.max(1, cut));
        for (const [i, v] of edits) if (i < b.length) b[i] = v;
        try {
          decodeAmf3(b);
        } catch (e) {
          assert.ok(isSluiceError(e), String(e));
        }
      },
    ),
    { numRuns: 5000 },
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAmf0, decodeAmf0Value, encodeAmf0 } from '../../src/net/amf/amf0.ts';
import {
  AmfObjectVector,
  AmfXml,
  classNameOf,
  ecmaArray,
  isEcmaArray,
  typedObject,
} from '../../src/net/amf/amf-types.ts';
import { isSluiceError } from '../../src/errors.ts';
import { fromHex, toHex } from '../helpers/bytes.ts';

interface Row {
  name: string;
  hex: string;
  value: unknown;
  /** Only decoded (the encoder picks another form for the value). */
  decodeOnly?: boolean;
}

const longString = 'a'.repeat(65536);
const sharedObj = { x: 1 };

const table: Row[] = [
  { name: 'number 0', hex: '00 0000000000000000', value: 0 },
  { name: 'number 1.5', hex: '00 3ff8000000000000', value: 1.5 },
  { name: 'number -0', hex: '00 8000000000000000', value: -0 },
  { name: 'number NaN', hex: '00 7ff8000000000000', value: NaN },
  { name: 'true', hex: '01 01', value: true },
  { name: 'false', hex: '01 00', value: false },
  { name: 'boolean non-zero byte', hex: '01 07', value: true, decodeOnly: true },
  { name: 'string', hex: '02 0003 616263', value: 'abc' },
  { name: 'empty string', hex: '02 0000', value: '' },
  { name: 'utf-8 string', hex: '02 0005 c3a9e282ac', value: 'é€' },
  { name: 'string keeps a BOM', hex: '02 0003 efbbbf', value: '\ufeff' },
  { name: 'object', hex: '03 0001 61 00 3ff0000000000000 0001 62 05 000009', value: { a: 1, b: null } },
  { name: 'empty object', hex: '03 000009', value: {} },
  { name: 'object with empty key', hex: '03 0000 01 01 000009', value: { '': true } },
  { name: 'null', hex: '05', value: null },
  { name: 'undefined', hex: '06', value: undefined },
  { name: 'unsupported', hex: '0d', value: undefined, decodeOnly: true },
  { name: 'ecma array', hex: '08 00000001 0001 6b 02 0001 76 000009', value: ecmaArray({ k: 'v' }) },
  { name: 'ecma array with a wrong count', hex: '08 00000000 0001 6b 01 01 000009', value: ecmaArray({ k: true }), decodeOnly: true },
  { name: 'strict array', hex: '0a 00000002 00 3ff0000000000000 02 0001 61', value: [1, 'a'] },
  { name: 'empty strict array', hex: '0a 00000000', value: [] },
  { name: 'date', hex: '0b 4272cec79e400000 0000', value: new Date(1292457600000) },
  { name: 'date with a time zone', hex: '0b 0000000000000000 ff88', value: new Date(0), decodeOnly: true },
  { name: 'long string', hex: '0c 00010000' + '61'.repeat(65536), value: longString },
  { name: 'short long string', hex: '0c 00000002 6869', value: 'hi', decodeOnly: true },
  { name: 'xml document', hex: '0f 00000004 3c612f3e', value: new AmfXml('<a/>') },
  { name: 'typed object', hex: '10 0003 466f6f 0001 78 05 000009', value: typedObject('Foo', { x: null }) },
  { name: 'reference', hex: '0a 00000002 03 0001 78 00 3ff0000000000000 000009 07 0001', value: [sharedObj, sharedObj] },
  { name: 'avmplus integer', hex: '11 04 05', value: 5, decodeOnly: true },
  { name: 'avmplus ByteArray', hex: '11 0c 05 0102', value: new Uint8Array([1, 2]) },
  { name: 'avmplus Dictionary', hex: '11 11 03 00 06 03 6b 04 01', value: new Map([['k', 1]]) },
  { name: 'avmplus Vector.<int>', hex: '11 0d 03 00 ffffffff', value: new Int32Array([-1]) },
  { name: 'avmplus Vector.<Object>', hex: '11 10 03 00 03 2a 01', value: new AmfObjectVector('*', [null]) },
];

test('AMF0 table: bytes decode to the value', () => {
  for (const row of table) {
    const b = fromHex(row.hex);
    const { value, next } = decodeAmf0Value(b, 0);
    assert.deepStrictEqual(value, row.value, row.name);
    assert.equal(next, b.length, row.name);
  }
});

test('AMF0 table: the value encodes to the bytes', () => {
  for (const row of table) {
    if (row.decodeOnly) continue;
    assert.equal(toHex(encodeAmf0(row.value)), row.hex.replace(/\s+/g, ''), row.name);
  }
});

test('AMF0 table: every cut short of the end is AMF_DECODE', () => {
  for (const row of table) {
    const b = fromHex(row.hex);
    // Long strings: a handful of cuts is enough.
    const step = b.length > 1000 ? 4099 : 1;
    for (let cut = 0; cut < b.length; cut += step) {
      assert.throws(() => decodeAmf0Value(b.subarray(0, cut), 0), (e) => isSluiceError(e, 'AMF_DECODE'), `${row.name} cut at ${cut}`);
    }
  }
});

test('AMF0 decodes at an offset and decodes every value of a buffer', () => {
  const b = fromHex('ff ff 02 0001 61 05 01 01');
  assert.deepStrictEqual(decodeAmf0Value(b, 2), { value: 'a', next: 6 });
  assert.deepStrictEqual(decodeAmf0(b.subarray(2)), ['a', null, true]);
  assert.deepStrictEqual(decodeAmf0(new Uint8Array(0)), []);
});

test('AMF0 markers survive decoding: ECMA array, typed object', () => {
  const [ecma, typed] = decodeAmf0(fromHex('08 00000000 000009 10 0001 43 000009'));
  assert.ok(isEcmaArray(ecma));
  assert.equal(classNameOf(typed), 'C');
  assert.equal(isEcmaArray({}), false);
  assert.equal(classNameOf({}), undefined);
  // Markers are invisible to keys and JSON.
  assert.deepStrictEqual(Object.keys(ecma as object), []);
  assert.equal(JSON.stringify(typed), '{}');
});

test('AMF0 references resolve to the same object across values', () => {
  const o = { a: 1 };
  const b = encodeAmf0(o, o);
  assert.equal(toHex(b), '03000161003ff0000000000000000009' + '070000');
  const [x, y] = decodeAmf0(b);
  assert.equal(x, y);
});

test('AMF0 encode refuses values with no AMF form', () => {
  for (const v of [() => 1, Symbol('s'), 10n, { f: () => 1 }, [Symbol('x')], new Set([1]), new Float32Array(1)]) {
    assert.throws(() => encodeAmf0(v), (e) => isSluiceError(e, 'AMF_ENCODE'));
  }
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  assert.throws(() => encodeAmf0(cyclic), (e) => isSluiceError(e, 'AMF_ENCODE'));
  assert.throws(() => encodeAmf0({ ['k'.repeat(70000)]: 1 }), (e) => isSluiceError(e, 'AMF_ENCODE'));
});

test('AMF0 encodes a UTF-8 length, not a UTF-16 one, for the string form choice', () => {
  // 30,000 three-byte characters: 90,000 bytes, so a long string although .length < 65536.
  const s = '€'.repeat(30000);
  const b = encodeAmf0(s);
  assert.equal(b[0], 0x0c);
  assert.equal(decodeAmf0(b)[0], s);
  const pair = '😀'; // a surrogate pair is 4 bytes, a lone surrogate becomes U+FFFD (3 bytes)
  assert.equal(toHex(encodeAmf0(pair)), '020004f09f9880');
  assert.equal(toHex(encodeAmf0('\ud800')), '020003efbfbd');
});

test('AMF0 round-trips JSON-like values', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      assert.deepStrictEqual(decodeAmf0(encodeAmf0(v)), [v]);
    }),
    { numRuns: 500 },
  );
});

test('AMF0 round-trips marked values (ECMA arrays, typed objects, dates) inside JSON-like ones', () => {
  const leaf = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.date({ noInvalidDate: true }));
  const marked = fc.oneof(
    fc.dictionary(fc.string(), leaf, { noNullPrototype: true }).map((o) => ecmaArray(o)),
    fc.tuple(fc.string({ minLength: 1 }), fc.dictionary(fc.string(), leaf, { noNullPrototype: true })).map(([c, o]) => typedObject(c, o)),
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(leaf, marked)), (vs) => {
      const out = decodeAmf0(encodeAmf0(...vs));
      assert.deepStrictEqual(out, vs);
      vs.forEach((v, i) => {
        assert.equal(isEcmaArray(out[i]), isEcmaArray(v));
        assert.equal(classNameOf(out[i]), classNameOf(v));
      });
    }),
    { numRuns: 300 },
  );
});

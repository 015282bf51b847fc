import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAmf3, decodeAmf3Value, encodeAmf3 } from '../../src/net/amf/amf3.ts';
import {
  AmfObjectVector,
  AmfXml,
  classNameOf,
  ecmaArray,
  fixedVector,
  isEcmaArray,
  isFixedVector,
  typedObject,
} from '../../src/net/amf/amf-types.ts';
import { isSluiceError } from '../../src/errors.ts';
import { fromHex, toHex } from '../helpers/bytes.ts';

interface Row {
  name: string;
  hex: string;
  /** Values encoded together (reference tables shared), decoded back as a list. */
  values: unknown[];
  decodeOnly?: boolean;
}

const shared = {};
const foo1 = typedObject('Foo', { x: 1 });
const foo2 = typedObject('Foo', { x: 2 });

const table: Row[] = [
  { name: 'undefined', hex: '00', values: [undefined] },
  { name: 'null', hex: '01', values: [null] },
  { name: 'false', hex: '02', values: [false] },
  { name: 'true', hex: '03', values: [true] },
  { name: 'int 0', hex: '04 00', values: [0] },
  { name: 'int 0x7f', hex: '04 7f', values: [0x7f] },
  { name: 'int 0x80', hex: '04 8100', values: [0x80] },
  { name: 'int 0x3fff', hex: '04 ff7f', values: [0x3fff] },
  { name: 'int 0x4000', hex: '04 818000', values: [0x4000] },
  { name: 'int 0x1fffff', hex: '04 ffff7f', values: [0x1fffff] },
  { name: 'int 0x200000', hex: '04 80c08000', values: [0x200000] },
  { name: 'int 0xfffffff (largest)', hex: '04 bfffffff', values: [0xfffffff] },
  { name: 'int -1', hex: '04 ffffffff', values: [-1] },
  { name: 'int -0x10000000 (smallest)', hex: '04 c0808000', values: [-0x10000000] },
  { name: 'int -129', hex: '04 ffffff7f', values: [-129] },
  { name: '0x10000000 is a double', hex: '05 41b0000000000000', values: [0x10000000] },
  { name: '-0x10000001 is a double', hex: '05 c1b0000001000000', values: [-0x10000001] },
  { name: '-0 is a double', hex: '05 8000000000000000', values: [-0] },
  { name: 'double 1.5', hex: '05 3ff8000000000000', values: [1.5] },
  { name: 'double as integral value', hex: '05 4000000000000000', values: [2], decodeOnly: true },
  { name: 'string', hex: '06 07 616263', values: ['abc'] },
  { name: 'empty string (never referenced)', hex: '06 01 06 01', values: ['', ''] },
  { name: 'string reference', hex: '06 05 6162 06 07 636465 06 00 06 02', values: ['ab', 'cde', 'ab', 'cde'] },
  { name: 'xml document', hex: '07 09 3c612f3e', values: [new AmfXml('<a/>')] },
  { name: 'e4x xml', hex: '0b 09 3c612f3e', values: [new AmfXml('<a/>', true)] },
  { name: 'date', hex: '08 01 4272cec79e400000', values: [new Date(1292457600000)] },
  { name: 'dense array', hex: '09 05 01 04 01 06 03 61', values: [[1, 'a']] },
  { name: 'empty array', hex: '09 01 01', values: [[]] },
  { name: 'ecma array (associative only)', hex: '09 01 03 6b 04 01 01', values: [ecmaArray({ k: 1 })] },
  {
    name: 'array with dense and associative parts',
    hex: '09 03 03 6b 04 01 01 04 07',
    values: [ecmaArray({ k: 1, '0': 7 })],
    decodeOnly: true,
  },
  { name: 'anonymous object', hex: '0a 0b 01 03 61 04 01 01', values: [{ a: 1 }] },
  { name: 'typed sealed object', hex: '0a 23 07 466f6f 03 78 03 79 04 01 04 02', values: [typedObject('Foo', { x: 1, y: 2 })] },
  {
    name: 'typed object with sealed and dynamic members',
    hex: '0a 1b 03 43 03 61 04 01 03 62 04 02 01',
    values: [typedObject('C', { a: 1, b: 2 })],
    decodeOnly: true,
  },
  { name: 'trait reference', hex: '0a 13 07 466f6f 03 78 04 01 0a 01 04 02', values: [foo1, foo2] },
  { name: 'object reference', hex: '09 05 01 0a 0b 01 01 0a 02', values: [[shared, shared]] },
  { name: 'ByteArray', hex: '0c 05 0102', values: [new Uint8Array([1, 2])] },
  { name: 'Vector.<int>', hex: '0d 05 00 00000001 ffffffff', values: [new Int32Array([1, -1])] },
  { name: 'Vector.<uint>', hex: '0e 03 01 ffffffff', values: [fixedVector(new Uint32Array([0xffffffff]))] },
  { name: 'Vector.<Number>', hex: '0f 03 00 3ff0000000000000', values: [new Float64Array([1])] },
  { name: 'Vector.<Object>', hex: '10 05 01 03 2a 04 01 01', values: [new AmfObjectVector('*', [1, null], true)] },
  { name: 'Dictionary', hex: '11 05 00 06 03 6b 04 01 04 02 03', values: [new Map<unknown, unknown>([['k', 1], [2, true]])] },
  { name: 'Dictionary with weak keys', hex: '11 03 01 04 01 04 02', values: [new Map([[1, 2]])], decodeOnly: true },
];

test('AMF3 table: bytes decode to the values', () => {
  for (const row of table) assert.deepStrictEqual(decodeAmf3(fromHex(row.hex)), row.values, row.name);
});

test('AMF3 table: values encode to the bytes', () => {
  for (const row of table) {
    if (row.decodeOnly) continue;
    assert.equal(toHex(encodeAmf3(...row.values)), row.hex.replace(/\s+/g, ''), row.name);
  }
});

test('AMF3 table: every cut of a single value short of its end is AMF_DECODE', () => {
  for (const row of table) {
    if (row.values.length !== 1) continue;
    const b = fromHex(row.hex);
    for (let cut = 0; cut < b.length; cut++) {
      assert.throws(() => decodeAmf3Value(b.subarray(0, cut), 0), (e) => isSluiceError(e, 'AMF_DECODE'), `${row.name} at ${cut}`);
    }
    assert.equal(decodeAmf3Value(b, 0).next, b.length, row.name);
  }
});

test('AMF3 references keep identity and markers survive', () => {
  const [arr] = decodeAmf3(fromHex('09 05 01 0a 0b 01 01 0a 02')) as [unknown[]];
  assert.equal(arr[0], arr[1]);
  const [vec] = decodeAmf3(fromHex('0e 03 01 00000001'));
  assert.ok(isFixedVector(vec));
  const [typed, ecma] = decodeAmf3(fromHex('0a 03 03 43 09 01 03 6b 01 01'));
  assert.equal(classNameOf(typed), 'C');
  assert.ok(isEcmaArray(ecma));
  // Date and ByteArray references
  const [d1, d2] = decodeAmf3(fromHex('08 01 0000000000000000 08 00'));
  assert.equal(d1, d2);
  const [b1, b2] = decodeAmf3(fromHex('0c 03 07 0c 00'));
  assert.equal(b1, b2);
});

test('AMF3 ByteArray is a copy, not a view of the input', () => {
  const input = fromHex('0c 05 0102');
  const [b] = decodeAmf3(input) as [Uint8Array];
  input[2] = 0xff;
  assert.deepStrictEqual(b, new Uint8Array([1, 2]));
});

test('AMF3 encode refuses what it cannot carry', () => {
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  for (const v of [() => 1, Symbol('s'), 1n, { '': 1 }, ecmaArray({ '': 1 }), cyclic, new Set(), new Int16Array(2)]) {
    assert.throws(() => encodeAmf3(v), (e) => isSluiceError(e, 'AMF_ENCODE'));
  }
  // Typed objects seal their keys, so an empty key is fine there.
  const t = typedObject('T', { '': 1 });
  assert.deepStrictEqual(decodeAmf3(encodeAmf3(t)), [t]);
});

const hasEmptyKey = (v: unknown): boolean =>
  typeof v === 'object' && v !== null &&
  (Array.isArray(v) ? v.some(hasEmptyKey) : Object.keys(v).some((k) => k === '' || hasEmptyKey((v as Record<string, unknown>)[k])));

test('AMF3 round-trips JSON-like values (objects without empty keys)', () => {
  fc.assert(
    fc.property(fc.array(fc.jsonValue(), { maxLength: 4 }), (vs) => {
      fc.pre(!hasEmptyKey(vs));
      assert.deepStrictEqual(decodeAmf3(encodeAmf3(...vs)), vs);
    }),
    { numRuns: 500 },
  );
});

test('AMF3 round-trips its own types, repeated values included', () => {
  const key = fc.string({ minLength: 1 });
  const leaf = fc.oneof(
    fc.jsonValue({ maxDepth: 1 }).filter((v) => !hasEmptyKey(v)),
    fc.date({ noInvalidDate: true }),
    fc.uint8Array({ maxLength: 8 }),
    fc.array(fc.integer(), { maxLength: 4 }).map((a) => new Int32Array(a)),
    fc.array(fc.double(), { maxLength: 4 }).map((a) => new Float64Array(a)),
    fc.string().map((s) => new AmfXml(s)),
  );
  const node = fc.oneof(
    leaf,
    // An empty ECMA array has the bytes of [] and comes back as [] (documented).
    fc.dictionary(key, leaf, { noNullPrototype: true, minKeys: 1 }).map((o) => ecmaArray(o)),
    fc.tuple(key, fc.dictionary(fc.string(), leaf, { noNullPrototype: true })).map(([c, o]) => typedObject(c, o)),
    fc.array(fc.tuple(leaf, leaf), { maxLength: 3 }).map((es) => new Map(es)),
    fc.tuple(key, fc.array(leaf, { maxLength: 3 }), fc.boolean()).map(([c, items, f]) => new AmfObjectVector(c, items, f)),
  );
  fc.assert(
    fc.property(fc.array(node, { maxLength: 5 }), (vs) => {
      const twice = [...vs, ...vs];
      const out = decodeAmf3(encodeAmf3(twice));
      assert.deepStrictEqual(out, [twice]);
    }),
    { numRuns: 300 },
  );
});

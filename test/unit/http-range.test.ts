import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { contentRange, parseRange } from '../../src/net/http/range.ts';

type Expect = { start: number; end: number } | 'unsatisfiable' | null;
const TABLE: ReadonlyArray<readonly [string | undefined, number, Expect]> = [
  [undefined, 1000, null],
  ['', 1000, null],
  ['bytes=0-99', 1000, { start: 0, end: 99 }],
  ['bytes=0-0', 1000, { start: 0, end: 0 }],
  ['bytes=100-', 1000, { start: 100, end: 999 }],
  ['bytes=-100', 1000, { start: 900, end: 999 }],
  ['bytes=-5000', 1000, { start: 0, end: 999 }], // suffix longer than the file: all of it
  ['bytes=500-5000', 1000, { start: 500, end: 999 }], // end clamped
  ['bytes=999-999', 1000, { start: 999, end: 999 }],
  ['bytes=999-', 1000, { start: 999, end: 999 }],
  ['bytes=1000-', 1000, 'unsatisfiable'],
  ['bytes=1000-1001', 1000, 'unsatisfiable'],
  ['bytes=5000-6000', 1000, 'unsatisfiable'],
  ['bytes=-0', 1000, 'unsatisfiable'],
  ['bytes=0-', 0, 'unsatisfiable'],
  ['bytes=-10', 0, 'unsatisfiable'],
  ['bytes=99999999999999999999999-', 1000, 'unsatisfiable'],
  ['bytes=0-99999999999999999999999', 1000, { start: 0, end: 999 }],
  ['Bytes = 1-2', 1000, { start: 1, end: 2 }], // unit is case-insensitive, whitespace tolerated
  ['bytes= 1 - 2 ', 1000, { start: 1, end: 2 }],
  // ignored: multiple ranges, other units, syntax errors
  ['bytes=0-1,5-6', 1000, null],
  ['bytes=0-1, 5-6', 1000, null],
  ['items=0-1', 1000, null],
  ['bytes', 1000, null],
  ['bytes=', 1000, null],
  ['bytes=-', 1000, null],
  ['bytes=a-b', 1000, null],
  ['bytes=5-1', 1000, null],
  ['bytes=1-2-3', 1000, null],
  ['bytes=+1-2', 1000, null],
  ['bytes=0x10-20', 1000, null],
  ['bytes=1.5-2', 1000, null],
  ['bytes=--1', 1000, null],
];

test('parseRange follows the range table', () => {
  for (const [header, size, expected] of TABLE) {
    assert.deepEqual(parseRange(header, size), expected, `${String(header)} / ${size}`);
  }
});

test('contentRange formats a satisfied range', () => {
  assert.equal(contentRange({ start: 0, end: 99 }, 1000), 'bytes 0-99/1000');
});

test('any header gives null, unsatisfiable, or a range inside the file', () => {
  const header = fc.oneof(
    fc.string(),
    fc.tuple(fc.option(fc.nat({ max: 3000 })), fc.option(fc.nat({ max: 3000 }))).map(
      ([a, b]) => `bytes=${a ?? ''}-${b ?? ''}`,
    ),
  );
  fc.assert(
    fc.property(header, fc.nat({ max: 2000 }), (h, size) => {
      const r = parseRange(h, size);
      if (r === null || r === 'unsatisfiable') return;
      assert.ok(Number.isInteger(r.start) && Number.isInteger(r.end));
      assert.ok(r.start >= 0 && r.start <= r.end && r.end < size, `${h} ${size} -> ${JSON.stringify(r)}`);
    }),
    { numRuns: 2000 },
  );
});

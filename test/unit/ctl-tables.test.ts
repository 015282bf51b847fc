// sluice ctl's text for people: columns aligned under their titles, numbers and sizes
// right-aligned, no trailing spaces; sizes and durations at a glance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration, formatPairs, formatTable } from '../../src/ctl/table.ts';

test('a table aligns text left and numbers right, without trailing spaces', () => {
  const rows = [{ id: 'a1', n: 5, size: '1.0 KiB', note: 'x' }, { id: 'bbbbbb', n: 1234, size: '12 B', note: '' }];
  const text = formatTable([
    { title: 'ID', value: (r: typeof rows[0]) => r.id },
    { title: 'N', value: (r) => r.n },
    { title: 'SIZE', value: (r) => r.size, right: true },
    { title: 'NOTE', value: (r) => r.note },
  ], rows);
  assert.equal(text, [
    'ID         N     SIZE  NOTE',
    'a1         5  1.0 KiB  x',
    'bbbbbb  1234     12 B',
    '',
  ].join('\n'));
});

test('an empty table is its header', () => {
  assert.equal(formatTable([{ title: 'ID', value: () => '' }, { title: 'N', value: () => 0 }], []), 'ID  N\n');
});

test('pairs, bytes and durations', () => {
  assert.equal(formatPairs([['pid', 12], ['version', '0.1.0']]), 'pid:      12\nversion:  0.1.0\n');
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(5 * 1024 ** 3), '5.0 GiB');
  assert.equal(formatDuration(42.9), '42s');
  assert.equal(formatDuration(432), '7m 12s');
  assert.equal(formatDuration(7500), '2h 5m');
  assert.equal(formatDuration(3 * 86400 + 4 * 3600 + 5), '3d 4h');
});

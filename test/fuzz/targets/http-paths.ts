// Our own HTTP request parsing: resolveSafePath on random URL paths (the result is null
// or inside the root) and parseRange on random Range headers (null, 'unsatisfiable' or
// a range inside the file). The first byte picks the function, the root or size, and
// how the rest is read as a string.
import path from 'node:path';
import { isInside, resolveSafePath } from '../../../src/net/http/paths.ts';
import { parseRange } from '../../../src/net/http/range.ts';
import type { FuzzTarget } from './fuzz-target.ts';
import { check } from './fuzz-target.ts';

const ROOTS = ['/srv/www', '/', '/srv/www/', 'relative/root'];
const SIZES = [0, 1, 100, 2 ** 31, Number.MAX_SAFE_INTEGER];

function safePath(root: string, url: string): void {
  const out = resolveSafePath(root, url);
  if (out === null) return;
  const base = path.resolve(root);
  check(isInside(base, out), `${JSON.stringify(url)} resolved outside ${base}: ${out}`);
  check(path.resolve(out) === out, `${JSON.stringify(url)} resolved to a non-normal path ${out}`);
  check(!out.split(path.sep).includes('..'), `${JSON.stringify(url)} kept a '..' segment`);
}

function range(header: string, size: number): void {
  const r = parseRange(header, size);
  if (r === null || r === 'unsatisfiable') return;
  const what = `${JSON.stringify(header)} with size ${size} gave ${JSON.stringify(r)}`;
  check(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end), `${what}: not integers`);
  check(r.start >= 0 && r.start <= r.end && r.end < size, `${what}: outside the file`);
}

export const target: FuzzTarget = {
  name: 'http-paths',
  description: 'resolveSafePath (stays inside the root) and parseRange (stays inside the file)',
  coverage: ['/src/net/http/paths', '/src/net/http/range'],
  maxLen: 512,
  dictionary: ['/', '..', '.', '%2e', '%2E', '%2f', '%5c', '%00', '%25', '%c0%ae', '%ff', '?', '#', '\\',
    'bytes=', 'bytes', '=', '-', ',', ' ', '0', '9007199254740993', '18446744073709551616', '1e3', '+1', '0x10'],
  fuzz(data) {
    if (data.length === 0) return;
    const mode = data[0]!;
    const text = (mode & 0x40) !== 0 ? data.toString('latin1', 1) : data.toString('utf8', 1);
    if ((mode & 0x80) === 0) safePath(ROOTS[mode % ROOTS.length]!, text);
    else range(text, SIZES[mode % SIZES.length]!);
  },
};

// Corpus and crash files: one input per file, named by the hash of its bytes so the
// same input is never stored twice.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const HERE = path.dirname(new URL(import.meta.url).pathname);
export const CORPUS_DIR = path.resolve(HERE, '..', 'corpus');
export const REGRESSIONS_DIR = path.resolve(HERE, '..', '..', 'fixtures', 'fuzz-regressions');

/** Inputs in `dir`, sorted by name; README.md files are documentation, not inputs. */
export function readInputs(dir: string): { name: string; bytes: Uint8Array }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n !== 'README.md' && statSync(path.join(dir, n)).isFile())
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(dir, name))) }));
}

export function inputName(bytes: Uint8Array, prefix = ''): string {
  return prefix + createHash('sha1').update(bytes).digest('hex').slice(0, 16);
}

/** Writes `bytes` into `dir` unless already there; returns the file path. */
export function saveInput(dir: string, bytes: Uint8Array, prefix = ''): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, inputName(bytes, prefix));
  if (!existsSync(file)) writeFileSync(file, bytes);
  return file;
}

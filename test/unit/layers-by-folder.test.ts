// The layers, checked by folder over every import of src (type-only imports included):
// src/net (codecs) does no I/O and imports nothing above it; src/io (thin adapters)
// imports only codecs; src/runtime stands alone (the embeddable actor runtime);
// src/actors/* may use everything below, never src/api or the process entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SRC = new URL('../../src/', import.meta.url).pathname;
const IO_MODULES = /^node:(net|http|https|http2|tls|fs|fs\/promises|child_process|dgram|stream|worker_threads|readline)$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Each import of a file: the module name as written and, when relative, the file under src. */
function imports(file: string): { spec: string; target: string | null }[] {
  const text = readFileSync(file, 'utf8');
  const out: { spec: string; target: string | null }[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    out.push({ spec, target: spec.startsWith('.') ? path.relative(SRC, path.resolve(path.dirname(file), spec)) : null });
  }
  return out;
}

function violations(folder: string, allowed: (target: string) => boolean, allowModule: (spec: string) => boolean): string[] {
  const bad: string[] = [];
  for (const f of files(path.join(SRC, folder))) {
    for (const { spec, target } of imports(f)) {
      const ok = target === null ? allowModule(spec) : allowed(target);
      if (!ok) bad.push(`${path.relative(SRC, f)} imports ${spec}`);
    }
  }
  return bad;
}

const under = (...folders: string[]) => (t: string) => folders.some((f) => t === f || t.startsWith(`${f}/`));

test('src/net does no I/O and imports only codecs, the error codes and package.json', () => {
  assert.deepEqual(violations('net', under('net', 'errors.ts', '../package.json'), (s) => !IO_MODULES.test(s)), []);
});

test('src/io imports only codecs (and Node I/O)', () => {
  assert.deepEqual(violations('io', under('net', 'io', 'errors.ts', 'config/types.ts'), () => true), []);
});

test('src/runtime imports nothing of the server', () => {
  assert.deepEqual(violations('runtime', under('runtime'), () => true), []);
});

test('src/actors never imports the API, the CLI or the process entry', () => {
  assert.deepEqual(violations('actors', (t) => !under('api', 'ctl', 'main.ts', 'cli.ts', 'server.ts', 'index.ts')(t), () => true), []);
});

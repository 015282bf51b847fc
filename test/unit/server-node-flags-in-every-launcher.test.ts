// The server's V8 flags are spelled out in three places: src/process/node-flags.ts (what the
// test and bench launchers import), package.json's start script and bin/sluice.js (neither can
// import a TypeScript module). They must stay the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SERVER_NODE_FLAGS } from '../../src/process/node-flags.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

test('npm start passes the server flags before the entry', () => {
  const start: string = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).scripts.start;
  assert.equal(start, ['node', ...SERVER_NODE_FLAGS, 'src/main.ts', '-c', 'conf/sluice.yaml'].join(' '));
});

test('bin/sluice.js passes the server flags before the entry', () => {
  const bin = readFileSync(`${ROOT}bin/sluice.js`, 'utf8');
  const literal = /const SERVER_NODE_FLAGS = (\[[^\]]*\]);/.exec(bin)?.[1];
  assert.ok(literal, 'bin/sluice.js declares SERVER_NODE_FLAGS');
  assert.deepEqual(JSON.parse(literal.replaceAll("'", '"')), SERVER_NODE_FLAGS);
  assert.match(bin, /spawn\(node, \[\.\.\.SERVER_NODE_FLAGS, entry, /);
});

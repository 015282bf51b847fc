#!/usr/bin/env node
// Runs the server's entry in a child Node, whatever Node launched this file. Plain
// JavaScript so any Node can run it. In a checkout that is src/main.ts with the project's
// pinned Node (the `node` dev dependency; it strips TypeScript types); in an installed
// package it is the compiled dist/main.js with the Node running this file, since Node does
// not strip types under node_modules and the package's `engines` names the Node it needs.
// The child starts with the server's V8 flags (src/process/node-flags.ts says why; this
// file cannot import it, a unit test keeps the two equal).
// The child gets its own process group so a terminal Ctrl-C reaches it once, through us,
// not twice (a second signal means "exit at once" to the server).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const installed = root.split(sep).includes('node_modules');
const pinned = `${root}node_modules/node/bin/node`;
const node = !installed && existsSync(pinned) ? pinned : process.execPath;
const entry = installed ? `${root}dist/main.js` : `${root}src/main.ts`;
const SERVER_NODE_FLAGS = ['--max-semi-space-size=4'];
const child = spawn(node, [...SERVER_NODE_FLAGS, entry, ...process.argv.slice(2)], { stdio: 'inherit', detached: true });

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
for (const signal of SIGNALS) process.on(signal, () => child.kill(signal));

child.on('error', (err) => {
  process.stderr.write(`sluice: cannot run ${node}: ${err.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    for (const s of SIGNALS) process.removeAllListeners(s);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});

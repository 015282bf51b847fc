#!/usr/bin/env node
// Runs src/main.ts with the project's pinned Node (it strips TypeScript types), whatever
// Node launched this file. Plain JavaScript so any Node can run it. The child gets its
// own process group so a terminal Ctrl-C reaches it once, through us, not twice (a
// second signal means "exit at once" to the server).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pinned = `${root}node_modules/node/bin/node`;
const node = existsSync(pinned) ? pinned : process.execPath;
const child = spawn(node, [`${root}src/main.ts`, ...process.argv.slice(2)], { stdio: 'inherit', detached: true });

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

// An embedder's view: a project of plain .mjs files that has sluice installed imports
// `sluice/runtime` (the compiled dist/ that `npm ci` builds) and runs an actor on a
// worker thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE } from '../helpers/server.ts';
import { run } from '../helpers/clients.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

test('an embedder imports ActorSystem from sluice/runtime and asks an actor on a worker', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-embed-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'sluice'), 'dir');
    writeFileSync(join(dir, 'actors.mjs'), `import { registerActor } from 'sluice/runtime';
registerActor('echo', () => ({ receive: (msg, ctx) => msg.text + ' from thread ' + ctx.self.worker }));
`);
    writeFileSync(join(dir, 'main.mjs'), `import { ActorSystem } from 'sluice/runtime';
const system = new ActorSystem({ workers: 2, modules: [new URL('./actors.mjs', import.meta.url).href] });
await system.start();
const ref = await system.spawn(2, 'echo', {});
console.log(await system.ask(ref, { text: 'hello' }));
await system.shutdown();
`);
    const r = await run(NODE, [join(dir, 'main.mjs')], 20000).done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hello from thread 2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

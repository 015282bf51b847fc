// The test helper's free ports are claimed machine-wide: a port this process handed out
// cannot be handed out by another test process while this one lives, and the claim of a
// process that exited is taken over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claimPort, freePort, PORT_CLAIMS } from '../helpers/ports.ts';

const PORTS = new URL('../helpers/ports.ts', import.meta.url).pathname;

function claimInChild(port: number): boolean {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', `import { claimPort } from ${JSON.stringify(PORTS)}; console.log(claimPort(${port}));`], { encoding: 'utf8' });
  return out.trim() === 'true';
}

test('a port handed out here is refused to another test process while this one lives', async () => {
  const mine = await freePort();
  assert.equal(claimInChild(mine), false);
  assert.equal(claimPort(mine), false, 'nor handed out twice here');
});

test('the claim of a process that exited is taken over; a process removes its own claims at exit', () => {
  const unclaimed: number[] = [];
  for (let p = 31000; p < 32000 && unclaimed.length < 2; p++) if (!existsSync(join(PORT_CLAIMS, String(p)))) unclaimed.push(p);
  const [port, other] = unclaimed as [number, number];
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  writeFileSync(join(PORT_CLAIMS, String(port)), String(dead));
  assert.equal(claimPort(port), true, `a claim left by pid ${dead}, which exited`);
  assert.equal(claimInChild(other), true);
  assert.equal(existsSync(join(PORT_CLAIMS, String(other))), false, 'the child removed its claim when it exited');
});

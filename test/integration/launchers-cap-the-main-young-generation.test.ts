// `npm start` and bin/sluice.js start the server with its V8 flags (src/process/node-flags.ts):
// the main thread's new space, as the server's own /metrics reports it, stays within the
// young generation the workers have (8 MiB) instead of the 32 MiB that the startup's module
// compilation grows it to by V8's defaults. Each launcher is run as a user runs it, on a test
// config with free 127.0.0.1 ports, and stopped by its own PID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { NODE, freePort, waitForPort } from '../helpers/server.ts';
import { YOUNG_GENERATION_MB } from '../../src/process/node-flags.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const CAP_BYTES = YOUNG_GENERATION_MB * 1024 * 1024;

async function newSpaceOf(argvOf: (configPath: string) => string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-launcher-'));
  const [rtmpPort, apiPort] = [await freePort(), await freePort()];
  const configPath = join(dir, 'sluice.yaml');
  writeFileSync(configPath, stringify({
    listen: `127.0.0.1:${rtmpPort}`,
    workers: 1,
    pid: join(dir, 'sluice.pid'),
    http_api: { enabled: true, listen: `127.0.0.1:${apiPort}` },
  }));
  const proc: ChildProcess = spawn(NODE, argvOf(configPath), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  try {
    await waitForPort(apiPort);
    const metrics = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
    const line = metrics.split('\n').find((l) => l.startsWith('nodejs_heap_space_size_total_bytes{space="new"}'));
    assert.ok(line, `no new-space figure in /metrics\n${out}`);
    return Number(line.split(' ').at(-1));
  } finally {
    proc.kill('SIGTERM');
    const killer = setTimeout(() => {
      // bin/sluice.js runs the server in a process group of its own: stop that one too.
      try {
        process.kill(Number(readFileSync(join(dir, 'sluice.pid'), 'utf8')), 'SIGKILL');
      } catch {
        // already gone
      }
      proc.kill('SIGKILL');
    }, 12_000);
    await exited;
    clearTimeout(killer);
    rmSync(dir, { recursive: true, force: true });
  }
}

test('npm start runs the server with the main thread young generation capped', async () => {
  const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const [program, ...args] = script.split(' ');
  assert.equal(program, 'node');
  const i = args.indexOf('conf/sluice.yaml');
  assert.ok(i > 0, script);
  const bytes = await newSpaceOf((config) => args.map((a, j) => (j === i ? config : a)));
  assert.ok(bytes > 0 && bytes <= CAP_BYTES, `new space ${bytes} bytes`);
});

test('bin/sluice.js runs the server with the main thread young generation capped', async () => {
  const bytes = await newSpaceOf((config) => [join(ROOT, 'bin/sluice.js'), '-c', config]);
  assert.ok(bytes > 0 && bytes <= CAP_BYTES, `new space ${bytes} bytes`);
});

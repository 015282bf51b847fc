// Runs a Sluice process that is expected to refuse to start: with a config object in a
// folder of its own, until it exits or `timeoutMs` passes (then it is killed by its PID).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { NODE, MAIN } from './server.ts';
import { SERVER_NODE_FLAGS } from '../../src/process/node-flags.ts';

export interface SluiceRun {
  /** Exit code; null when it had to be killed. */
  code: number | null;
  /** stdout and stderr together. */
  output: string;
  /** How long it ran. */
  ms: number;
}

export async function runSluice(config: Record<string, unknown>, timeoutMs = 10000): Promise<SluiceRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-run-'));
  const configPath = join(dir, 'sluice.yaml');
  writeFileSync(configPath, stringify({ pid: join(dir, 'sluice.pid'), ...config }));
  const started = Date.now();
  const proc = spawn(NODE, [...SERVER_NODE_FLAGS, MAIN, '-c', configPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  rmSync(dir, { recursive: true, force: true });
  return { code, output, ms: Date.now() - started };
}

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli.ts';
import { SluiceError } from '../../src/errors.ts';
import type { StartOptions } from '../../src/cli.ts';
import type { SluiceConfig } from '../../src/config/types.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const NODE = join(ROOT, 'node_modules/.bin/node');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let dir = '';
before(() => { dir = mkdtempSync(join(tmpdir(), 'sluice-cli-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface Run { code: number | null; stdout: string; stderr: string }

function run(args: string[], entry = 'src/main.ts'): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(NODE, [entry, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); fail(new Error(`timeout: ${args.join(' ')}`)); }, 15000);
    child.on('error', fail);
    child.on('close', (code) => { clearTimeout(timer); done({ code, stdout, stderr }); });
  });
}

test('-t on a valid file prints "config ok" and exits 0', async () => {
  const r = await run(['-t', '-c', file('ok.yaml', 'listen: 19350\nvhosts: { live: {} }\n')]);
  assert.deepEqual(r, { code: 0, stdout: 'config ok\n', stderr: '' });
});

test('-t with the default path checks conf/sluice.yaml', async () => {
  assert.deepEqual(await run(['-t']), { code: 0, stdout: 'config ok\n', stderr: '' });
  assert.deepEqual(await run(['--test', '--config', 'conf/full.yaml']), { code: 0, stdout: 'config ok\n', stderr: '' });
});

test('-t on a bad file prints one line per problem on stderr and exits 1', async () => {
  const path = file('bad.yaml', 'chunk_size: 70000\nbogus: 1\nvhosts:\n  __defaultVhost__:\n    hls: { fragment: 0 }\n');
  const r = await run(['-t', '-c', path]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.stderr.trimEnd().split('\n').sort(), [
    'config error: bogus: unknown key',
    'config error: chunk_size: must be an integer from 128 to 65536',
    'config error: vhosts.__defaultVhost__.hls.fragment: must be a number greater than 0',
  ]);
});

test('-t on a YAML syntax error names the line', async () => {
  const path = file('syntax.yaml', 'listen: 1935\nlisten: 1936\n');
  const r = await run(['-t', '-c', path]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `config error: ${path}: line 2, column 1: Map keys must be unique\n`);
});

test('-t on a missing file exits 1', async () => {
  const r = await run(['-t', '-c', join(dir, 'absent.yaml')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^config error: .*absent\.yaml: cannot read: no such file\n$/);
});

test('-v prints the version of package.json and exits 0', async () => {
  assert.deepEqual(await run(['-v']), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
  assert.deepEqual(await run(['--version']), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
});

test('--workers 0 is refused as a config error naming workers', async () => {
  const r = await run(['-t', '--workers', '0']);
  assert.deepEqual(r, { code: 1, stdout: '', stderr: 'config error: workers: must be "auto" or an integer from 1 to 256\n' });
  assert.equal((await run(['-t', '--workers', 'two'])).code, 1);
  assert.deepEqual(await run(['-t', '--workers', '-1']), r);
  assert.equal((await run(['-t', '--workers', '4'])).code, 0);
  assert.equal((await run(['-t', '--workers=auto'])).code, 0);
});

test('--log-level is checked like log.level', async () => {
  const r = await run(['-t', '--log-level', 'loud']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'config error: log.level: must be one of fatal, error, warn, info, debug, trace, silent\n');
  assert.equal((await run(['-t', '--log-level', 'debug'])).code, 0);
});

test('unknown flags and stray arguments exit 2 with a message', async () => {
  const unknown = await run(['--frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--frobnicate/);
  assert.match(unknown.stderr, /usage: sluice/);
  assert.equal((await run(['stray'])).code, 2);
  assert.equal((await run(['-c'])).code, 2);
});

test('-h prints usage and exits 0', async () => {
  const r = await run(['-h']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^usage: sluice \[-c FILE\] \[-t\] \[-v\] \[--workers N\] \[--log-level LEVEL\]/);
});

test('bin/sluice.js runs main.ts with the pinned Node and forwards the exit code', async () => {
  assert.deepEqual(await run(['-v'], 'bin/sluice.js'), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
  assert.equal((await run(['-t', '--workers', '0'], 'bin/sluice.js')).code, 1);
  assert.equal((await run(['--nope'], 'bin/sluice.js')).code, 2);
});

test('runCli starts the server with the resolved config, overrides and absolute path', async () => {
  const path = file('start.yaml', 'workers: 2\nlisten: 19351\n');
  const calls: [SluiceConfig, StartOptions][] = [];
  const out: string[] = [];
  const code = await runCli(['-c', path, '--workers', '3', '--log-level', 'warn'], {
    start: async (config, options) => { calls.push([config, options]); },
    stdout: (s) => out.push(s),
    stderr: (s) => out.push(s),
  });
  assert.equal(code, 0);
  assert.deepEqual(out, []);
  assert.equal(calls.length, 1);
  const [config, options] = calls[0]!;
  assert.equal(config.workers, 3);
  assert.equal(config.log.level, 'warn');
  assert.deepEqual(config.listen, [{ host: '0.0.0.0', port: 19351 }]);
  assert.deepEqual(options, { configPath: resolve(path), overrides: { workers: '3', logLevel: 'warn' } });
});

test('runCli: a failing start exits 1; a bad config never starts', async () => {
  const err: string[] = [];
  const failing = await runCli(['-c', file('f.yaml', '')], {
    start: async () => { throw new Error('port in use'); },
    stderr: (s) => err.push(s),
  });
  assert.equal(failing, 1);
  assert.deepEqual(err, ['sluice: cannot start: port in use\n']);
  // A refusal of ours is one line: where and why, without the error code's general text.
  const refused: string[] = [];
  const code = await runCli(['-c', file('r.yaml', '')], {
    start: async () => { throw new SluiceError('START_PORT_IN_USE', 'listen 127.0.0.1:1935: already in use by another server'); },
    stderr: (s) => refused.push(s),
  });
  assert.equal(code, 1);
  assert.deepEqual(refused, ['sluice: cannot start: listen 127.0.0.1:1935: already in use by another server\n']);
  let started = false;
  const bad = await runCli(['-c', file('b.yaml', 'chunk_size: 1')], {
    start: async () => { started = true; },
    stderr: () => {},
  });
  assert.equal(bad, 1);
  assert.equal(started, false);
});

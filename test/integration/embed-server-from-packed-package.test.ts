// An embedder's view of the whole server: the package as `npm pack` makes it (its
// `prepare` compiles dist/), installed into an empty folder, imported from a plain .mjs
// file as `import { startServer, validateConfig } from 'sluice'`, started on free
// 127.0.0.1 ports with a config object, published to with ffmpeg, played back over
// HTTP-FLV, its pages' assets fetched, then stopped through the handle.
//
// Installed offline and deterministically: the tarball is unpacked into
// node_modules/sluice as npm would, and each of its dependencies is a symlink to the
// checkout's node_modules (Node resolves a symlinked package by its real path, so their
// own dependencies are found there too). `npm install <tarball>` would need the registry
// or a warm cache; this checks what the package itself carries (files, exports, dist,
// assets), which is what can go wrong here. The pack runs in a copy of the checkout so
// the repository's own dist/ (used by other tests) is never rewritten under them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, NODE } from '../helpers/server.ts';
import { publish, run, until } from '../helpers/clients.ts';
import { watchFlv } from '../helpers/flv-viewer.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const NPM_BIN = join(ROOT, 'node_modules/.bin');

/** The checkout's files that `npm pack` needs, copied; node_modules linked. */
function stageCheckout(dir: string): void {
  for (const name of ['package.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json']) cpSync(join(ROOT, name), join(dir, name));
  for (const name of ['src', 'conf', 'bin', 'html']) cpSync(join(ROOT, name), join(dir, name), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

const APP = `import { startServer, validateConfig } from 'sluice';
import { createInterface } from 'node:readline';
const [rtmp, http, api] = process.argv.slice(2);
const res = validateConfig({
  listen: '127.0.0.1:' + rtmp,
  workers: 2,
  pid: new URL('./sluice.pid', import.meta.url).pathname,
  http_server: { enabled: true, listen: '127.0.0.1:' + http, dir: new URL('./www', import.meta.url).pathname },
  http_api: { enabled: true, listen: '127.0.0.1:' + api },
  vhosts: { __defaultVhost__: { hls: { enabled: false } } },
});
if ('errors' in res) throw new Error(res.errors.join('\\n'));
const server = await startServer(res.config);
console.log('STARTED ' + server.system.workerCount);
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'stop') break;
}
await server.stop();
console.log('STOPPED');
`;

test('an embedder installs the packed package, imports startServer from plain .mjs, publishes, plays and stops', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'sluice-pack-'));
  try {
    const stage = join(work, 'stage');
    mkdirSync(stage);
    stageCheckout(stage);
    const env = { ...process.env, PATH: `${NPM_BIN}:${process.env.PATH}` };
    const packed = await runIn(stage, 'npm', ['pack', '--silent', '--pack-destination', work], env, 60000);
    assert.equal(packed.code, 0, packed.out);
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    assert.ok(tarball, packed.out);

    const app = join(work, 'app');
    const pkgDir = join(app, 'node_modules', 'sluice');
    mkdirSync(pkgDir, { recursive: true });
    mkdirSync(join(app, 'www'));
    const untar = await run('tar', ['-xzf', join(work, tarball), '-C', pkgDir, '--strip-components=1']).done;
    assert.equal(untar.code, 0, untar.stderr);
    const installed = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.equal(installed.dependencies.node, undefined, 'the node binary package is not a runtime dependency');
    for (const dep of Object.keys(installed.dependencies)) {
      const at = join(app, 'node_modules', dep);
      if (dep.includes('/')) mkdirSync(join(at, '..'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', dep), at, 'dir');
    }
    writeFileSync(join(app, 'main.mjs'), APP);
    // The installed command runs the compiled entry (no TypeScript under node_modules).
    const version = await run(NODE, [join(pkgDir, 'bin', 'sluice.js'), '-v'], 20000).done;
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version, version.stderr);

    const [rtmpPort, httpPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const proc = spawn(NODE, [join(app, 'main.mjs'), String(rtmpPort), String(httpPort), String(apiPort)], { cwd: app, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    let pub: ReturnType<typeof publish> | null = null;
    try {
      await until(() => out.includes('STARTED 2') || proc.exitCode !== null, 20000, 'the embedded server to start');
      assert.match(out, /STARTED 2/, out.slice(-3000));

      pub = publish(`rtmp://127.0.0.1:${rtmpPort}/live/embedded`, 'av-200kbps.flv', { loop: true });
      const viewer = await until(async () => {
        const v = await watchFlv(`http://127.0.0.1:${httpPort}/live/embedded.flv`, { mediaMs: 1000, timeoutMs: 5000 });
        return v.status === 200 && v.tags.length > 0 ? v : null;
      }, 20000, 'HTTP-FLV playback');
      assert.equal(viewer!.error, null);
      assert.ok(viewer!.tags.some((tag) => tag.type === 9), 'video tags played back');
      t.diagnostic(`played ${viewer!.tags.length} FLV tags from the embedded server`);

      // The pages' assets come from the installed package and its dependencies.
      for (const [url, marker] of [
        [`http://127.0.0.1:${httpPort}/players/`, /<html/i],
        [`http://127.0.0.1:${httpPort}/players/vendor/mpegts.js`, /mpegts/],
        [`http://127.0.0.1:${httpPort}/players/vendor/hls.min.js`, /Hls|hls/],
        [`http://127.0.0.1:${apiPort}/console/`, /<html/i],
      ] as const) {
        const r = await fetch(url);
        assert.equal(r.status, 200, url);
        assert.match(await r.text(), marker, url);
      }
      const streams = (await (await fetch(`http://127.0.0.1:${apiPort}/api/v1/streams/`)).json()) as { streams: { name: string }[] };
      assert.deepEqual(streams.streams.map((s) => s.name), ['embedded']);
    } finally {
      await pub?.stop();
      proc.stdin.end('stop\n');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
      const code = await exited;
      clearTimeout(timer);
      assert.equal(code, 0, out.slice(-3000));
      assert.match(out, /STOPPED/);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

function runIn(cwd: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

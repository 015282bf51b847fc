// Reload and listeners: a reload that moves a listener to an address it cannot
// open (held by another process, with or without SO_REUSEPORT, or a certificate that
// cannot be read) keeps the old listener serving and says why; a free address rebinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startServer, freePort, waitForPort, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/clients.ts';
import { RtmpClient } from '../../src/io/rtmp-client.ts';

function rewriteConfig(server: TestServer, edit: (c: Record<string, any>) => void): void {
  const path = join(server.dir, 'sluice.yaml');
  const c = parse(readFileSync(path, 'utf8')) as Record<string, any>;
  edit(c);
  writeFileSync(path, stringify(c));
}

async function holdPort(port: number, reusePort: boolean): Promise<net.Server> {
  const s = net.createServer((c) => c.destroy());
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port, reusePort }, () => resolve());
  });
  return s;
}

/** Several RTMP connects in a row (the kernel spreads them over both workers) all succeed. */
async function servesRtmp(port: number): Promise<void> {
  for (let i = 0; i < 6; i++) {
    const c = await RtmpClient.connect(`rtmp://127.0.0.1:${port}/live`, { timeoutMs: 5000 });
    c.destroy();
  }
}

function countLines(server: TestServer, re: RegExp): number {
  return server.logs().split('\n').filter((l) => re.test(l)).length;
}

test('reload: a listen address held by another process keeps the old listener; a free one rebinds; a bad certificate keeps the rest', async () => {
  const server = await startServer({ workers: 2 });
  const holders: net.Server[] = [];
  try {
    for (const reusePort of [false, true]) {
      const held = await freePort();
      holders.push(await holdPort(held, reusePort));
      const reloadsBefore = countLines(server, /configuration reloaded/);
      rewriteConfig(server, (c) => (c.listen = `127.0.0.1:${held}`));
      server.proc.kill('SIGHUP');
      await server.waitForLog(new RegExp(`reload: listen 127\\.0\\.0\\.1:${held}: already in use by another server[^"]*; the old listen stays`), 10000);
      await until(() => countLines(server, /configuration reloaded/) > reloadsBefore, 10000, 'the rest of the reload');
      await servesRtmp(server.rtmpPort);
    }

    const moved = await freePort();
    rewriteConfig(server, (c) => (c.listen = `127.0.0.1:${moved}`));
    server.proc.kill('SIGHUP');
    await waitForPort(moved, 10000);
    await servesRtmp(moved);
    await until(async () => {
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect(server.rtmpPort, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(false)));
        s.once('error', () => resolve(true));
      });
      return refused;
    }, 10000, 'the old RTMP port closed');

    // Only a worker can find this one out (the port is free): each worker keeps what it had.
    const rtmps = await freePort();
    rewriteConfig(server, (c) => (c.rtmps = { enabled: true, listen: `127.0.0.1:${rtmps}`, cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' }));
    server.proc.kill('SIGHUP');
    await until(() => countLines(server, /reload: the new listener cannot be opened/) === 2, 10000, 'both workers refusing the RTMPS listener');
    await servesRtmp(moved);
    assert.equal(server.proc.exitCode, null);
  } finally {
    for (const h of holders) h.close();
    await server.stop();
  }
});

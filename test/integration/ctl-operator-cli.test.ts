// `sluice ctl` as an operator runs it (bin/sluice.js ctl ...) against a real server with
// an API token and a live ffmpeg stream: aligned tables, --json for scripts, kick, reload,
// -c FILE, and exit 1 with one clear line when the server is down, the token is wrong or
// the id unknown; exit 2 with the usage for an unknown command.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, waitForPort, freePort, NODE, type TestServer } from '../helpers/server.ts';
import { publish, run, until, type Proc } from '../helpers/clients.ts';

const BIN = new URL('../../bin/sluice.js', import.meta.url).pathname;
const TOKEN = 'ctl-tok-1';
let server: TestServer;
let pub: Proc;

before(async () => {
  server = await startServer({ apiToken: TOKEN });
  await waitForPort(server.apiPort);
  pub = publish(server.rtmpUrl('live/ctl'), 'av-1mbps.flv', { loop: true });
  await until(async () => {
    const s = (await (await server.api('/api/v1/streams/')).json() as any).streams?.[0];
    return s?.video && s?.audio;
  }, 15000, 'the stream with its codecs');
});

after(async () => {
  await pub.stop();
  await server.stop();
});

async function ctl(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run(NODE, [BIN, 'ctl', ...args], 15000).done;
}

const api = () => `http://127.0.0.1:${server.apiPort}`;
const withToken = (...args: string[]) => ctl('--api', api(), '--token', TOKEN, ...args);

/** Every row's cells start where the header's titles start (left-aligned columns; the last title only bounds). */
function assertAligned(table: string, titles: string[]): string[][] {
  const lines = table.trimEnd().split('\n');
  const header = lines[0]!;
  const starts = titles.map((t) => header.indexOf(t));
  assert.ok(starts.every((s, i) => s >= 0 && (i === 0 || s > starts[i - 1]!)), header);
  return lines.slice(1).map((line) => titles.slice(0, -1).map((_, i) => line.slice(starts[i], starts[i + 1]).trim()));
}

test('streams and clients as aligned tables, and the same as JSON for scripts', async () => {
  const s = await withToken('streams');
  assert.equal(s.code, 0, s.stderr);
  const rows = assertAligned(s.stdout, ['ID', 'VHOST', 'STREAM', 'CODECS', 'CLIENTS']);
  assert.equal(rows.length, 1);
  assert.match(rows[0]![0]!, /^vid-/);
  assert.equal(rows[0]![1], '__defaultVhost__');
  assert.equal(rows[0]![2], 'live/ctl');
  assert.match(rows[0]![3]!, /^H264 1280x720 \+ AAC 44.1k stereo$/);

  const j = await withToken('--json', 'streams');
  assert.equal(j.code, 0, j.stderr);
  const streams = JSON.parse(j.stdout);
  assert.equal(streams.length, 1);
  assert.equal(streams[0].name, 'ctl');
  assert.equal(streams[0].id, rows[0]![0]);

  const c = await withToken('clients');
  assert.equal(c.code, 0, c.stderr);
  const crows = assertAligned(c.stdout, ['ID', 'TYPE', 'IP', 'URL', 'ALIVE']);
  assert.ok(crows.some((r) => r[1] === 'fmle-publish' && r[2] === '127.0.0.1' && r[3] === '/live/ctl'), c.stdout);

  const v = await withToken('vhosts');
  assert.equal(v.code, 0, v.stderr);
  assert.equal(assertAligned(v.stdout, ['NAME', 'ID', 'ENABLED', 'STREAMS', 'CLIENTS'])[0]![0], '__defaultVhost__');
  assert.match(v.stdout.split('\n')[1]!, /^__defaultVhost__ +vid-\S+ +yes +1 +1 /);

  const sum = await withToken('summaries');
  assert.equal(sum.code, 0, sum.stderr);
  assert.match(sum.stdout, /^version: +\d+\.\d+\.\d+$/m);
  assert.match(sum.stdout, new RegExp(`^pid: +${server.proc.pid}$`, 'm'));
  assert.equal(JSON.parse((await withToken('--json', 'summaries')).stdout).self.pid, server.proc.pid);
});

test('-c FILE reads the API address and the token from the server config', async () => {
  const r = await ctl('-c', join(server.dir, 'sluice.yaml'), 'vhosts');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /__defaultVhost__/);
});

test('server down, token wrong or missing, unknown id: exit 1 and one line', async () => {
  const port = await freePort();
  const cases: [string[], RegExp][] = [
    [['--api', `http://127.0.0.1:${port}`, 'streams'], new RegExp(`^sluice ctl: server not running at http://127\\.0\\.0\\.1:${port}\\n$`)],
    [['--api', api(), '--token', 'nope', 'streams'], /^sluice ctl: the API at .* refused the token \(401\): check --token\n$/],
    [['--api', api(), 'clients'], /^sluice ctl: the API at .* needs a token \(401\)/],
    [['--api', api(), '--token', TOKEN, 'kick', 'nothere1'], /^sluice ctl: no client with id nothere1\n$/],
  ];
  for (const [args, re] of cases) {
    const r = await ctl(...args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
  }
});

test('an unknown command or a missing id: exit 2 with the usage', async () => {
  const r = await ctl('frobnicate');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
  assert.match(r.stderr, /^usage: sluice ctl /m);
  assert.equal((await ctl('kick')).code, 2);
});

test('reload, then kick the publisher: its ffmpeg ends and so does the stream', async () => {
  const rl = await withToken('reload');
  assert.equal(rl.code, 0, rl.stderr);
  assert.equal(rl.stdout, 'configuration reloaded\n');
  const clients = JSON.parse((await withToken('--json', 'clients')).stdout) as { id: string; type: string }[];
  const publisher = clients.find((c) => c.type === 'fmle-publish')!;
  const k = await withToken('kick', publisher.id);
  assert.equal(k.code, 0, k.stderr);
  assert.equal(k.stdout, `kicked ${publisher.id}\n`);
  const ended = await Promise.race([pub.done, new Promise<null>((r) => setTimeout(() => r(null), 10000))]);
  assert.ok(ended, 'ffmpeg exits once kicked');
  await until(async () => (await withToken('streams')).stdout === 'no live streams\n', 5000, 'the stream to end');
});

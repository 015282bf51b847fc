// runCtl in-process: usage errors exit 2 with the usage, -h exits 0, a config that does
// not validate or a server that is not there exits 1 with one line per problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCtl } from '../../src/ctl/index.ts';
import { freePort } from '../helpers/ports.ts';

async function ctl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCtl(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {} });
  return { code, out, err };
}

test('usage errors exit 2 and say what is wrong', async () => {
  const cases: [string[], RegExp][] = [
    [[], /a command is needed\nusage: sluice ctl/],
    [['token-of-the-day'], /unknown command "token-of-the-day"\nusage: sluice ctl/],
    [['--bogus', 'streams'], /Unknown option '--bogus'/],
    [['kick'], /usage: sluice ctl \[options\] kick ID/],
    [['streams', 'extra'], /usage: sluice ctl \[options\] streams/],
    [['--api', 'not a url', 'streams'], /--api not a url is not a URL/],
  ];
  for (const [argv, re] of cases) {
    const r = await ctl(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, re, argv.join(' '));
    assert.equal(r.out, '');
  }
});

test('-h prints every command and exits 0', async () => {
  const r = await ctl('-h');
  assert.equal(r.code, 0);
  for (const c of ['summaries', 'vhosts', 'streams', 'clients', 'kick ID', 'reload']) assert.match(r.out, new RegExp(`^  ${c} `, 'm'));
});

test('a config that does not validate names the key; a server not there is one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-ctl-'));
  try {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'http_api:\n  auth:\n    token: 5\n');
    const bad = await ctl('-c', file, 'streams');
    assert.equal(bad.code, 1);
    assert.equal(bad.err, 'sluice ctl: config error: http_api.auth.token: must be a string\n');

    const port = await freePort();
    writeFileSync(file, `http_api:\n  listen: ${port}\n  auth:\n    token: t\n`);
    const down = await ctl('-c', file, 'streams');
    assert.equal(down.code, 1);
    assert.equal(down.err, `sluice ctl: server not running at http://127.0.0.1:${port}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Turning tokens on with a reload: the publish already running
// goes on, a new one needs a token; a reload to auth on with no secret is refused and
// the old settings stay.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, until } from '../helpers/clients.ts';
import { connectRecorded } from '../fixtures/rtmp/our-clients.ts';
import { SECRET, token } from '../helpers/tokens.ts';

let server: TestServer;

before(async () => {
  server = await startServer({ workers: 2 });
});
after(async () => {
  await server?.stop();
});

function rewriteConfig(edit: (c: Record<string, any>) => void): void {
  const path = join(server.dir, 'sluice.yaml');
  const c = parse(readFileSync(path, 'utf8')) as Record<string, any>;
  edit(c);
  writeFileSync(path, stringify(c));
}

async function reload(expect: RegExp): Promise<void> {
  const before = server.logs().split('\n').filter((l) => expect.test(l)).length;
  server.proc.kill('SIGHUP');
  await until(() => server.logs().split('\n').filter((l) => expect.test(l)).length > before, 10000, `a log line ${expect}`);
}

test('SIGHUP turns tokens on for new publishes only; an empty secret is refused by name', async () => {
  const running = publish(server.rtmpUrl('live/before'), 'av-1mbps.flv', { loop: true });
  try {
    await server.waitForLog(/live\/before".*publish started/, 15000);

    rewriteConfig((c) => { c.vhosts.__defaultVhost__.auth = { enabled: true, secret: '' }; });
    await reload(/reload refused/);
    assert.match(server.logs(), /vhosts\.__defaultVhost__\.auth\.secret: must not be empty/);
    const stillOpen = await connectRecorded(server.rtmpUrl('live'));
    await stillOpen.client.publish('no-token-yet');
    await stillOpen.client.close();

    rewriteConfig((c) => { c.vhosts.__defaultVhost__.auth = { enabled: true, secret: SECRET }; });
    await reload(/configuration reloaded/);
    // Each worker applies the new config: try until a publish without a token is refused.
    await until(async () => {
      const rec = await connectRecorded(server.rtmpUrl('live'));
      const refused = await rec.client.publish(`after-${Date.now()}`).then(() => false, () => true);
      rec.client.destroy();
      return refused;
    }, 10000, 'a refusal');
    const rec = await connectRecorded(server.rtmpUrl('live'));
    await rec.client.publish(`with-token?token=${await token({ act: 'publish' })}`);
    await rec.client.close();

    assert.equal(running.proc.exitCode, null, 'the publish that started before the reload goes on');
    assert.doesNotMatch(server.logs(), /live\/before".*unpublished/);
  } finally {
    await running.stop();
  }
});

// A publish let in by its token is forwarded without it: the upstream
// server's on_publish hook sees the publisher's other parameters and no token, and the
// forwarding server's log never prints it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, until } from '../helpers/clients.ts';
import { startHookReceiver, type HookReceiver } from './hooks-receiver.ts';
import { SECRET, token } from '../helpers/tokens.ts';

let upstream: TestServer | undefined;
let origin: TestServer | undefined;
let hooks: HookReceiver | undefined;

after(async () => {
  await origin?.stop();
  await upstream?.stop();
  await hooks?.close();
});

test('a forwarded publish carries the publisher\'s parameters but not its token', async () => {
  hooks = await startHookReceiver(() => '0');
  upstream = await startServer({ vhost: { http_hooks: { enabled: true, on_publish: [`${hooks.url}/on_publish`] } } });
  origin = await startServer({
    vhost: {
      auth: { enabled: true, secret: SECRET },
      forward: { enabled: true, destination: [`127.0.0.1:${upstream.rtmpPort}`] },
    },
  });
  const t = await token({ act: 'publish', stream: 'live/fwd' });
  const pub = publish(`${origin.rtmpUrl('live')}/fwd?token=${t}&note=kept`, 'av-1mbps.flv', { loop: true });
  try {
    const hit = (await until(() => hooks!.hits.find((h) => h.body.action === 'on_publish' && h.body.stream === 'fwd'), 30000, 'the forwarded publish'))!;
    assert.match(String(hit.body.param), /note=kept/);
    assert.ok(!hit.raw.includes('token'), hit.raw);
    assert.ok(!hit.raw.includes(t));
  } finally {
    await pub.stop();
  }
  assert.ok(!origin.logs().includes(t), 'the token in the forwarding server\'s log');
  assert.ok(!upstream.logs().includes(t), 'the token in the upstream server\'s log');
});

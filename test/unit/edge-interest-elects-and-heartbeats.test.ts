// The fan-out's side of an edge pull, with a recording context: on an edge vhost a
// fan-out with players and no stream asks its hub for an Edge candidate (not more than
// once per 2 s while none is elected), reports its player count to the elected Edge on
// every change and heartbeat, and says 0 when it stops; elsewhere it does nothing.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/index.ts';
import type { SluiceConfig } from '../../src/config/types.ts';
import { EdgeInterest, splitStreamKey } from '../../src/actors/relay/edge-interest.ts';
import { edgeName } from '../../src/actors/relay/edge.ts';
import { DIRECTORY_REF, type ActorContext, type ActorRef } from '../../src/runtime/index.ts';

const HUB: ActorRef = { worker: 1, id: 2 };
const SELF: ActorRef = { worker: 1, id: 9 };
const EDGE: ActorRef = { worker: 2, id: 40 };

function recordingCtx(): { ctx: ActorContext; sent: { to: ActorRef; msg: any }[] } {
  const sent: { to: ActorRef; msg: any }[] = [];
  const ctx = { self: SELF, parent: HUB, tell: (to: ActorRef, msg: unknown) => sent.push({ to, msg }) } as unknown as ActorContext;
  return { ctx, sent };
}

let config: SluiceConfig;

beforeEach(() => {
  const res = validateConfig({
    workers: 1,
    vhosts: {
      __defaultVhost__: {},
      'edge.example': { cluster: { mode: 'remote', origin: ['127.0.0.1:1935'] } },
      'lonely.example': { cluster: { mode: 'remote', origin: [] } },
    },
  });
  assert.ok('config' in res, JSON.stringify(res));
  config = res.config;
});

test('stream keys split into vhost, app (may hold slashes) and stream', () => {
  assert.deepEqual(splitStreamKey('__defaultVhost__/live/s1'), { vhost: '__defaultVhost__', app: 'live', stream: 's1' });
  assert.deepEqual(splitStreamKey('v/app/inst/s'), { vhost: 'v', app: 'app/inst', stream: 's' });
  for (const bad of ['', 'v', 'v/s', '/a/s', 'v/a/']) assert.equal(splitStreamKey(bad), null, bad);
});

test('only edge vhosts with origins get an interest', () => {
  const { ctx } = recordingCtx();
  assert.equal(EdgeInterest.forKey('__defaultVhost__/live/s', ctx, config), null);
  assert.equal(EdgeInterest.forKey('lonely.example/live/s', ctx, config), null);
  assert.ok(EdgeInterest.forKey('edge.example/live/s', ctx, config));
});

test('players without a stream spawn one candidate, then heartbeats go to the elected edge', () => {
  const { ctx, sent } = recordingCtx();
  const key = 'edge.example/live/s';
  const interest = EdgeInterest.forKey(key, ctx, config)!;
  assert.deepEqual(sent.shift(), { to: DIRECTORY_REF, msg: { type: 'dir/subscribe', name: edgeName(key), subscriber: SELF } });

  interest.update(0, false);
  assert.equal(sent.length, 0, 'no players: no pull');
  interest.update(3, true);
  assert.equal(sent.length, 0, 'a local publisher serves them: no pull');
  interest.update(1, false);
  interest.update(2, false);
  assert.deepEqual(sent, [{ to: HUB, msg: { type: 'hub/edge-pull', args: { key, vhost: 'edge.example', app: 'live', stream: 's' } } }]);
  sent.length = 0;

  assert.equal(interest.onDirectory({ type: 'dir/appeared', name: '__defaultVhost__/live/s', entry: {} }, 2, false), false);
  assert.equal(interest.onDirectory({ type: 'dir/appeared', name: edgeName(key), entry: { edge: EDGE } }, 2, false), true);
  interest.update(2, true);
  interest.update(5, true);
  interest.update(5, true, true);
  const counts = sent.map((s) => (assert.deepEqual(s.to, EDGE), (s.msg as unknown as { players: number }).players));
  assert.deepEqual(counts, [2, 5, 5]);
  assert.deepEqual(sent[0]!.msg, { type: 'edge/interest', from: SELF, players: 2 });
  sent.length = 0;

  // The edge went away while players remain: a new candidate at once.
  interest.onDirectory({ type: 'dir/disappeared', name: edgeName(key) }, 4, false);
  assert.deepEqual(sent.map((s) => s.msg.type), ['hub/edge-pull']);
  sent.length = 0;
  interest.onDirectory({ type: 'dir/appeared', name: edgeName(key), entry: { edge: EDGE } }, 4, false);
  sent.length = 0;
  interest.stop();
  assert.deepEqual(sent, [
    { to: EDGE, msg: { type: 'edge/interest', from: SELF, players: 0 } },
    { to: DIRECTORY_REF, msg: { type: 'dir/unsubscribe', name: edgeName(key), subscriber: SELF } },
  ]);
});

test('on an origin of a cluster every non-edge vhost pulls through the directory; edge vhosts keep their origins', () => {
  const res = validateConfig({
    workers: 1,
    cluster: { redis: 'redis://127.0.0.1:6379/0' },
    vhosts: { __defaultVhost__: {}, 'edge.example': { cluster: { mode: 'remote', origin: ['127.0.0.1:1935'] } } },
  });
  assert.ok('config' in res, JSON.stringify(res));
  config = res.config;
  const { ctx, sent } = recordingCtx();
  const local = EdgeInterest.forKey('__defaultVhost__/live/s', ctx, config)!;
  assert.ok(local, 'a cluster origin looks for streams it lacks');
  sent.length = 0;
  local.update(1, false);
  assert.deepEqual(sent.map((s) => s.msg), [{ type: 'hub/edge-pull', args: { key: '__defaultVhost__/live/s', vhost: '__defaultVhost__', app: 'live', stream: 's', viaDirectory: true } }]);
  const edge = EdgeInterest.forKey('edge.example/live/s', ctx, config)!;
  sent.length = 0;
  edge.update(1, false);
  assert.equal(sent[0]!.msg.args.viaDirectory, undefined, 'an edge vhost pulls from its own origin list');
});

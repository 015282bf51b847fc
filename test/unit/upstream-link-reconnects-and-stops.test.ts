// The upstream link that forwarders and edges share, driven the way an actor drives it
// (its reports come back as messages, its retries as timers) against a real server behind
// a proxy on 127.0.0.1 that the test can cut: it publishes, comes back after the
// connection drops, moves to the next host after a failure, and once stopped never
// connects again.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, type TestServer } from '../helpers/server.ts';
import { until, sleep } from '../helpers/clients.ts';
import { relayTo } from '../helpers/tcp-relay.ts';
import { Backoff, UpstreamLink, type LinkDrop } from '../../src/actors/relay/upstream-link.ts';
import type { RtmpClient } from '../../src/io/rtmp-client.ts';
import type { ActorRef } from '../../src/runtime/index.ts';

/** Accepts on 127.0.0.1, counts connections, and relays them to `target` (or closes them at once). */
class CountingProxy {
  accepted = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;

  constructor(target: number | null) {
    this.server = net.createServer((inbound) => {
      this.accepted++;
      if (target === null) inbound.destroy();
      else relayTo(inbound, target, this.sockets);
    });
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port)));
  }

  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

type Report = { type: 'up'; gen: number; client: RtmpClient } | { type: 'down'; gen: number; reason: string } | { type: 'retry' };

/** A link with a stand-in actor: messages and timers are delivered to it as the runtime would. */
function drivenLink(hosts: string[], stream: string): { link: UpstreamLink; ups: number; drops: LinkDrop[]; stop(): void } {
  const self: ActorRef = { worker: 0, id: 1 };
  const timers = new Set<NodeJS.Timeout>();
  const state = { link: null as unknown as UpstreamLink, ups: 0, drops: [] as LinkDrop[], stop: () => {} };
  const dial = (): void => state.link.open(`rtmp://${state.link.host}/live`, stream);
  const receive = (msg: Report): void => {
    if (msg.type === 'up' && state.link.up(msg.gen, msg.client)) state.ups++;
    if (msg.type === 'down') {
      const drop = state.link.down(msg.gen, msg.reason);
      if (drop) state.drops.push(drop);
    }
    if (msg.type === 'retry') dial();
  };
  const ctx = {
    self,
    tell: (_to: ActorRef, msg: unknown) => queueMicrotask(() => receive(msg as Report)),
    schedule: (ms: number, msg: unknown) => {
      const t = setTimeout(() => {
        timers.delete(t);
        receive(msg as Report);
      }, ms);
      timers.add(t);
      return () => {
        clearTimeout(t);
        timers.delete(t);
      };
    },
  };
  state.link = new UpstreamLink(ctx, {
    mode: 'publish',
    messages: { up: 'up', down: 'down', retry: 'retry' },
    hosts,
    timeoutMs: 3000,
    backoff: new Backoff(100, 400),
  });
  state.stop = () => state.link.stop();
  dial();
  return state;
}

let server: TestServer;
const proxies: CountingProxy[] = [];
const links: { stop(): void }[] = [];

async function proxy(target: number | null): Promise<{ proxy: CountingProxy; host: string }> {
  const p = new CountingProxy(target);
  proxies.push(p);
  return { proxy: p, host: `127.0.0.1:${await p.listen()}` };
}

before(async () => {
  server = await startServer({ workers: 1 });
});
after(async () => {
  for (const l of links) l.stop();
  for (const p of proxies) await p.close();
  await server.stop();
});

test('the link publishes, and after the connection drops it publishes again after the first backoff', async () => {
  const { proxy: p, host } = await proxy(server.rtmpPort);
  const d = drivenLink([host], 'link-drop');
  links.push(d);
  await until(() => d.ups === 1, 10000, 'first publish');
  assert.ok(d.link.client, 'the started connection is the link client');
  p.cut();
  await until(() => d.ups === 2, 10000, 'publish after the drop');
  assert.equal(d.drops.length, 1);
  assert.equal(d.drops[0]!.wasUp, true);
  assert.equal(d.drops[0]!.retryMs, 100);
  assert.equal(p.accepted, 2);
  await until(() => (server.logs().match(/link-drop[^\n]*"msg":"publish started"/g) ?? []).length >= 2, 5000, 'two publishes on the server');
  d.stop();
  assert.equal(d.link.client, null);
});

test('a failed attempt moves the link to the next host of its list', async () => {
  const dead = await proxy(null);
  const good = await proxy(server.rtmpPort);
  const d = drivenLink([dead.host, good.host], 'link-next-host');
  links.push(d);
  await until(() => d.ups === 1, 10000, 'publish on the second host');
  assert.equal(dead.proxy.accepted, 1);
  assert.equal(good.proxy.accepted, 1);
  assert.equal(d.drops.length, 1);
  assert.equal(d.drops[0]!.wasUp, false);
  assert.equal(d.drops[0]!.failuresInRow, 1);
  d.stop();
});

test('a stopped link never connects again, whatever was pending', async () => {
  const dead = await proxy(null);
  const d = drivenLink([dead.host], 'link-stop');
  links.push(d);
  await until(() => d.drops.length >= 2, 10000, 'two failed attempts');
  // Delays so far 100 then 200 ms: the backoff doubles after each failure in a row.
  assert.deepEqual(d.drops.slice(0, 2).map((x) => x.retryMs), [100, 200]);
  d.stop();
  const attempts = dead.proxy.accepted;
  await sleep(1200); // three times the longest backoff
  assert.equal(dead.proxy.accepted, attempts);
  assert.equal(d.link.isStopped, true);
  d.link.open(`rtmp://${dead.host}/live`, 'link-stop');
  await sleep(200);
  assert.equal(dead.proxy.accepted, attempts, 'open after stop does nothing');
});

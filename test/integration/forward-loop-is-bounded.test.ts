// Forward loops. A forwards to B and B back to A: the stream comes back to A under a
// name A already has, so A refuses it (BadName) and B's forwarder backs off (1, 2, 4 ...
// 10 s); nothing grows and everything ends with the publisher. Hops: each forward adds
// one to `sluice_hops`, and no server forwards a stream that already made 5 hops, so a
// ring of servers stops forwarding whatever the names do.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { publish, ffprobeStreams, sleep, until, type Proc } from '../helpers/clients.ts';
import { Relay } from './forward-relay.ts';

const servers: TestServer[] = [];
const procs: Proc[] = [];
const relays: Relay[] = [];
after(async () => {
  for (const p of procs) await p.stop();
  for (const r of relays) await r.to(null);
  for (const s of servers) await s.stop();
});

async function start(vhost: Record<string, unknown>): Promise<TestServer> {
  const s = await startServer({ workers: 1, vhost });
  servers.push(s);
  return s;
}

function count(s: TestServer, re: RegExp): number {
  return s.logs().split('\n').filter((l) => re.test(l)).length;
}

function forwardTo(port: number): Record<string, unknown> {
  return { forward: { enabled: true, destination: [`127.0.0.1:${port}`] } };
}

function alive(s: TestServer): boolean {
  return s.proc.exitCode === null && s.proc.signalCode === null;
}

test('A -> B -> A: A refuses its own stream coming back, B backs off, all ends with the publisher', async () => {
  // Each names the other: A forwards to a relay that leads to B once B runs.
  const relay = await Relay.create();
  relays.push(relay);
  const a = await start(forwardTo(relay.port));
  const b = await start(forwardTo(a.rtmpPort));
  await relay.to(b.rtmpPort);
  const pub = publish(a.rtmpUrl('live/loop'), 'av-1mbps.flv', { loop: true });
  procs.push(pub);
  await b.waitForLog(/"msg":"forward failed"/, 15000);
  await a.waitForLog(/live\/loop is busy: publish refused/, 5000);
  await sleep(6000);
  // About 1 + 2 + 4 s of backoff: a handful of attempts, not a storm.
  const attempts = count(b, /"msg":"forward failed"/);
  assert.ok(attempts >= 1 && attempts <= 5, `${attempts} attempts in ~7 s`);
  assert.equal(count(a, /"msg":"publish started"/), 1, 'A has one publish: the original');
  assert.equal(count(b, /"msg":"publish started"/), 1);
  assert.ok(alive(a) && alive(b));
  // The stream still plays on both.
  for (const s of [a, b]) assert.equal((await ffprobeStreams(s.rtmpUrl('live/loop'))).length, 2);
  await pub.stop();
  await b.waitForLog(/"msg":"unpublished"/, 10000);
  await sleep(1500);
  assert.equal(count(a, /"msg":"forward started"/), 1);
  assert.ok(alive(a) && alive(b));
});

test('a ring A -> B -> C -> A stops forwarding once the stream made 5 hops', async () => {
  const toA = await Relay.create();
  relays.push(toA);
  const c = await start(forwardTo(toA.port));
  const b = await start(forwardTo(c.rtmpPort));
  const a = await start(forwardTo(b.rtmpPort));
  await toA.to(a.rtmpPort);
  // The publisher says the stream already made 3 hops: A sends 4 to B, B sends 5 to C,
  // and C does not forward it at all.
  const pub = publish(a.rtmpUrl('live/ring?sluice_hops=3'), 'av-1mbps.flv', { loop: true });
  procs.push(pub);
  await c.waitForLog(/"msg":"not forwarded: hop limit reached/, 15000);
  await b.waitForLog(/sluice_hops=5/, 5000);
  assert.equal((await ffprobeStreams(c.rtmpUrl('live/ring'))).length, 2, 'C still plays it');
  await sleep(1000);
  assert.equal(count(c, /"msg":"forward started"/), 0);
  assert.equal(count(a, /"msg":"publish started"/), 1);
  await until(() => alive(a) && alive(b) && alive(c), 1000, 'servers alive');
  await pub.stop();
});

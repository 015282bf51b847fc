// Hostile input: each bad connection is closed on its own with one
// warn line, while a player of another stream keeps receiving and the server lives.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import type { TestServer } from '../helpers/server.ts';
import { startWatchedServer, stopWatchedServer } from '../fixtures/rtmp/watched-server.ts';
import { until, type Proc } from '../helpers/clients.ts';
import { closedWithin, rawSocket, rssKiB, type Recorded } from '../fixtures/rtmp/our-clients.ts';
import { ClientHandshake } from '../../src/net/rtmp/handshake.ts';
import { encodeChunked } from '../../src/net/rtmp/chunk-writer.ts';
import { encodeAmf0 } from '../../src/net/amf/amf0.ts';

let server: TestServer;
let feeder: Proc;
let watcher: Recorded;

before(async () => {
  ({ server, feeder, watcher } = await startWatchedServer());
});
after(async () => {
  await stopWatchedServer({ server, feeder, watcher });
});

const warnCount = (): number => (server.logs().match(/"level":40/g) ?? []).length;

/** The watcher's latest media timestamp moves on, and the server is alive. */
async function othersUnharmed(): Promise<void> {
  assert.equal(server.proc.exitCode, null, 'server alive');
  const ts = watcher.media().at(-1)!.timestamp;
  await until(() => watcher.media().at(-1)!.timestamp > ts + 300, 5000, 'watcher timestamps advance');
  assert.equal(watcher.client.closedReason, null, 'watcher still connected');
}

/** A socket past a simple handshake. */
async function handshaken(): Promise<net.Socket> {
  const s = await rawSocket(server.rtmpPort);
  const hs = new ClientHandshake({ complex: false });
  s.write(hs.start());
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      const step = hs.push(d);
      if (step.send) s.write(step.send);
      if (step.done) {
        s.off('data', onData);
        resolve();
      }
    };
    s.on('data', onData);
    s.once('close', () => reject(new Error('closed during handshake')));
  });
  return s;
}

/** Runs `attack` on a fresh socket; expects it closed in time with exactly one new warn line matching `reason`. */
async function expectClosedAlone(name: string, sock: net.Socket, attack: (s: net.Socket) => void, reason: RegExp, timeoutMs = 3000): Promise<void> {
  const before = warnCount();
  const logLen = server.logs().length;
  attack(sock);
  assert.equal(await closedWithin(sock, timeoutMs), true, `${name}: connection closed`);
  await until(() => warnCount() > before, 3000, `${name}: a warn line`);
  await new Promise((r) => setTimeout(r, 200));
  const added = server.logs().slice(logLen).split('\n').filter((l) => l.includes('"level":40'));
  assert.equal(added.length, 1, `${name}: one warn line, got ${added.join('\n')}`);
  assert.match(added[0]!, /rtmp connection closed/);
  assert.match(added[0]!, reason, `${name}: reason`);
  assert.match(added[0]!, /"ip":"127\.0\.0\.1"/);
  sock.destroy();
  await othersUnharmed();
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}

test('random bytes instead of a handshake', async () => {
  const bytes = randomBytes(3000);
  bytes[0] = 0x55;
  await expectClosedAlone('random', await rawSocket(server.rtmpPort), (s) => s.write(bytes), /handshake/i);
});

test('garbage chunks after a good handshake: a fmt 0 header inside a message', async () => {
  const s = await handshaken();
  const first = encodeChunked({ csid: 3, type: 20, streamId: 0, timestamp: 0, payload: new Uint8Array(300).fill(2) }, 128);
  await expectClosedAlone('garbage chunks', s, (x) => x.write(Buffer.concat([first.subarray(0, 12 + 128), first.subarray(0, 12 + 50)])), /chunk/i);
});

test('a command whose AMF is garbage', async () => {
  const s = await handshaken();
  await expectClosedAlone('garbage AMF', s, (x) => x.write(encodeChunked({ csid: 3, type: 20, streamId: 0, timestamp: 0, payload: new Uint8Array(40).fill(0xff) }, 128)), /AMF|command|message/i);
});

for (const size of [0, 1, 0x7fffffff, 0x80000000]) {
  test(`Set Chunk Size ${size}`, async () => {
    const s = await handshaken();
    const msg = encodeChunked({ csid: 2, type: 1, streamId: 0, timestamp: 0, payload: u32(size) }, 128);
    await expectClosedAlone(`chunk size ${size}`, s, (x) => x.write(msg), /chunk size/i);
  });
}

test('messages declaring 0xFFFFFF bytes on ever more chunk streams: memory bounded, closed at the chunk stream limit', async () => {
  const rssBefore = rss();
  const s = await handshaken();
  const parts: Uint8Array[] = [];
  for (let csid = 3; csid < 3 + 70; csid++) {
    const basic = csid < 64 ? [csid] : [0, csid - 64];
    const header = new Uint8Array([...basic, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0]);
    parts.push(header, new Uint8Array(128).fill(1));
  }
  await expectClosedAlone('chunk streams', s, (x) => x.write(Buffer.concat(parts)), /chunk streams/i);
  assert.ok(rss() - rssBefore < 300 * 1024, `server RSS grew by ${rss() - rssBefore} KiB`);
});

test('a truncated connect command', async () => {
  const s = await handshaken();
  const full = encodeAmf0('connect', 1, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live', flashVer: 'x' });
  const cut = full.subarray(0, full.length - 10);
  await expectClosedAlone('truncated connect', s, (x) => x.write(encodeChunked({ csid: 3, type: 20, streamId: 0, timestamp: 0, payload: cut }, 128)), /AMF|command|message/i);
});

test('a connect whose command object nests 20,000 objects deep', async () => {
  const s = await handshaken();
  const head = encodeAmf0('connect', 1);
  // Each level: object marker, then a property "a" whose value is the next level.
  const level = [0x03, 0x00, 0x01, 0x61];
  const bomb = new Uint8Array(head.length + 20000 * level.length);
  bomb.set(head, 0);
  for (let i = 0; i < 20000; i++) bomb.set(level, head.length + i * level.length);
  await expectClosedAlone('depth bomb', s, (x) => x.write(encodeChunked({ csid: 3, type: 20, streamId: 0, timestamp: 0, payload: bomb }, 128)), /deep|depth/i);
});

test('a handshake that stops midway is closed by the handshake timeout', async () => {
  const s = await rawSocket(server.rtmpPort);
  await expectClosedAlone('truncated handshake', s, (x) => x.write(new Uint8Array(1 + 700).fill(3)), /handshake timeout/, 13000);
});

function rss(): number {
  return rssKiB(server.proc.pid!);
}

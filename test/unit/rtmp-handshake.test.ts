import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { ClientHandshake, ServerHandshake } from '../../src/net/rtmp/handshake.ts';
import type { HandshakeStep } from '../../src/net/rtmp/handshake.ts';
import { isSluiceError } from '../../src/errors.ts';

// Deliberately independent of handshake-digest.ts: keys and offsets are rebuilt here
// from the published layout, so a shared mistake cannot pass both.
const TAIL = Buffer.from('f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae', 'hex');
const FP = Buffer.from('Genuine Adobe Flash Player 001');
const FMS = Buffer.from('Genuine Adobe Flash Media Server 001');
const FP_FULL = Buffer.concat([FP, TAIL]);
const FMS_FULL = Buffer.concat([FMS, TAIL]);

function hmac(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** schema 0: key block then digest block (digest block at 772); schema 1: digest block at 8. */
function expectedPos(b: Uint8Array, schema: 0 | 1): number {
  const base = schema === 0 ? 772 : 8;
  return base + 4 + ((b[base]! + b[base + 1]! + b[base + 2]! + b[base + 3]!) % 728);
}

function digestValid(b: Uint8Array, schema: 0 | 1, key: Uint8Array): boolean {
  const pos = expectedPos(b, schema);
  const joined = Buffer.concat([b.subarray(0, pos), b.subarray(pos + 32)]);
  return hmac(key, joined).equals(Buffer.from(b.subarray(pos, pos + 32)));
}

/** Builds a Flash-like C0+C1 signed in the given schema, without using the module under test. */
function flashC0C1(schema: 0 | 1, seed: number): Uint8Array {
  const c = new Uint8Array(1537);
  c[0] = 3;
  let s = seed;
  for (let i = 1; i < c.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    c[i] = s >>> 24;
  }
  const c1 = c.subarray(1);
  c1.set([0, 0, 0, 1], 0);
  c1.set([10, 0, 45, 2], 4);
  const pos = expectedPos(c1, schema);
  const joined = Buffer.concat([c1.subarray(0, pos), c1.subarray(pos + 32)]);
  c1.set(hmac(FP, joined), pos);
  return c;
}

function seeded(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0;
  return (n) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      b[i] = s >>> 24;
    }
    return b;
  };
}

const opts = () => ({ random: seeded(7), now: () => 1234 });

for (const schema of [0, 1] as const) {
  test(`server answers a Flash C1 signed in schema ${schema} with a digest handshake`, () => {
    const c0c1 = flashC0C1(schema, 99 + schema);
    assert.ok(digestValid(c0c1.subarray(1), schema, FP), 'test vector itself is valid');
    const hs = new ServerHandshake(opts());
    const step = hs.push(c0c1);
    assert.equal(step.done, false);
    assert.ok(step.send);
    const out = step.send!;
    assert.equal(out.length, 1 + 1536 * 2);
    assert.equal(out[0], 3);
    assert.equal(hs.complex, true);
    assert.equal(hs.schema, schema);
    const s1 = out.subarray(1, 1537);
    const s2 = out.subarray(1537);
    assert.deepEqual([...s1.subarray(0, 4)], [0, 0, 4, 210], 'time field from now()');
    assert.notDeepEqual([...s1.subarray(4, 8)], [0, 0, 0, 0]);
    assert.ok(digestValid(s1, schema, FMS), 'S1 signed in the client schema');
    assert.ok(!digestValid(s1, schema === 0 ? 1 : 0, FMS));
    const c1 = c0c1.subarray(1);
    const pos = expectedPos(c1, schema);
    const tempKey = hmac(FMS_FULL, c1.subarray(pos, pos + 32));
    assert.deepEqual(Buffer.from(s2.subarray(1504)), hmac(tempKey, s2.subarray(0, 1504)));
  });
}

test('server falls back to the simple handshake: zero version, S2 echoes C1', () => {
  for (const version of [[0, 0, 0, 0], [9, 0, 124, 2]]) {
    const c0c1 = new Uint8Array(1537);
    c0c1[0] = 3;
    for (let i = 9; i < 1537; i++) c0c1[i] = (i * 31) & 0xff;
    c0c1.set(version, 5); // an unsigned C1 with a version set must also fall back
    const hs = new ServerHandshake(opts());
    const out = hs.push(c0c1).send!;
    assert.equal(hs.complex, false);
    assert.deepEqual([...out.subarray(5, 9)], [0, 0, 0, 0]);
    assert.deepEqual(out.subarray(1537), c0c1.subarray(1));
  }
});

test('server is done after C2, tolerates a C2 that does not echo S1, and returns the rest', () => {
  const hs = new ServerHandshake(opts());
  hs.push(flashC0C1(1, 5));
  const c2AndMore = new Uint8Array(1536 + 3);
  c2AndMore.set([0xaa, 0xbb, 0xcc], 1536);
  const step = hs.push(c2AndMore);
  assert.deepEqual(step, { send: null, done: true, rest: new Uint8Array([0xaa, 0xbb, 0xcc]) });
  assert.equal(hs.done, true);
});

test('everything in one push: answer, done and rest together', () => {
  const all = new Uint8Array(1537 + 1536 + 2);
  all.set(flashC0C1(0, 1), 0);
  all.set([1, 2], 1537 + 1536);
  const step = new ServerHandshake(opts()).push(all);
  assert.equal(step.send!.length, 3073);
  assert.equal(step.done, true);
  assert.deepEqual(step.rest, new Uint8Array([1, 2]));
});

function feedBytewise(push: (b: Uint8Array) => HandshakeStep, data: Uint8Array): { sends: Uint8Array[]; done: boolean } {
  const sends: Uint8Array[] = [];
  let done = false;
  for (let i = 0; i < data.length; i++) {
    const s = push(data.subarray(i, i + 1));
    if (s.send) sends.push(s.send);
    assert.equal(s.rest, null);
    done = s.done;
    if (i < data.length - 1) assert.equal(done, false);
  }
  return { sends, done };
}

test('server fed one byte at a time answers identically', () => {
  const c0c1 = flashC0C1(1, 3);
  const whole = new ServerHandshake(opts()).push(c0c1).send!;
  const hs = new ServerHandshake(opts());
  const { sends } = feedBytewise((b) => hs.push(b), c0c1);
  assert.equal(sends.length, 1);
  assert.deepEqual(sends[0], whole);
  const { done } = feedBytewise((b) => hs.push(b), new Uint8Array(1536));
  assert.equal(done, true);
});

test('truncated handshake never completes', () => {
  const hs = new ServerHandshake(opts());
  assert.equal(hs.push(flashC0C1(0, 2).subarray(0, 1536)).send, null);
  const hs2 = new ServerHandshake(opts());
  hs2.push(flashC0C1(0, 2));
  const s = hs2.push(new Uint8Array(1535));
  assert.equal(s.done, false);
  assert.equal(hs2.done, false);
});

test('bad C0 version is refused with RTMP_HANDSHAKE', () => {
  for (const v of [0, 6, 0x47, 255]) {
    assert.throws(() => new ServerHandshake().push(new Uint8Array([v, 0, 0])), (e) => isSluiceError(e, 'RTMP_HANDSHAKE'));
  }
});

for (const complex of [true, false]) {
  test(`our client against our server (client complex=${complex})`, () => {
    const client = new ClientHandshake({ complex, random: seeded(1), now: () => 5 });
    const server = new ServerHandshake({ random: seeded(2) });
    const c0c1 = client.start();
    assert.equal(c0c1.length, 1537);
    if (complex) assert.ok(digestValid(c0c1.subarray(1), 1, FP), 'C1 signed in schema 1');
    else assert.deepEqual([...c0c1.subarray(5, 9)], [0, 0, 0, 0]);
    const s = server.push(c0c1);
    assert.equal(server.complex, complex);
    const trailer = new Uint8Array([0x02, 0x00]);
    const withTrailer = new Uint8Array(s.send!.length + 2);
    withTrailer.set(s.send!, 0);
    withTrailer.set(trailer, s.send!.length);
    const c = client.push(withTrailer);
    assert.equal(c.done, true);
    assert.deepEqual(c.rest, trailer);
    assert.equal(client.serverDigestValid, complex);
    assert.equal(client.serverResponseValid, complex);
    const c2 = c.send!;
    assert.equal(c2.length, 1536);
    const s1 = s.send!.subarray(1, 1537);
    if (complex) {
      // Flash's C2: HMAC(HMAC(full player key, S1 digest), first 1504 bytes).
      const pos = expectedPos(s1, 1);
      const tempKey = hmac(FP_FULL, s1.subarray(pos, pos + 32));
      assert.deepEqual(Buffer.from(c2.subarray(1504)), hmac(tempKey, c2.subarray(0, 1504)));
    } else {
      assert.deepEqual(c2, s1);
    }
    assert.equal(server.push(c2).done, true);
  });
}

test('complex client accepts a simple server and echoes S1', () => {
  const client = new ClientHandshake({ random: seeded(3) });
  const c0c1 = client.start();
  const s0s1s2 = new Uint8Array(3073);
  s0s1s2[0] = 3;
  for (let i = 9; i < 1537; i++) s0s1s2[i] = i & 0xff;
  s0s1s2.set(c0c1.subarray(1), 1537);
  const { sends, done } = feedBytewise((b) => client.push(b), s0s1s2);
  assert.equal(done, true);
  assert.equal(client.serverDigestValid, false);
  assert.deepEqual(sends, [s0s1s2.subarray(1, 1537)]);
});

test('client refuses a bad S0 and a push before start', () => {
  const client = new ClientHandshake();
  assert.throws(() => client.push(new Uint8Array([3])), (e) => isSluiceError(e, 'RTMP_HANDSHAKE'));
  client.start();
  assert.throws(() => client.push(new Uint8Array([6])), (e) => isSluiceError(e, 'RTMP_HANDSHAKE'));
});

test('random garbage either answers or throws SluiceError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 4000 }), fc.integer({ min: 1, max: 2000 }), (data, cut) => {
      const client = new ClientHandshake({ random: seeded(1) });
      client.start();
      for (const hs of [new ServerHandshake({ random: seeded(1) }), client]) {
        try {
          hs.push(data.subarray(0, cut));
          hs.push(data.subarray(cut));
        } catch (e) {
          assert.ok(isSluiceError(e, 'RTMP_HANDSHAKE'), String(e));
        }
      }
    }),
    { numRuns: 200 },
  );
  // Valid version byte followed by garbage: always completes, never throws.
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 3073, maxLength: 3100 }), (data) => {
      data[0] = 3;
      assert.equal(new ServerHandshake({ random: seeded(1) }).push(data).done, true);
    }),
    { numRuns: 100 },
  );
});

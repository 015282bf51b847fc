// RTMP handshake, both sides, sans-I/O: feed received bytes, send what comes back.
// The server tries the digest ("complex") handshake Flash Player needs for H.264/AAC
// and falls back to the simple one (S2 = C1 echo) that encoders accept.
import { randomBytes } from 'node:crypto';
import { SluiceError } from '../../errors.ts';
import {
  DIGEST_SIZE,
  HANDSHAKE_SIZE,
  PLAYER_KEY,
  PLAYER_KEY_PARTIAL,
  SERVER_KEY,
  SERVER_KEY_PARTIAL,
  findDigest,
  imprintDigest,
  signResponse,
  verifyResponse,
} from './handshake-digest.ts';
import type { DigestSchema } from './handshake-digest.ts';

export const RTMP_VERSION = 3;

export interface HandshakeStep {
  /** Bytes to write to the peer now, if any. */
  send: Uint8Array | null;
  /** True once the handshake is complete; later bytes belong to the chunk stream. */
  done: boolean;
  /** Bytes of this push that came after the handshake (a subarray of the input). */
  rest: Uint8Array | null;
}

export interface HandshakeOptions {
  /** Source of random bytes; defaults to node:crypto. Tests pass a seeded one. */
  random?: (n: number) => Uint8Array;
  /** Milliseconds for the time field of C1/S1; defaults to Date.now. */
  now?: () => number;
}

const SERVER_VERSION = [0x0d, 0x0e, 0x0a, 0x0d];
const CLIENT_VERSION = [0x0c, 0x00, 0x0d, 0x0e];

function defaultRandom(n: number): Uint8Array {
  return randomBytes(n);
}

function fillRandom(target: Uint8Array, offset: number, random: (n: number) => Uint8Array): void {
  const n = target.length - offset;
  target.set(random(n).subarray(0, n), offset);
}

/** A C1/S1 body: time, version (zero for simple), random. */
function makeHello(time: number, version: readonly number[] | null, random: (n: number) => Uint8Array): Uint8Array {
  const b = new Uint8Array(HANDSHAKE_SIZE);
  fillRandom(b, 8, random);
  new DataView(b.buffer).setUint32(0, time >>> 0);
  if (version) b.set(version, 4);
  return b;
}

function checkVersion(v: number, who: string): void {
  if (v !== RTMP_VERSION) throw new SluiceError('RTMP_HANDSHAKE', `${who} version ${v}, expected 3`);
}

// Handshake states.
const WAIT_HELLO = 0;
const WAIT_FINAL = 1;
const DONE = 2;

export class ServerHandshake {
  /** Whether the digest handshake was used (known once C1 has arrived). */
  complex = false;
  /** The schema the client signed C1 in, when complex. */
  schema: DigestSchema | null = null;
  private readonly random: (n: number) => Uint8Array;
  private readonly now: () => number;
  private readonly c0c1 = new Uint8Array(1 + HANDSHAKE_SIZE);
  private state = WAIT_HELLO;
  private got = 0;

  constructor(opts?: HandshakeOptions) {
    this.random = opts?.random ?? defaultRandom;
    this.now = opts?.now ?? Date.now;
  }

  get done(): boolean {
    return this.state === DONE;
  }

  push(data: Uint8Array): HandshakeStep {
    let pos = 0;
    let send: Uint8Array | null = null;
    if (this.state === WAIT_HELLO && data.length > 0) {
      if (this.got === 0) checkVersion(data[0]!, 'C0');
      const n = Math.min(this.c0c1.length - this.got, data.length);
      this.c0c1.set(data.subarray(0, n), this.got);
      this.got += n;
      pos = n;
      if (this.got === this.c0c1.length) {
        send = this.answer(this.c0c1.subarray(1));
        this.state = WAIT_FINAL;
        this.got = 0;
      }
    }
    // C2 is counted, not checked: clients that do not echo S1 exactly are common.
    if (this.state === WAIT_FINAL && pos < data.length) {
      const n = Math.min(HANDSHAKE_SIZE - this.got, data.length - pos);
      this.got += n;
      pos += n;
      if (this.got === HANDSHAKE_SIZE) this.state = DONE;
    }
    const done = this.state === DONE;
    return { send, done, rest: done && pos < data.length ? data.subarray(pos) : null };
  }

  private answer(c1: Uint8Array): Uint8Array {
    const out = new Uint8Array(1 + 2 * HANDSHAKE_SIZE);
    out[0] = RTMP_VERSION;
    const tryComplex = c1[4] !== 0 || c1[5] !== 0 || c1[6] !== 0 || c1[7] !== 0;
    const found = tryComplex ? findDigest(c1, PLAYER_KEY_PARTIAL) : null;
    if (found === null) {
      out.set(makeHello(this.now(), null, this.random), 1);
      out.set(c1, 1 + HANDSHAKE_SIZE);
      return out;
    }
    this.complex = true;
    this.schema = found.schema;
    const s1 = makeHello(this.now(), SERVER_VERSION, this.random);
    imprintDigest(s1, found.schema, SERVER_KEY_PARTIAL);
    const s2 = new Uint8Array(HANDSHAKE_SIZE);
    fillRandom(s2, 0, this.random);
    signResponse(s2, c1.subarray(found.pos, found.pos + DIGEST_SIZE), SERVER_KEY);
    out.set(s1, 1);
    out.set(s2, 1 + HANDSHAKE_SIZE);
    return out;
  }
}

export interface ClientHandshakeOptions extends HandshakeOptions {
  /** Sign C1 so the server can answer with the digest handshake (default true). */
  complex?: boolean;
}

export class ClientHandshake {
  /** S1 carried a valid server digest (complex servers only). */
  serverDigestValid = false;
  /** S2 correctly answered our C1 digest (complex servers only). */
  serverResponseValid = false;
  private readonly random: (n: number) => Uint8Array;
  private readonly now: () => number;
  private readonly complex: boolean;
  private readonly s0s1s2 = new Uint8Array(1 + 2 * HANDSHAKE_SIZE);
  private c0c1: Uint8Array | null = null;
  private c1Digest: Uint8Array | null = null;
  private state = WAIT_HELLO;
  private got = 0;

  constructor(opts?: ClientHandshakeOptions) {
    this.random = opts?.random ?? defaultRandom;
    this.now = opts?.now ?? Date.now;
    this.complex = opts?.complex ?? true;
  }

  get done(): boolean {
    return this.state === DONE;
  }

  /** C0+C1, to be written first. Calling it again returns the same bytes. */
  start(): Uint8Array {
    if (this.c0c1) return this.c0c1;
    const c1 = makeHello(this.now(), this.complex ? CLIENT_VERSION : null, this.random);
    if (this.complex) {
      // Schema 1 (digest first), as Flash Player and ffmpeg send it.
      const pos = imprintDigest(c1, 1, PLAYER_KEY_PARTIAL);
      this.c1Digest = c1.slice(pos, pos + DIGEST_SIZE);
    }
    const out = new Uint8Array(1 + HANDSHAKE_SIZE);
    out[0] = RTMP_VERSION;
    out.set(c1, 1);
    this.c0c1 = out;
    return out;
  }

  push(data: Uint8Array): HandshakeStep {
    if (this.c0c1 === null) throw new SluiceError('RTMP_HANDSHAKE', 'push() before start()');
    let pos = 0;
    let send: Uint8Array | null = null;
    if (this.state === WAIT_HELLO && data.length > 0) {
      if (this.got === 0) checkVersion(data[0]!, 'S0');
      const n = Math.min(this.s0s1s2.length - this.got, data.length);
      this.s0s1s2.set(data.subarray(0, n), this.got);
      this.got += n;
      pos = n;
      if (this.got === this.s0s1s2.length) {
        send = this.answer();
        this.state = DONE;
      }
    }
    const done = this.state === DONE;
    return { send, done, rest: done && pos < data.length ? data.subarray(pos) : null };
  }

  private answer(): Uint8Array {
    const s1 = this.s0s1s2.subarray(1, 1 + HANDSHAKE_SIZE);
    const s2 = this.s0s1s2.subarray(1 + HANDSHAKE_SIZE);
    const found = this.c1Digest ? findDigest(s1, SERVER_KEY_PARTIAL) : null;
    if (found === null) return s1.slice(); // simple server: C2 echoes S1
    this.serverDigestValid = true;
    this.serverResponseValid = verifyResponse(s2, this.c1Digest!, SERVER_KEY);
    const c2 = new Uint8Array(HANDSHAKE_SIZE);
    fillRandom(c2, 0, this.random);
    signResponse(c2, s1.subarray(found.pos, found.pos + DIGEST_SIZE), PLAYER_KEY);
    return c2;
  }
}

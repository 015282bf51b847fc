// RTMP handshake, server side (C0C1C2 in two pushes) and client side (S0S1S2 after
// start()). The first byte picks the side and where the input is cut.
import { ClientHandshake, ServerHandshake } from '../../../src/net/rtmp/handshake.ts';
import type { FuzzTarget } from './fuzz-target.ts';
import { check, splitPoint } from './fuzz-target.ts';

// Fixed randomness and clock: a crash must replay byte for byte.
const opts = { random: (n: number): Uint8Array => new Uint8Array(n).fill(0x5a), now: (): number => 0 };

function pushAll(push: (b: Uint8Array) => { done: boolean; rest: Uint8Array | null }, data: Uint8Array): void {
  const cut = splitPoint(data);
  let done = false;
  for (const part of [data.subarray(0, cut), data.subarray(cut)]) {
    if (done) break;
    const step = push(part);
    done = step.done;
    if (step.rest) check(step.rest.length <= part.length, 'rest is longer than the push');
  }
}

export const target: FuzzTarget = {
  name: 'rtmp-handshake',
  description: 'ServerHandshake.push and ClientHandshake.push after start()',
  coverage: ['/src/net/rtmp/handshake'],
  maxLen: 1 + 3 * 1536 + 64,
  dictionary: [Uint8Array.of(3), Uint8Array.of(0x0c, 0x00, 0x0d, 0x0e), Uint8Array.of(0x0d, 0x0e, 0x0a, 0x0d), Uint8Array.of(0, 0, 0, 0)],
  fuzz(data) {
    if (data.length === 0) return;
    // Bit 0 of the last byte picks the side so the cut byte (data[0]) stays the version.
    if ((data[data.length - 1]! & 1) === 0) {
      const hs = new ServerHandshake(opts);
      pushAll((b) => hs.push(b), data);
    } else {
      const hs = new ClientHandshake({ ...opts, complex: (data[data.length - 1]! & 2) === 0 });
      hs.start();
      pushAll((b) => hs.push(b), data);
    }
  },
};

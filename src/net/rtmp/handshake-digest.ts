// The digest ("complex") handshake math used by Flash Player and FMS. Not in the
// public RTMP spec: the layout is the one nginx-rtmp, ffmpeg and SRS agree on.
//
// C1/S1 (1536 bytes) = time(4) | version(4) | block A (764) | block B (764).
// Schema 0 puts the key block first (digest block at 772); schema 1 puts the digest
// block first (at 8). A digest block starts with 4 bytes whose sum, modulo 728, is
// the offset of the 32-byte HMAC-SHA256 inside the rest of the block. The HMAC covers
// the whole 1536 bytes except the digest itself.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const HANDSHAKE_SIZE = 1536;
export const DIGEST_SIZE = 32;

export type DigestSchema = 0 | 1;

// The 32 bytes every Flash implementation appends to its textual key.
const KEY_TAIL = [
  0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57,
  0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
];

function withTail(text: string): Uint8Array {
  const head = new TextEncoder().encode(text);
  const key = new Uint8Array(head.length + KEY_TAIL.length);
  key.set(head, 0);
  key.set(KEY_TAIL, head.length);
  return key;
}

/** "Genuine Adobe Flash Player 001" + tail; C1 is signed with the first 30 bytes. */
export const PLAYER_KEY = withTail('Genuine Adobe Flash Player 001');
export const PLAYER_KEY_PARTIAL = PLAYER_KEY.subarray(0, 30);
/** "Genuine Adobe Flash Media Server 001" + tail; S1 is signed with the first 36 bytes. */
export const SERVER_KEY = withTail('Genuine Adobe Flash Media Server 001');
export const SERVER_KEY_PARTIAL = SERVER_KEY.subarray(0, 36);

export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Position of the digest in a 1536-byte C1/S1 for the given schema. */
export function digestOffset(block: Uint8Array, schema: DigestSchema): number {
  const base = schema === 0 ? 772 : 8;
  const sum = block[base]! + block[base + 1]! + block[base + 2]! + block[base + 3]!;
  return base + 4 + (sum % 728);
}

/** HMAC of the 1536 bytes with the 32 bytes at `pos` left out. */
export function computeDigest(block: Uint8Array, pos: number, key: Uint8Array): Uint8Array {
  return hmacSha256(key, block.subarray(0, pos), block.subarray(pos + DIGEST_SIZE, HANDSHAKE_SIZE));
}

/** Which schema, if any, carries a valid digest under `key`; schema 0 is tried first as SRS does. */
export function findDigest(block: Uint8Array, key: Uint8Array): { schema: DigestSchema; pos: number } | null {
  for (const schema of [0, 1] as const) {
    const pos = digestOffset(block, schema);
    const expected = computeDigest(block, pos, key);
    if (timingSafeEqual(expected, block.subarray(pos, pos + DIGEST_SIZE))) return { schema, pos };
  }
  return null;
}

/** Signs `block` in place in the given schema; returns the digest position. */
export function imprintDigest(block: Uint8Array, schema: DigestSchema, key: Uint8Array): number {
  const pos = digestOffset(block, schema);
  block.set(computeDigest(block, pos, key), pos);
  return pos;
}

/**
 * Fills the last 32 bytes of a 1536-byte S2/C2 with the answer to the peer's digest:
 * HMAC(HMAC(fullKey, peerDigest), first 1504 bytes).
 */
export function signResponse(block: Uint8Array, peerDigest: Uint8Array, fullKey: Uint8Array): void {
  const tempKey = hmacSha256(fullKey, peerDigest);
  const end = HANDSHAKE_SIZE - DIGEST_SIZE;
  block.set(hmacSha256(tempKey, block.subarray(0, end)), end);
}

/** Whether a 1536-byte S2/C2 answers `peerDigest` as signResponse would. */
export function verifyResponse(block: Uint8Array, peerDigest: Uint8Array, fullKey: Uint8Array): boolean {
  const tempKey = hmacSha256(fullKey, peerDigest);
  const end = HANDSHAKE_SIZE - DIGEST_SIZE;
  return timingSafeEqual(hmacSha256(tempKey, block.subarray(0, end)), block.subarray(end, HANDSHAKE_SIZE));
}

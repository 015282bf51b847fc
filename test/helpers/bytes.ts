// Byte literals for codec tests, so a table reads like the wire: hex text (spaces,
// newlines and `//` comments ignored), bytes back as hex, bytes built from numbers and
// four-character codes, and concatenation.

/** `'02 000000 // fmt 0'` -> bytes. */
export function fromHex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+|\/\/[^\n]*/g, ''), 'hex'));
}

/** Bytes -> lower-case hex without separators. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Numbers as single bytes, strings as their character codes ('hvc1'), byte arrays as they are. */
export function bytesOf(...parts: (number | string | Uint8Array)[]): Uint8Array {
  return Uint8Array.from(
    parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : typeof p === 'number' ? [p] : [...p])),
  );
}

/** The parts one after another, in a new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

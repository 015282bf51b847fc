// A deliberately naive TS reader for the mpegts tests, written apart from the muxer so the
// tests do not read the output with the code that wrote it.

export type TestPacket = {
  pid: number;
  pusi: boolean;
  cc: number;
  hasPayload: boolean;
  adaptation: Uint8Array | null; // bytes after adaptation_field_length
  payload: Uint8Array;
};

export function splitTs(ts: Uint8Array): TestPacket[] {
  if (ts.length % 188 !== 0) throw new Error(`length ${ts.length} is not a multiple of 188`);
  const out: TestPacket[] = [];
  for (let off = 0; off < ts.length; off += 188) {
    const p = ts.subarray(off, off + 188);
    if (p[0] !== 0x47) throw new Error(`no sync byte at ${off}`);
    const afc = (p[3]! >> 4) & 3;
    let i = 4;
    let adaptation: Uint8Array | null = null;
    if (afc & 2) {
      const n = p[4]!;
      adaptation = p.subarray(5, 5 + n);
      i = 5 + n;
    }
    out.push({
      pid: ((p[1]! & 0x1f) << 8) | p[2]!,
      pusi: (p[1]! & 0x40) !== 0,
      cc: p[3]! & 0x0f,
      hasPayload: (afc & 1) !== 0,
      adaptation,
      payload: afc & 1 ? p.subarray(i) : new Uint8Array(0),
    });
  }
  return out;
}

/** Payload units (PES packets or pointer+sections) of one PID, joined across packets. */
export function payloadUnits(ts: Uint8Array, pid: number): Uint8Array[] {
  const units: number[][] = [];
  for (const p of splitTs(ts)) {
    if (p.pid !== pid || !p.hasPayload) continue;
    if (p.pusi) units.push([]);
    units.at(-1)?.push(...p.payload);
  }
  return units.map((u) => Uint8Array.from(u));
}

export function readTs33(b: Uint8Array, off: number): number {
  return (
    ((b[off]! >> 1) & 7) * 2 ** 30 + (b[off + 1]! << 22) + ((b[off + 2]! >> 1) << 15) + (b[off + 3]! << 7) + (b[off + 4]! >> 1)
  );
}

export type TestPes = { streamId: number; lengthField: number; pts: number; dts: number; es: Uint8Array };

export function readPes(u: Uint8Array): TestPes {
  if (u[0] !== 0 || u[1] !== 0 || u[2] !== 1) throw new Error('no PES start code');
  const flags = u[7]! >> 6;
  const pts = flags & 2 ? readTs33(u, 9) : -1;
  const dts = flags === 3 ? readTs33(u, 14) : pts;
  return { streamId: u[3]!, lengthField: (u[4]! << 8) | u[5]!, pts, dts, es: u.subarray(9 + u[8]!) };
}

/** PCR base from an adaptation field (bytes after its length), or -1. */
export function readPcrBase(af: Uint8Array | null): number {
  if (af === null || af.length < 7 || (af[0]! & 0x10) === 0) return -1;
  return af[1]! * 2 ** 25 + af[2]! * 2 ** 17 + af[3]! * 2 ** 9 + af[4]! * 2 + (af[5]! >> 7);
}

/** Bit-by-bit CRC-32/MPEG-2, independent of the muxer's table version. */
export function slowCrc32Mpeg2(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    for (let bit = 7; bit >= 0; bit--) {
      const inBit = (byte >> bit) & 1;
      const top = crc >>> 31;
      crc = (crc << 1) >>> 0;
      if ((top ^ inBit) === 1) crc = (crc ^ 0x04c11db7) >>> 0;
    }
  }
  return crc >>> 0;
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

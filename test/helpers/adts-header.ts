// A 7-byte ADTS header on its own, through the server's writeAdtsHeader, for byte tables.
import { writeAdtsHeader, type AacConfig } from '../../src/net/codec/aac.ts';

export function adtsHeader(config: AacConfig, rawLength: number): Uint8Array {
  const out = new Uint8Array(7); // no CRC: protection_absent
  writeAdtsHeader(out, 0, config, rawLength);
  return out;
}

// RTMP chunk stream: ChunkReader.push with the input cut in two at a point taken from
// its first byte (partial headers and bodies), then each command/data message decoded
// as the session would.
import { ChunkReader } from '../../../src/net/rtmp/chunk-reader.ts';
import { decodeCommand, decodeData, normalizeMetadata } from '../../../src/net/rtmp/commands.ts';
import type { FuzzTarget } from './fuzz-target.ts';
import { check } from './fuzz-target.ts';

function consume(reader: ChunkReader, part: Uint8Array): void {
  for (const m of reader.push(part)) {
    check(m.payload.length <= 0xffffff, 'message longer than 24 bits');
    if (m.type === 20 || m.type === 17) decodeCommand(m.payload, m.type === 17);
    else if (m.type === 18 || m.type === 15) {
      normalizeMetadata(m.payload, m.type === 15);
      decodeData(m.payload, m.type === 15);
    }
  }
}

export const target: FuzzTarget = {
  name: 'chunk-reader',
  description: 'ChunkReader.push in two parts, then decodeCommand/decodeData/normalizeMetadata',
  coverage: ['/src/net/rtmp/'],
  maxLen: 4096,
  dictionary: [
    Uint8Array.of(0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0), // set chunk size header
    Uint8Array.of(0x03, 0, 0, 0),
    Uint8Array.of(0xff, 0xff, 0xff),
    Uint8Array.of(0xc3),
    Uint8Array.of(0x43),
    Uint8Array.of(0x83),
    Uint8Array.of(0x00, 0x00), // 2-byte basic header
    Uint8Array.of(0x01, 0xff, 0xff), // 3-byte basic header
    Uint8Array.of(0x14),
    Uint8Array.of(0x12),
    'connect',
    '@setDataFrame',
    'onMetaData',
  ],
  fuzz(data) {
    if (data.length === 0) return;
    const reader = new ChunkReader();
    const body = data.subarray(1);
    const cut = Math.floor((data[0]! * body.length) / 256);
    consume(reader, body.subarray(0, cut));
    consume(reader, body.subarray(cut));
  },
};

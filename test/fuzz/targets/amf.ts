// AMF0 and AMF3 decoding and the command/data layer above them. The first byte picks
// the entry point; the rest is the payload.
import { decodeAmf0 } from '../../../src/net/amf/amf0.ts';
import { decodeAmf3 } from '../../../src/net/amf/amf3.ts';
import { decodeCommand, decodeData, normalizeMetadata } from '../../../src/net/rtmp/commands.ts';
import type { FuzzTarget } from './fuzz-target.ts';

const ENTRY = [
  (p: Uint8Array): unknown => decodeAmf0(p),
  (p: Uint8Array): unknown => decodeAmf3(p),
  (p: Uint8Array): unknown => decodeCommand(p, false),
  (p: Uint8Array): unknown => decodeCommand(p, true),
  (p: Uint8Array): unknown => decodeData(p, false),
  (p: Uint8Array): unknown => decodeData(p, true),
  (p: Uint8Array): unknown => normalizeMetadata(p, false),
  (p: Uint8Array): unknown => normalizeMetadata(p, true),
];

export const target: FuzzTarget = {
  name: 'amf',
  description: 'decodeAmf0, decodeAmf3, decodeCommand, decodeData, normalizeMetadata',
  coverage: ['/src/net/amf/', '/src/net/rtmp/commands'],
  maxLen: 4096,
  dictionary: [
    Uint8Array.of(0x00, 0x00, 0x09), // AMF0 object end
    Uint8Array.of(0x11), // AMF3 switch
    Uint8Array.of(0x03),
    Uint8Array.of(0x08, 0, 0, 0, 1),
    Uint8Array.of(0x0a, 0, 0, 0, 2),
    Uint8Array.of(0x07, 0, 0),
    Uint8Array.of(0x0b),
    Uint8Array.of(0x10),
    Uint8Array.of(0x0c, 0, 0, 0, 4),
    Uint8Array.of(0x09, 0x01),
    Uint8Array.of(0x0a, 0x0b, 0x01),
    Uint8Array.of(0xff, 0xff, 0xff, 0xff),
    Uint8Array.of(0x06, 0x01),
    Uint8Array.of(0x0d, 0x0e, 0x0f, 0x10, 0x11),
    '@setDataFrame',
    'onMetaData',
    'connect',
  ],
  fuzz(data) {
    if (data.length === 0) return;
    ENTRY[data[0]! % ENTRY.length]!(data.subarray(1));
  },
};

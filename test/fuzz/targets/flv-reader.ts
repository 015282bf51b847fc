// FLV byte stream: FlvReader.push in two parts, then every tag through the codec
// header parsers and, for sequence headers, the configuration parsers, as a publish
// over HTTP or a file ingest would.
import { FlvReader } from '../../../src/net/flv/flv-reader.ts';
import { describeStream } from '../../../src/net/codec/media-info.ts';
import { parseVideoTag } from '../../../src/net/codec/video-tag.ts';
import { parseAudioTag } from '../../../src/net/codec/audio-tag.ts';
import { normalizeMetadata } from '../../../src/net/rtmp/commands.ts';
import type { FuzzTarget } from './fuzz-target.ts';
import { splitPoint } from './fuzz-target.ts';

function tags(reader: FlvReader, part: Uint8Array): void {
  for (const tag of reader.push(part)) {
    if (tag.type === 9) {
      if (parseVideoTag(tag.data).sequenceHeader) describeStream(tag.data, null, null);
    } else if (tag.type === 8) {
      if (parseAudioTag(tag.data).sequenceHeader) describeStream(null, tag.data, null);
    } else if (tag.type === 18) {
      normalizeMetadata(tag.data);
    }
  }
}

export const target: FuzzTarget = {
  name: 'flv-reader',
  description: 'FlvReader.push in two parts; video/audio tag headers, sequence headers, metadata',
  coverage: ['/src/net/flv/', '/src/net/codec/'],
  maxLen: 8192,
  dictionary: [
    'FLV',
    Uint8Array.of(0x46, 0x4c, 0x56, 0x01, 0x05, 0, 0, 0, 9, 0, 0, 0, 0),
    Uint8Array.of(0x09), Uint8Array.of(0x08), Uint8Array.of(0x12),
    Uint8Array.of(0x17, 0x00), Uint8Array.of(0x17, 0x01), Uint8Array.of(0x1c, 0x00),
    Uint8Array.of(0xaf, 0x00), Uint8Array.of(0xaf, 0x01),
    Uint8Array.of(0x90), 'hvc1', 'avc1', 'av01', 'Opus', 'mp4a',
    Uint8Array.of(0, 0, 0, 0), Uint8Array.of(0xff, 0xff, 0xff),
  ],
  fuzz(data) {
    const reader = new FlvReader({ maxTagSize: 1 << 20 });
    const cut = splitPoint(data);
    tags(reader, data.subarray(0, cut));
    tags(reader, data.subarray(cut));
  },
};

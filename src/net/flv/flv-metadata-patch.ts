// The onMetaData of a recorded FLV file: `duration` and `filesize` go first, as AMF0
// numbers, so that their 8-byte values sit at known offsets and can be overwritten in
// place when the file is closed (the file's size does not change). Pure: values in,
// bytes and offsets out.

import { encodeData } from '../rtmp/commands.ts';
import { ecmaArray, type AmfObject } from '../amf/amf-types.ts';
import { SluiceError } from '../../errors.ts';

export interface PatchableMetadata {
  /** The script data body (`onMetaData` + ECMA array), for an FLV tag of type 18. */
  payload: Uint8Array;
  /** Offsets in `payload` of the 8-byte big-endian doubles of duration and filesize. */
  durationOffset: number;
  filesizeOffset: number;
}

const NUMBER_MARKER = 0x00;

/** Metadata with duration and filesize first (both 0 until patched), then the rest. */
export function buildPatchableMetadata(meta: AmfObject | null): PatchableMetadata {
  const props: AmfObject = { duration: 0, filesize: 0 };
  for (const [k, v] of Object.entries(meta ?? {})) {
    if (k !== 'duration' && k !== 'filesize') props[k] = v;
  }
  const payload = encodeData('onMetaData', ecmaArray(props));
  return {
    payload,
    durationOffset: numberOffset(payload, 'duration'),
    filesizeOffset: numberOffset(payload, 'filesize'),
  };
}

/**
 * Where the number value of `key` starts: the first occurrence of the key's AMF0
 * property name (u16 length + UTF-8) followed by a number marker. The two keys come
 * first in the array, so the first match is theirs.
 */
export function numberOffset(payload: Uint8Array, key: string): number {
  const name = new TextEncoder().encode(key);
  const needle = new Uint8Array(2 + name.length + 1);
  needle[0] = name.length >>> 8;
  needle[1] = name.length & 0xff;
  needle.set(name, 2);
  needle[needle.length - 1] = NUMBER_MARKER;
  const at = Buffer.from(payload.buffer, payload.byteOffset, payload.length).indexOf(needle);
  if (at < 0 || at + needle.length + 8 > payload.length) throw new SluiceError('FLV_ENCODE', `no number property ${key} in metadata`);
  return at + needle.length;
}

/** An AMF0 number's 8 bytes (big-endian IEEE 754 double). */
export function encodeDouble(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, value, false);
  return out;
}

// Bounds-checked big-endian byte reading and a growable writer for the AMF codecs. Every
// out-of-range read becomes AMF_DECODE, so a decoder built on this cannot throw RangeError.

import { SluiceError } from '../../errors.ts';

// ignoreBOM keeps a leading U+FEFF as data: stripping it would change the value on a round trip.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const utf8Encoder = new TextEncoder();

export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos: number;

  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = offset;
  }

  remaining(): number {
    return this.bytes.length - this.pos;
  }

  need(n: number): void {
    if (n > this.bytes.length - this.pos) {
      throw new SluiceError('AMF_DECODE', `truncated: need ${n} bytes at offset ${this.pos}`);
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  s16(): number {
    this.need(2);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  s32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  /** Decodes `len` bytes of UTF-8; malformed sequences become U+FFFD rather than an error. */
  utf8(len: number): string {
    this.need(len);
    const start = this.pos;
    this.pos += len;
    if (len < 24) {
      // Command names and object keys are short ASCII: skip the TextDecoder call for them.
      let s = '';
      for (let i = start; i < start + len; i++) {
        const c = this.bytes[i]!;
        if (c >= 0x80) return utf8Decoder.decode(this.bytes.subarray(start, start + len));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return utf8Decoder.decode(this.bytes.subarray(start, start + len));
  }

  /** A copy: the caller's buffer may be reused by the chunk reader after decoding. */
  copy(len: number): Uint8Array {
    this.need(len);
    const out = this.bytes.slice(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
}

/** Bytes `str` takes as UTF-8, lone surrogates counted as the 3-byte U+FFFD they become. */
export function utf8Length(str: string): number {
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export class ByteWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  s16(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  s32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Writes `str` as UTF-8 whose length the caller already wrote (see utf8Length). */
  utf8(str: string, byteLength: number): void {
    this.ensure(byteLength);
    const { written } = utf8Encoder.encodeInto(str, this.buf.subarray(this.pos, this.pos + byteLength));
    this.pos += written;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

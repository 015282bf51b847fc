// ISO BMFF box framing (ISO/IEC 14496-12 4.2): a box is a 32-bit big-endian size that counts
// its own header, a four-character type, then the body; a FullBox adds a version byte and
// 24 bits of flags. BoxWriter writes into one growing buffer and patches each size when
// its box closes, so nested boxes need no size precomputation and no intermediate copies.
// Sizes never reach 4 GiB here (an init segment or one fragment), so the 64-bit
// `largesize` form is never written; the reader accepts it.

import { SluiceError } from '../../errors.ts';

const TWO_32 = 0x1_0000_0000;

export class BoxWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  // Start offsets of the boxes still open, innermost last.
  private readonly stack: number[] = [];

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.pos;
  }

  /** Opens a box; every open() needs its close(). */
  open(type: string): this {
    this.stack.push(this.pos);
    this.u32(0);
    return this.fourcc(type);
  }

  /** Opens a FullBox: header, version, 24-bit flags. */
  openFull(type: string, version: number, flags: number): this {
    this.open(type);
    this.u8(version);
    return this.u24(flags);
  }

  close(): this {
    const start = this.stack.pop();
    if (start === undefined) throw new SluiceError('MP4_MUX', 'close() without open()');
    this.view.setUint32(start, this.pos - start);
    return this;
  }

  /** A whole box around body bytes written by `fill`. */
  box(type: string, fill: (w: BoxWriter) => void): this {
    this.open(type);
    fill(this);
    return this.close();
  }

  fullBox(type: string, version: number, flags: number, fill: (w: BoxWriter) => void): this {
    this.openFull(type, version, flags);
    fill(this);
    return this.close();
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.view.setUint16(this.pos, v & 0xffff);
    this.pos += 2;
    return this;
  }

  i16(v: number): this {
    return this.u16(v < 0 ? v + 0x10000 : v);
  }

  u24(v: number): this {
    this.room(3);
    this.buf[this.pos] = (v >>> 16) & 0xff;
    this.buf[this.pos + 1] = (v >>> 8) & 0xff;
    this.buf[this.pos + 2] = v & 0xff;
    this.pos += 3;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    this.room(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
    return this;
  }

  /** An unsigned 64-bit value from a safe integer (tfdt, mehd): two 32-bit halves. */
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new SluiceError('MP4_MUX', `64-bit field value ${v}`);
    this.u32(Math.floor(v / TWO_32));
    return this.u32(v % TWO_32);
  }

  fourcc(type: string): this {
    if (type.length !== 4) throw new SluiceError('MP4_MUX', `box type ${JSON.stringify(type)}`);
    this.room(4);
    for (let i = 0; i < 4; i++) this.buf[this.pos + i] = type.charCodeAt(i) & 0xff;
    this.pos += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Overwrites 4 bytes written earlier (a field whose value depends on what follows it). */
  setU32At(at: number, v: number): this {
    if (at < 0 || at + 4 > this.pos) throw new SluiceError('MP4_MUX', `setU32At(${at}) outside the ${this.pos} bytes written`);
    this.view.setUint32(at, v >>> 0);
    return this;
  }

  /** The bytes written; all boxes must be closed. */
  finish(): Uint8Array {
    if (this.stack.length > 0) throw new SluiceError('MP4_MUX', `${this.stack.length} box(es) left open`);
    return this.buf.slice(0, this.pos);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.pos + n, this.buf.length * 2));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }
}

/** Writes one box with `fill` and returns its bytes. */
export function writeBox(type: string, fill: (w: BoxWriter) => void): Uint8Array {
  return new BoxWriter().box(type, fill).finish();
}

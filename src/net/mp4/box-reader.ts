// Reading ISO BMFF boxes back: the framing (size, type, 64-bit largesize, size 0 = "to the
// end") and a bounds-checked field cursor. It exists so tests can check what the writers
// produce field by field, and for tools that inspect init segments and fragments. It only
// walks what the caller asks for (no recursion of its own), so hostile nesting costs nothing;
// every overrun or impossible size is SluiceError('MP4_DECODE').

import { SluiceError } from '../../errors.ts';

export type Mp4Box = {
  type: string;
  /** Offset of the box header within `bytes` given to readBoxes. */
  start: number;
  /** Whole box, header included. */
  size: number;
  /** 8, or 16 with a largesize. */
  headerSize: number;
  body: Uint8Array;
};

const TWO_32 = 0x1_0000_0000;

function fail(detail: string): never {
  throw new SluiceError('MP4_DECODE', detail);
}

/** The boxes laid end to end in bytes[from, to). */
export function readBoxes(bytes: Uint8Array, from = 0, to = bytes.length): Mp4Box[] {
  const out: Mp4Box[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = from;
  while (pos < to) {
    if (to - pos < 8) fail(`${to - pos} stray bytes at ${pos}`);
    let size = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!, bytes[pos + 6]!, bytes[pos + 7]!);
    let headerSize = 8;
    if (size === 1) {
      if (to - pos < 16) fail(`largesize of ${type} truncated`);
      size = view.getUint32(pos + 8) * TWO_32 + view.getUint32(pos + 12);
      headerSize = 16;
    } else if (size === 0) {
      size = to - pos; // ISO/IEC 14496-12 4.2: the box runs to the end of the file
    }
    if (size < headerSize || size > to - pos) fail(`box ${JSON.stringify(type)} of ${size} bytes at ${pos} does not fit`);
    out.push({ type, start: pos, size, headerSize, body: bytes.subarray(pos + headerSize, pos + size) });
    pos += size;
  }
  return out;
}

/** The child boxes of a box, after `skip` bytes of its own fields (4 for a FullBox). */
export function childBoxes(box: Mp4Box, skip = 0): Mp4Box[] {
  if (skip > box.body.length) fail(`${box.type} shorter than its ${skip} bytes of fields`);
  return readBoxes(box.body, skip);
}

/** The first box of that type, or SluiceError('MP4_DECODE'). */
export function requireBox(boxes: readonly Mp4Box[], type: string): Mp4Box {
  const b = boxes.find((x) => x.type === type);
  if (b === undefined) fail(`no ${type} box`);
  return b;
}

/** Follows a path of box types down from a list of boxes (each step must be a plain Box). */
export function boxAt(boxes: readonly Mp4Box[], path: readonly string[]): Mp4Box {
  let here = requireBox(boxes, path[0]!);
  for (const type of path.slice(1)) here = requireBox(childBoxes(here), type);
  return here;
}

/** A cursor over a box body; every read past the end is SluiceError('MP4_DECODE'). */
export class FieldReader {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number): number {
    if (this.bytes.length - this.pos < n) fail(`field of ${n} bytes at ${this.pos} past the end (${this.bytes.length})`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.bytes[this.need(1)]!;
  }

  u16(): number {
    return this.view.getUint16(this.need(2));
  }

  i16(): number {
    return this.view.getInt16(this.need(2));
  }

  u24(): number {
    const at = this.need(3);
    return (this.bytes[at]! << 16) | (this.bytes[at + 1]! << 8) | this.bytes[at + 2]!;
  }

  u32(): number {
    return this.view.getUint32(this.need(4));
  }

  i32(): number {
    return this.view.getInt32(this.need(4));
  }

  /** 64-bit unsigned; beyond 2^53 it is not a usable time, so it is refused. */
  u64(): number {
    const at = this.need(8);
    const v = this.view.getUint32(at) * TWO_32 + this.view.getUint32(at + 4);
    if (!Number.isSafeInteger(v)) fail(`64-bit value at ${at} beyond 2^53`);
    return v;
  }

  fourcc(): string {
    const at = this.need(4);
    return String.fromCharCode(this.bytes[at]!, this.bytes[at + 1]!, this.bytes[at + 2]!, this.bytes[at + 3]!);
  }

  bytesOf(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  skip(n: number): void {
    this.need(n);
  }

  /** Version and flags of a FullBox. */
  fullHeader(): { version: number; flags: number } {
    return { version: this.u8(), flags: this.u24() };
  }

  /** Everything that was not read must be nothing: a field table that does not add up is malformed. */
  end(what: string): void {
    if (this.remaining !== 0) fail(`${this.remaining} unexpected bytes at the end of ${what}`);
  }
}

import { SluiceError } from '../../errors.ts';

// Exp-Golomb codes longer than this cannot come from a valid parameter set; refusing
// them keeps a hostile SPS from making us scan megabytes of zero bits.
const MAX_LEADING_ZEROS = 31;

/**
 * MSB-first bit reader over an RBSP (emulation prevention already removed).
 * Every overrun throws SluiceError('CODEC_DECODE'), so parsers need no checks of their own.
 */
export class BitReader {
  private readonly bytes: Uint8Array;
  private pos: number; // in bits

  constructor(bytes: Uint8Array, byteOffset = 0) {
    this.bytes = bytes;
    this.pos = byteOffset * 8;
  }

  get bitsLeft(): number {
    return this.bytes.length * 8 - this.pos;
  }

  get bitPosition(): number {
    return this.pos;
  }

  /** One bit as 0 or 1. */
  bit(): number {
    const p = this.pos;
    if (p >= this.bytes.length * 8) throw new SluiceError('CODEC_DECODE', 'bitstream truncated');
    this.pos = p + 1;
    return (this.bytes[p >>> 3]! >>> (7 - (p & 7))) & 1;
  }

  flag(): boolean {
    return this.bit() === 1;
  }

  /** n bits (0..32) as an unsigned number. */
  bits(n: number): number {
    if (n > this.bitsLeft) throw new SluiceError('CODEC_DECODE', 'bitstream truncated');
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }

  skip(n: number): void {
    if (n > this.bitsLeft) throw new SluiceError('CODEC_DECODE', 'bitstream truncated');
    this.pos += n;
  }

  /** Unsigned exp-Golomb ue(v). */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      if (++zeros > MAX_LEADING_ZEROS) throw new SluiceError('CODEC_DECODE', 'exp-Golomb code too long');
    }
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  /** Signed exp-Golomb se(v). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  /** ue(v) that must not exceed max (a syntax element with a known range). */
  ueMax(max: number, what: string): number {
    const v = this.ue();
    if (v > max) throw new SluiceError('CODEC_DECODE', `${what} out of range: ${v}`);
    return v;
  }
}

/** Copy of a NAL unit without its emulation-prevention bytes (00 00 03 -> 00 00). */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let n = 0;
  let zeros = 0;
  for (let i = 0; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out[n++] = b;
  }
  return n === nal.length ? out : out.subarray(0, n);
}

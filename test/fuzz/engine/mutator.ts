// Byte-level mutations in the AFL/libFuzzer "havoc" style: a stack of 1 to 16 random
// edits (bit flips, interesting values, inserts, deletes, copies, splices with another
// corpus entry, dictionary tokens). Seeded, so a run can be repeated.

const INTERESTING_8 = [0x00, 0x01, 0x02, 0x03, 0x07, 0x0f, 0x10, 0x1f, 0x20, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xfe, 0xff];
const INTERESTING_32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x4000, 0x7fff, 0x8000, 0xffff, 0x10000,
  0xffffff, 0x1000000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** xorshift32: small, fast, good enough to pick mutations. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** 0 <= n < bound. */
  below(bound: number): number {
    return bound <= 1 ? 0 : this.next() % bound;
  }
}

export class Mutator {
  readonly rng: Rng;
  private readonly dictionary: readonly Uint8Array[];
  private readonly maxLen: number;

  constructor(seed: number, dictionary: readonly Uint8Array[], maxLen: number) {
    this.rng = new Rng(seed);
    this.dictionary = dictionary;
    this.maxLen = maxLen;
  }

  /** A mutated copy of `input`; `other` is another corpus entry to splice from. */
  mutate(input: Uint8Array, other: Uint8Array): Uint8Array {
    let buf = Array.from(input);
    const edits = 1 << this.rng.below(5);
    for (let i = 0; i < edits; i++) buf = this.edit(buf, other);
    if (buf.length > this.maxLen) buf.length = this.maxLen;
    return Uint8Array.from(buf);
  }

  private edit(b: number[], other: Uint8Array): number[] {
    const r = this.rng;
    const pos = r.below(b.length);
    switch (r.below(14)) {
      case 0: // flip a bit
        if (b.length > 0) b[pos]! ^= 1 << r.below(8);
        return b;
      case 1: // random byte
        if (b.length > 0) b[pos] = r.below(256);
        return b;
      case 2: // interesting byte
        if (b.length > 0) b[pos] = INTERESTING_8[r.below(INTERESTING_8.length)]!;
        return b;
      case 3: { // insert random bytes
        const n = 1 + r.below(8);
        const ins: number[] = [];
        for (let i = 0; i < n; i++) ins.push(r.below(256));
        b.splice(r.below(b.length + 1), 0, ...ins);
        return b;
      }
      case 4: { // insert a run of one byte
        const n = 1 + r.below(64);
        b.splice(r.below(b.length + 1), 0, ...new Array<number>(n).fill(r.below(256)));
        return b;
      }
      case 5: // delete a range
        if (b.length > 0) b.splice(pos, 1 + r.below(Math.min(32, b.length - pos)));
        return b;
      case 6: { // copy a range elsewhere (repeats structures)
        if (b.length === 0) return b;
        const n = 1 + r.below(Math.min(64, b.length - pos));
        const chunk = b.slice(pos, pos + n);
        b.splice(r.below(b.length + 1), 0, ...chunk);
        return b;
      }
      case 7: { // cross-over: our head, the other's tail
        if (other.length === 0) return b;
        const cut = r.below(b.length + 1);
        const from = r.below(other.length);
        return b.slice(0, cut).concat(Array.from(other.subarray(from)));
      }
      case 8: { // insert a piece of the other entry
        if (other.length === 0) return b;
        const from = r.below(other.length);
        const n = 1 + r.below(Math.min(128, other.length - from));
        b.splice(r.below(b.length + 1), 0, ...other.subarray(from, from + n));
        return b;
      }
      case 9: // insert a dictionary token
      case 10: { // or overwrite with one
        if (this.dictionary.length === 0) return b;
        const tok = this.dictionary[r.below(this.dictionary.length)]!;
        const at = r.below(b.length + 1);
        b.splice(at, r.below(2) === 0 ? 0 : Math.min(tok.length, b.length - at), ...tok);
        return b;
      }
      case 11: { // interesting 16/32-bit value, either byte order
        const size = r.below(2) === 0 ? 2 : 4;
        if (b.length < size) return b;
        const at = r.below(b.length - size + 1);
        const v = INTERESTING_32[r.below(INTERESTING_32.length)]!;
        writeInt(b, at, size, v, r.below(2) === 0);
        return b;
      }
      case 12: { // small arithmetic on 1, 2 or 4 bytes
        const size = [1, 2, 4][r.below(3)]!;
        if (b.length < size) return b;
        const at = r.below(b.length - size + 1);
        const big = r.below(2) === 0;
        const delta = (1 + r.below(35)) * (r.below(2) === 0 ? 1 : -1);
        writeInt(b, at, size, readInt(b, at, size, big) + delta, big);
        return b;
      }
      default: // truncate
        if (b.length > 0) b.length = r.below(b.length);
        return b;
    }
  }
}

function readInt(b: number[], at: number, size: number, bigEndian: boolean): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + b[bigEndian ? at + i : at + size - 1 - i]!;
  return v;
}

function writeInt(b: number[], at: number, size: number, value: number, bigEndian: boolean): void {
  let v = ((value % 2 ** (8 * size)) + 2 ** (8 * size)) % 2 ** (8 * size);
  for (let i = 0; i < size; i++) {
    b[bigEndian ? at + size - 1 - i : at + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
}

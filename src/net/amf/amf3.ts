// AMF3 decoding (Adobe AMF3 specification); encodeAmf3 lives in amf3-encode.ts, re-exported here. Values map to JS as documented in amf-types.ts:
// integer/double -> number, XML -> AmfXml, ByteArray -> Uint8Array (a copy), numeric vectors ->
// typed arrays, Vector.<Object> -> AmfObjectVector, Dictionary -> Map, an array with no
// associative part -> JS array, one with an associative part -> a plain object marked with
// ecmaArray() holding dense items under "0", "1", ... next to the named keys.

import { SluiceError } from '../../errors.ts';
import { ByteReader } from './amf-bytes.ts';
import {
  Amf3Marker,
  AmfObjectVector,
  AmfXml,
  DEFAULT_MAX_DEPTH,
  MAX_REFERENCES,
  MAX_REFERENCE_EXPANSION,
  ecmaArray,
  fixedVector,
  setProp,
  typedObject,
} from './amf-types.ts';
import type { AmfDecodeOptions, AmfObject } from './amf-types.ts';

export { Amf3Marker } from './amf-types.ts';
export { encodeAmf3 } from './amf3-encode.ts';

/** Native recursion stays far from the engine's stack limit whatever the caller asks. */
export const HARD_MAX_DEPTH = 1000;

export function clampDepth(opts?: AmfDecodeOptions): number {
  const d = opts?.maxDepth;
  // NaN or a negative limit would disable the check altogether: fall back to the default.
  return Math.min(HARD_MAX_DEPTH, typeof d === 'number' && d >= 0 ? Math.floor(d) : DEFAULT_MAX_DEPTH);
}

/**
 * Counts decoded nodes, and the nodes reached again through references, across one top-level
 * decode (AMF0 and the AMF3 values switched into from it share one tally).
 */
export interface DecodeTally {
  nodes: number;
  expanded: number;
}

export function chargeReference(tally: DecodeTally, weight: number): void {
  tally.nodes += weight;
  tally.expanded += weight;
  if (tally.expanded > MAX_REFERENCE_EXPANSION) {
    throw new SluiceError('AMF_DECODE', 'references expand beyond the limit');
  }
}

interface Traits {
  className: string;
  sealed: string[];
  dynamic: boolean;
}

export class Amf3Decoder {
  private readonly r: ByteReader;
  private readonly maxDepth: number;
  private readonly tally: DecodeTally;
  private readonly strings: string[] = [];
  private readonly objects: unknown[] = [];
  // Nodes under each table entry; -1 while it is still being decoded (a reference to it is a cycle).
  private readonly weights: number[] = [];
  private readonly traits: Traits[] = [];

  constructor(r: ByteReader, maxDepth: number, tally: DecodeTally) {
    this.r = r;
    this.maxDepth = maxDepth;
    this.tally = tally;
  }

  value(depth: number): unknown {
    const r = this.r;
    const marker = r.u8();
    this.tally.nodes++;
    switch (marker) {
      case Amf3Marker.Undefined:
        return undefined;
      case Amf3Marker.Null:
        return null;
      case Amf3Marker.False:
        return false;
      case Amf3Marker.True:
        return true;
      case Amf3Marker.Integer:
        return (this.u29() << 3) >> 3;
      case Amf3Marker.Double:
        return r.f64();
      case Amf3Marker.String:
        return this.string();
      case Amf3Marker.XmlDoc:
      case Amf3Marker.Xml:
        return this.xml(marker === Amf3Marker.Xml);
      case Amf3Marker.Date:
        return this.date();
      case Amf3Marker.Array:
        return this.array(depth);
      case Amf3Marker.Object:
        return this.object(depth);
      case Amf3Marker.ByteArray:
        return this.byteArray();
      case Amf3Marker.VectorInt:
      case Amf3Marker.VectorUint:
      case Amf3Marker.VectorDouble:
        return this.numericVector(marker);
      case Amf3Marker.VectorObject:
        return this.objectVector(depth);
      case Amf3Marker.Dictionary:
        return this.dictionary(depth);
      default:
        throw new SluiceError('AMF_DECODE', `unknown AMF3 marker 0x${marker.toString(16)} at ${r.pos - 1}`);
    }
  }

  private u29(): number {
    const r = this.r;
    let b = r.u8();
    if (b < 0x80) return b;
    let v = (b & 0x7f) << 7;
    b = r.u8();
    if (b < 0x80) return v | b;
    v = (v | (b & 0x7f)) << 7;
    b = r.u8();
    if (b < 0x80) return v | b;
    v = (v | (b & 0x7f)) << 8;
    return v | r.u8();
  }

  private enter(depth: number): void {
    if (depth >= this.maxDepth) throw new SluiceError('AMF_DEPTH', `deeper than ${this.maxDepth}`);
  }

  /** Bounds a claimed element count by the bytes left, so no claim allocates more than the input. */
  private count(n: number, bytesEach: number): number {
    if (n * bytesEach > this.r.remaining()) {
      throw new SluiceError('AMF_DECODE', `count ${n} exceeds the remaining ${this.r.remaining()} bytes`);
    }
    return n;
  }

  string(): string {
    const u = this.u29();
    if ((u & 1) === 0) {
      const s = this.strings[u >>> 1];
      if (s === undefined) throw new SluiceError('AMF_DECODE', `bad string reference ${u >>> 1}`);
      chargeReference(this.tally, 1 + (s.length >>> 6));
      return s;
    }
    const len = u >>> 1;
    if (len === 0) return '';
    const s = this.r.utf8(len);
    if (this.strings.length >= MAX_REFERENCES) throw new SluiceError('AMF_DECODE', 'too many strings');
    this.strings.push(s);
    return s;
  }

  /** Reads a U29 that is either an object reference (returned as `{ ref }`) or an inline header. */
  private header(): { ref: unknown; inline: number } {
    const u = this.u29();
    if ((u & 1) === 1) return { ref: undefined, inline: u >>> 1 };
    const idx = u >>> 1;
    if (idx >= this.objects.length) throw new SluiceError('AMF_DECODE', `bad object reference ${idx}`);
    const w = this.weights[idx]!;
    if (w < 0) throw new SluiceError('AMF_DECODE', `reference ${idx} forms a cycle`);
    chargeReference(this.tally, w);
    return { ref: this.objects[idx], inline: -1 };
  }

  private register(v: unknown): number {
    if (this.objects.length >= MAX_REFERENCES) throw new SluiceError('AMF_DECODE', 'too many objects');
    this.objects.push(v);
    this.weights.push(-1);
    return this.objects.length - 1;
  }

  private done(idx: number, startNodes: number): void {
    this.weights[idx] = this.tally.nodes - startNodes;
  }

  private xml(e4x: boolean): AmfXml {
    const h = this.header();
    if (h.inline < 0) {
      if (!(h.ref instanceof AmfXml)) throw new SluiceError('AMF_DECODE', 'XML reference to a non-XML value');
      return h.ref;
    }
    const x = new AmfXml(this.r.utf8(h.inline), e4x);
    this.done(this.register(x), this.tally.nodes - 1);
    return x;
  }

  private date(): Date {
    const h = this.header();
    if (h.inline < 0) {
      if (!(h.ref instanceof Date)) throw new SluiceError('AMF_DECODE', 'date reference to a non-date');
      return h.ref;
    }
    const d = new Date(this.r.f64());
    this.done(this.register(d), this.tally.nodes - 1);
    return d;
  }

  private byteArray(): Uint8Array {
    const h = this.header();
    if (h.inline < 0) {
      if (!(h.ref instanceof Uint8Array)) throw new SluiceError('AMF_DECODE', 'ByteArray reference to another type');
      return h.ref;
    }
    const b = this.r.copy(h.inline);
    this.done(this.register(b), this.tally.nodes - 1);
    return b;
  }

  private array(depth: number): unknown {
    const start = this.tally.nodes - 1;
    const h = this.header();
    if (h.inline < 0) return h.ref;
    this.enter(depth);
    const dense = this.count(h.inline, 1);
    let key = this.string();
    if (key === '') {
      const arr: unknown[] = [];
      const idx = this.register(arr);
      for (let i = 0; i < dense; i++) arr.push(this.value(depth + 1));
      this.done(idx, start);
      return arr;
    }
    // Keys can be "length" or numerals here, which a JS array cannot hold as plain properties.
    const obj: AmfObject = ecmaArray({});
    const idx = this.register(obj);
    while (key !== '') {
      setProp(obj, key, this.value(depth + 1));
      key = this.string();
    }
    for (let i = 0; i < dense; i++) obj[String(i)] = this.value(depth + 1);
    this.done(idx, start);
    return obj;
  }

  private object(depth: number): unknown {
    const start = this.tally.nodes - 1;
    const u = this.u29();
    if ((u & 1) === 0) {
      const idx = u >>> 1;
      if (idx >= this.objects.length) throw new SluiceError('AMF_DECODE', `bad object reference ${idx}`);
      const w = this.weights[idx]!;
      if (w < 0) throw new SluiceError('AMF_DECODE', `reference ${idx} forms a cycle`);
      chargeReference(this.tally, w);
      return this.objects[idx];
    }
    this.enter(depth);
    const traits = this.readTraits(u);
    const obj: AmfObject = traits.className === '' ? {} : typedObject(traits.className, {});
    const idx = this.register(obj);
    for (const name of traits.sealed) setProp(obj, name, this.value(depth + 1));
    if (traits.dynamic) {
      for (let key = this.string(); key !== ''; key = this.string()) setProp(obj, key, this.value(depth + 1));
    }
    this.done(idx, start);
    return obj;
  }

  private readTraits(u: number): Traits {
    if ((u & 2) === 0) {
      const t = this.traits[u >>> 2];
      if (t === undefined) throw new SluiceError('AMF_DECODE', `bad traits reference ${u >>> 2}`);
      return t;
    }
    if ((u & 4) !== 0) throw new SluiceError('AMF_DECODE', 'externalizable AMF3 objects are not supported');
    const dynamic = (u & 8) !== 0;
    const n = this.count(u >>> 4, 1);
    const className = this.string();
    const sealed: string[] = [];
    for (let i = 0; i < n; i++) sealed.push(this.string());
    if (this.traits.length >= MAX_REFERENCES) throw new SluiceError('AMF_DECODE', 'too many traits');
    const t: Traits = { className, sealed, dynamic };
    this.traits.push(t);
    return t;
  }

  private numericVector(marker: number): Int32Array | Uint32Array | Float64Array {
    const start = this.tally.nodes - 1;
    const h = this.header();
    if (h.inline < 0) {
      const ok =
        (marker === Amf3Marker.VectorInt && h.ref instanceof Int32Array) ||
        (marker === Amf3Marker.VectorUint && h.ref instanceof Uint32Array) ||
        (marker === Amf3Marker.VectorDouble && h.ref instanceof Float64Array);
      if (!ok) throw new SluiceError('AMF_DECODE', 'vector reference to another type');
      return h.ref as Int32Array | Uint32Array | Float64Array;
    }
    const fixed = this.r.u8() !== 0;
    const r = this.r;
    let v: Int32Array | Uint32Array | Float64Array;
    if (marker === Amf3Marker.VectorDouble) {
      const n = this.count(h.inline, 8);
      v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = r.f64();
    } else {
      const n = this.count(h.inline, 4);
      v = marker === Amf3Marker.VectorInt ? new Int32Array(n) : new Uint32Array(n);
      for (let i = 0; i < n; i++) v[i] = marker === Amf3Marker.VectorInt ? r.s32() : r.u32();
    }
    if (fixed) fixedVector(v);
    this.done(this.register(v), start);
    return v;
  }

  private objectVector(depth: number): AmfObjectVector {
    const start = this.tally.nodes - 1;
    const h = this.header();
    if (h.inline < 0) {
      if (!(h.ref instanceof AmfObjectVector)) throw new SluiceError('AMF_DECODE', 'vector reference to another type');
      return h.ref;
    }
    this.enter(depth);
    const n = this.count(h.inline, 1);
    const fixed = this.r.u8() !== 0;
    const items: unknown[] = [];
    const v = new AmfObjectVector(this.string(), items, fixed);
    const idx = this.register(v);
    for (let i = 0; i < n; i++) items.push(this.value(depth + 1));
    this.done(idx, start);
    return v;
  }

  private dictionary(depth: number): Map<unknown, unknown> {
    const start = this.tally.nodes - 1;
    const h = this.header();
    if (h.inline < 0) {
      if (!(h.ref instanceof Map)) throw new SluiceError('AMF_DECODE', 'dictionary reference to another type');
      return h.ref;
    }
    this.enter(depth);
    const n = this.count(h.inline, 2);
    this.r.u8(); // weak keys: meaningless without a garbage collector hook, dropped
    const m = new Map<unknown, unknown>();
    const idx = this.register(m);
    for (let i = 0; i < n; i++) {
      const k = this.value(depth + 1);
      m.set(k, this.value(depth + 1));
    }
    this.done(idx, start);
    return m;
  }
}

/** Decodes one AMF3 value at `offset`; `next` is the offset just past it. */
export function decodeAmf3Value(
  bytes: Uint8Array,
  offset = 0,
  opts?: AmfDecodeOptions,
): { value: unknown; next: number } {
  const r = new ByteReader(bytes, offset);
  const value = new Amf3Decoder(r, clampDepth(opts), { nodes: 0, expanded: 0 }).value(0);
  return { value, next: r.pos };
}

/** Decodes every AMF3 value in `bytes`; reference tables span the whole buffer. */
export function decodeAmf3(bytes: Uint8Array, opts?: AmfDecodeOptions): unknown[] {
  const r = new ByteReader(bytes);
  const d = new Amf3Decoder(r, clampDepth(opts), { nodes: 0, expanded: 0 });
  const out: unknown[] = [];
  while (r.remaining() > 0) out.push(d.value(0));
  return out;
}

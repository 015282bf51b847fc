// AMF0 (Adobe AMF0 specification): the encoding of RTMP commands (type 20) and data messages
// (type 18). Values map to JS as documented in amf-types.ts; AMF3-only values (ByteArray,
// vectors, Dictionary) are written through the 0x11 "avmplus" switch.

import { SluiceError } from '../../errors.ts';
import { ByteReader, ByteWriter, utf8Length } from './amf-bytes.ts';
import { Amf3Decoder, chargeReference, clampDepth } from './amf3.ts';
import type { DecodeTally } from './amf3.ts';
import { writeAmf3 } from './amf3-encode.ts';
import {
  AmfObjectVector,
  AmfXml,
  DEFAULT_MAX_DEPTH,
  MAX_REFERENCES,
  classNameOf,
  ecmaArray,
  isEcmaArray,
  setProp,
  typedObject,
} from './amf-types.ts';
import type { AmfDecodeOptions, AmfObject } from './amf-types.ts';

export const Amf0Marker = {
  Number: 0x00,
  Boolean: 0x01,
  String: 0x02,
  Object: 0x03,
  MovieClip: 0x04,
  Null: 0x05,
  Undefined: 0x06,
  Reference: 0x07,
  EcmaArray: 0x08,
  ObjectEnd: 0x09,
  StrictArray: 0x0a,
  Date: 0x0b,
  LongString: 0x0c,
  Unsupported: 0x0d,
  RecordSet: 0x0e,
  XmlDocument: 0x0f,
  TypedObject: 0x10,
  AvmPlus: 0x11,
} as const;

class Amf0Decoder {
  private readonly r: ByteReader;
  private readonly maxDepth: number;
  private readonly tally: DecodeTally = { nodes: 0, expanded: 0 };
  private readonly refs: unknown[] = [];
  // Nodes under each referenceable value; -1 while it is open (a reference to it is a cycle).
  private readonly weights: number[] = [];

  constructor(r: ByteReader, maxDepth: number) {
    this.r = r;
    this.maxDepth = maxDepth;
  }

  value(depth: number): unknown {
    const r = this.r;
    const marker = r.u8();
    this.tally.nodes++;
    switch (marker) {
      case Amf0Marker.Number:
        return r.f64();
      case Amf0Marker.Boolean:
        return r.u8() !== 0;
      case Amf0Marker.String:
        return r.utf8(r.u16());
      case Amf0Marker.LongString:
        return r.utf8(r.u32());
      case Amf0Marker.Null:
        return null;
      case Amf0Marker.Undefined:
      case Amf0Marker.Unsupported:
        return undefined;
      case Amf0Marker.Object:
        return this.properties({}, depth);
      case Amf0Marker.TypedObject: {
        const className = r.utf8(r.u16());
        return this.properties(typedObject(className, {}), depth);
      }
      case Amf0Marker.EcmaArray:
        r.u32(); // the count is only a hint: encoders send 0 or a wrong one, the end marker decides
        return this.properties(ecmaArray({}), depth);
      case Amf0Marker.StrictArray:
        return this.strictArray(depth);
      case Amf0Marker.Date: {
        const d = new Date(r.f64());
        r.s16(); // time zone: reserved, 0 on the wire, and Date has no place for it
        return d;
      }
      case Amf0Marker.XmlDocument:
        return new AmfXml(r.utf8(r.u32()));
      case Amf0Marker.Reference:
        return this.reference(r.u16());
      case Amf0Marker.AvmPlus:
        return new Amf3Decoder(r, this.maxDepth, this.tally).value(depth);
      case Amf0Marker.MovieClip:
      case Amf0Marker.RecordSet:
        throw new SluiceError('AMF_DECODE', `AMF0 marker 0x${marker.toString(16)} is reserved`);
      case Amf0Marker.ObjectEnd:
        throw new SluiceError('AMF_DECODE', `object end outside an object at ${r.pos - 1}`);
      default:
        throw new SluiceError('AMF_DECODE', `unknown AMF0 marker 0x${marker.toString(16)} at ${r.pos - 1}`);
    }
  }

  private enter(depth: number): void {
    if (depth >= this.maxDepth) throw new SluiceError('AMF_DEPTH', `deeper than ${this.maxDepth}`);
  }

  private register(v: unknown): number {
    if (this.refs.length >= MAX_REFERENCES) throw new SluiceError('AMF_DECODE', 'too many objects');
    this.refs.push(v);
    this.weights.push(-1);
    return this.refs.length - 1;
  }

  private reference(idx: number): unknown {
    if (idx >= this.refs.length) throw new SluiceError('AMF_DECODE', `bad reference ${idx}`);
    const w = this.weights[idx]!;
    if (w < 0) throw new SluiceError('AMF_DECODE', `reference ${idx} forms a cycle`);
    chargeReference(this.tally, w);
    return this.refs[idx];
  }

  /** Reads key/value pairs up to the 00 00 09 end marker into `obj`. */
  private properties(obj: AmfObject, depth: number): AmfObject {
    const start = this.tally.nodes - 1;
    this.enter(depth);
    const idx = this.register(obj);
    const r = this.r;
    for (;;) {
      const len = r.u16();
      if (len === 0) {
        // An empty key ends the object only when the end marker follows; otherwise it is a key.
        r.need(1);
        if (r.bytes[r.pos] === Amf0Marker.ObjectEnd) {
          r.pos++;
          break;
        }
      }
      const key = r.utf8(len);
      setProp(obj, key, this.value(depth + 1));
    }
    this.weights[idx] = this.tally.nodes - start;
    return obj;
  }

  private strictArray(depth: number): unknown[] {
    const start = this.tally.nodes - 1;
    const r = this.r;
    const n = r.u32();
    // Each element takes at least one byte: a claimed count beyond that is a lie, not an allocation.
    if (n > r.remaining()) throw new SluiceError('AMF_DECODE', `strict array of ${n} in ${r.remaining()} bytes`);
    this.enter(depth);
    const arr: unknown[] = [];
    const idx = this.register(arr);
    for (let i = 0; i < n; i++) arr.push(this.value(depth + 1));
    this.weights[idx] = this.tally.nodes - start;
    return arr;
  }
}

/** Decodes one AMF0 value at `offset`; `next` is the offset just past it. */
export function decodeAmf0Value(
  bytes: Uint8Array,
  offset = 0,
  opts?: AmfDecodeOptions,
): { value: unknown; next: number } {
  const r = new ByteReader(bytes, offset);
  const value = new Amf0Decoder(r, clampDepth(opts)).value(0);
  return { value, next: r.pos };
}

/** Decodes every AMF0 value in `bytes`; references may point across values. */
export function decodeAmf0(bytes: Uint8Array, opts?: AmfDecodeOptions): unknown[] {
  const r = new ByteReader(bytes);
  const d = new Amf0Decoder(r, clampDepth(opts));
  const out: unknown[] = [];
  while (r.remaining() > 0) out.push(d.value(0));
  return out;
}

class Amf0Encoder {
  private readonly w: ByteWriter;
  private readonly refs = new Map<object, number>();
  private readonly open = new Set<object>();
  private registered = 0;

  constructor(w: ByteWriter) {
    this.w = w;
  }

  value(v: unknown, depth: number): void {
    const w = this.w;
    switch (typeof v) {
      case 'number':
        w.u8(Amf0Marker.Number);
        w.f64(v);
        return;
      case 'boolean':
        w.u8(Amf0Marker.Boolean);
        w.u8(v ? 1 : 0);
        return;
      case 'string': {
        const len = utf8Length(v);
        if (len <= 0xffff) {
          w.u8(Amf0Marker.String);
          w.u16(len);
        } else {
          w.u8(Amf0Marker.LongString);
          w.u32(len);
        }
        w.utf8(v, len);
        return;
      }
      case 'undefined':
        w.u8(Amf0Marker.Undefined);
        return;
      case 'object':
        if (v === null) w.u8(Amf0Marker.Null);
        else this.complex(v, depth);
        return;
      default:
        throw new SluiceError('AMF_ENCODE', `a ${typeof v} has no AMF0 form`);
    }
  }

  private key(k: string): void {
    const len = utf8Length(k);
    if (len > 0xffff) throw new SluiceError('AMF_ENCODE', 'AMF0 key longer than 65535 bytes');
    this.w.u16(len);
    this.w.utf8(k, len);
  }

  private complex(v: object, depth: number): void {
    const w = this.w;
    if (v instanceof Date) {
      w.u8(Amf0Marker.Date);
      w.f64(v.getTime());
      w.s16(0);
      return;
    }
    if (v instanceof AmfXml) {
      const len = utf8Length(v.text);
      w.u8(Amf0Marker.XmlDocument);
      w.u32(len);
      w.utf8(v.text, len);
      return;
    }
    if (v instanceof Uint8Array || v instanceof Int32Array || v instanceof Uint32Array ||
      v instanceof Float64Array || v instanceof Map || v instanceof AmfObjectVector) {
      w.u8(Amf0Marker.AvmPlus);
      writeAmf3(w, v);
      return;
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Set || v instanceof WeakMap) {
      throw new SluiceError('AMF_ENCODE', `a ${v.constructor.name} has no AMF0 form`);
    }
    const seen = this.refs.get(v);
    if (seen !== undefined) {
      if (this.open.has(v)) throw new SluiceError('AMF_ENCODE', 'cyclic value');
      if (seen <= 0xffff) {
        w.u8(Amf0Marker.Reference);
        w.u16(seen);
        return;
      }
    } else {
      this.refs.set(v, this.registered);
    }
    this.registered++;
    if (depth >= DEFAULT_MAX_DEPTH) throw new SluiceError('AMF_ENCODE', `nested deeper than ${DEFAULT_MAX_DEPTH}`);
    this.open.add(v);
    if (Array.isArray(v)) {
      w.u8(Amf0Marker.StrictArray);
      w.u32(v.length);
      for (let i = 0; i < v.length; i++) this.value(v[i], depth + 1);
    } else {
      const className = classNameOf(v);
      const keys = Object.keys(v);
      if (isEcmaArray(v)) {
        w.u8(Amf0Marker.EcmaArray);
        w.u32(keys.length);
      } else if (className !== undefined) {
        w.u8(Amf0Marker.TypedObject);
        this.key(className);
      } else {
        w.u8(Amf0Marker.Object);
      }
      for (const k of keys) {
        this.key(k);
        this.value((v as AmfObject)[k], depth + 1);
      }
      w.u16(0);
      w.u8(Amf0Marker.ObjectEnd);
    }
    this.open.delete(v);
  }
}

/** Encodes values as consecutive AMF0 values (one reference table across them). */
export function encodeAmf0(...values: unknown[]): Uint8Array {
  const w = new ByteWriter();
  const e = new Amf0Encoder(w);
  for (const v of values) e.value(v, 0);
  return w.finish();
}

// AMF3 encoding: the inverse of amf3.ts. Repeated strings, objects and traits are written as
// references (as Flash does); a cycle is refused because our decoder refuses it too.

import { SluiceError } from '../../errors.ts';
import { ByteWriter, utf8Length } from './amf-bytes.ts';
import { Amf3Marker, AmfObjectVector, AmfXml, DEFAULT_MAX_DEPTH, classNameOf, isEcmaArray, isFixedVector } from './amf-types.ts';
import type { AmfObject } from './amf-types.ts';

const INT_MIN = -0x10000000;
const INT_MAX = 0x0fffffff;
const U29_MAX = 0x1fffffff;

export class Amf3Encoder {
  readonly w: ByteWriter;
  private readonly strings = new Map<string, number>();
  private readonly objects = new Map<object, number>();
  private readonly traits = new Map<string, number>();
  private readonly open = new Set<object>();

  constructor(w: ByteWriter) {
    this.w = w;
  }

  u29(v: number): void {
    const w = this.w;
    if (v < 0 || v > U29_MAX) throw new SluiceError('AMF_ENCODE', `U29 out of range: ${v}`);
    if (v < 0x80) w.u8(v);
    else if (v < 0x4000) {
      w.u8((v >>> 7) | 0x80);
      w.u8(v & 0x7f);
    } else if (v < 0x200000) {
      w.u8((v >>> 14) | 0x80);
      w.u8(((v >>> 7) & 0x7f) | 0x80);
      w.u8(v & 0x7f);
    } else {
      w.u8((v >>> 22) | 0x80);
      w.u8(((v >>> 15) & 0x7f) | 0x80);
      w.u8(((v >>> 8) & 0x7f) | 0x80);
      w.u8(v & 0xff);
    }
  }

  /** An inline length or count, as `(n << 1) | 1`. */
  private inline(n: number): void {
    if (n > U29_MAX >>> 1) throw new SluiceError('AMF_ENCODE', `length ${n} too large for AMF3`);
    this.u29(n * 2 + 1);
  }

  string(s: string): void {
    if (s === '') {
      this.w.u8(0x01);
      return;
    }
    const ref = this.strings.get(s);
    if (ref !== undefined) {
      this.u29(ref << 1);
      return;
    }
    this.strings.set(s, this.strings.size);
    const len = utf8Length(s);
    this.inline(len);
    this.w.utf8(s, len);
  }

  /** Writes a reference if `v` was written before; otherwise registers it and returns false. */
  private reference(v: object): boolean {
    const ref = this.objects.get(v);
    if (ref === undefined) {
      this.objects.set(v, this.objects.size);
      return false;
    }
    if (this.open.has(v)) throw new SluiceError('AMF_ENCODE', 'cyclic value');
    this.u29(ref << 1);
    return true;
  }

  value(v: unknown, depth = 0): void {
    const w = this.w;
    switch (typeof v) {
      case 'undefined':
        w.u8(Amf3Marker.Undefined);
        return;
      case 'boolean':
        w.u8(v ? Amf3Marker.True : Amf3Marker.False);
        return;
      case 'number':
        if (Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX && !Object.is(v, -0)) {
          w.u8(Amf3Marker.Integer);
          this.u29(v & U29_MAX);
        } else {
          w.u8(Amf3Marker.Double);
          w.f64(v);
        }
        return;
      case 'string':
        w.u8(Amf3Marker.String);
        this.string(v);
        return;
      case 'object':
        if (v === null) w.u8(Amf3Marker.Null);
        else this.complex(v, depth);
        return;
      default:
        throw new SluiceError('AMF_ENCODE', `a ${typeof v} has no AMF3 form`);
    }
  }

  private complex(v: object, depth: number): void {
    const w = this.w;
    const marker = markerOf(v);
    w.u8(marker);
    if (this.reference(v)) return;
    if (depth >= DEFAULT_MAX_DEPTH) throw new SluiceError('AMF_ENCODE', `nested deeper than ${DEFAULT_MAX_DEPTH}`);
    this.open.add(v);
    switch (marker) {
      case Amf3Marker.Date:
        this.inline(0);
        w.f64((v as Date).getTime());
        break;
      case Amf3Marker.XmlDoc:
      case Amf3Marker.Xml: {
        const text = (v as AmfXml).text;
        const len = utf8Length(text);
        this.inline(len);
        w.utf8(text, len);
        break;
      }
      case Amf3Marker.ByteArray:
        this.inline((v as Uint8Array).length);
        w.bytes(v as Uint8Array);
        break;
      case Amf3Marker.VectorInt:
      case Amf3Marker.VectorUint:
      case Amf3Marker.VectorDouble:
        this.numericVector(v as Int32Array | Uint32Array | Float64Array, marker);
        break;
      case Amf3Marker.VectorObject: {
        const vec = v as AmfObjectVector;
        this.inline(vec.items.length);
        w.u8(vec.fixed ? 1 : 0);
        this.string(vec.className);
        for (const item of vec.items) this.value(item, depth + 1);
        break;
      }
      case Amf3Marker.Dictionary:
        this.inline((v as Map<unknown, unknown>).size);
        w.u8(0);
        for (const [k, val] of v as Map<unknown, unknown>) {
          this.value(k, depth + 1);
          this.value(val, depth + 1);
        }
        break;
      case Amf3Marker.Array:
        if (Array.isArray(v)) {
          this.inline(v.length);
          w.u8(0x01);
          for (let i = 0; i < v.length; i++) this.value(v[i], depth + 1);
        } else {
          // An ECMA array: everything goes in the associative part, so numeral keys come back as keys.
          this.inline(0);
          this.dynamicMembers(v as AmfObject, depth);
        }
        break;
      default:
        this.object(v as AmfObject, depth);
    }
    this.open.delete(v);
  }

  private numericVector(v: Int32Array | Uint32Array | Float64Array, marker: number): void {
    const w = this.w;
    this.inline(v.length);
    w.u8(isFixedVector(v) ? 1 : 0);
    for (let i = 0; i < v.length; i++) {
      if (marker === Amf3Marker.VectorDouble) w.f64(v[i]!);
      else if (marker === Amf3Marker.VectorInt) w.s32(v[i]!);
      else w.u32(v[i]!);
    }
  }

  private dynamicMembers(obj: AmfObject, depth: number): void {
    for (const key of Object.keys(obj)) {
      if (key === '') throw new SluiceError('AMF_ENCODE', 'AMF3 cannot carry an empty dynamic key');
      this.string(key);
      this.value(obj[key], depth + 1);
    }
    this.w.u8(0x01);
  }

  /** Anonymous objects are dynamic with no sealed members; typed ones seal all their keys. */
  private object(obj: AmfObject, depth: number): void {
    const className = classNameOf(obj) ?? '';
    const keys = className === '' ? [] : Object.keys(obj);
    const traitsKey = JSON.stringify([className, ...keys]);
    const ref = this.traits.get(traitsKey);
    if (ref !== undefined) {
      this.u29((ref << 2) | 0b01);
    } else {
      this.traits.set(traitsKey, this.traits.size);
      if (keys.length > U29_MAX >>> 4) throw new SluiceError('AMF_ENCODE', 'too many members');
      this.u29(keys.length * 16 + (className === '' ? 0b1011 : 0b0011));
      this.string(className);
      for (const k of keys) this.string(k);
    }
    if (className === '') this.dynamicMembers(obj, depth);
    else for (const k of keys) this.value(obj[k], depth + 1);
  }
}

function markerOf(v: object): number {
  if (Array.isArray(v) || isEcmaArray(v)) return Amf3Marker.Array;
  if (v instanceof Date) return Amf3Marker.Date;
  if (v instanceof AmfXml) return v.e4x ? Amf3Marker.Xml : Amf3Marker.XmlDoc;
  if (v instanceof Uint8Array) return Amf3Marker.ByteArray;
  if (v instanceof Int32Array) return Amf3Marker.VectorInt;
  if (v instanceof Uint32Array) return Amf3Marker.VectorUint;
  if (v instanceof Float64Array) return Amf3Marker.VectorDouble;
  if (v instanceof AmfObjectVector) return Amf3Marker.VectorObject;
  if (v instanceof Map) return Amf3Marker.Dictionary;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Set || v instanceof WeakMap) {
    throw new SluiceError('AMF_ENCODE', `a ${v.constructor.name} has no AMF3 form`);
  }
  return Amf3Marker.Object;
}

/** Writes one AMF3 value (used by the AMF0 encoder after an 0x11 switch). */
export function writeAmf3(w: ByteWriter, v: unknown): void {
  new Amf3Encoder(w).value(v);
}

/** Encodes values as AMF3, sharing reference tables across them. */
export function encodeAmf3(...values: unknown[]): Uint8Array {
  const w = new ByteWriter();
  const e = new Amf3Encoder(w);
  for (const v of values) e.value(v);
  return w.finish();
}

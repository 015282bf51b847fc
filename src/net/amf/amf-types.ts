// The JS shapes AMF values decode to, shared by amf0.ts and amf3.ts so that a value read from
// one encoding writes back to either. Markers are non-enumerable symbols: they survive in the
// object, stay out of Object.keys/JSON/deepEqual, and cannot be forged by a wire key.
//
//   AMF                                  JS
//   number, AMF3 integer/double          number (encode: AMF3 integer when it fits 29 bits)
//   boolean, string, long string         boolean, string (encode: long string past 65535 bytes)
//   null / undefined, AMF0 unsupported   null / undefined
//   anonymous object                     plain object (own `__proto__` keys kept as data)
//   typed object                         plain object carrying AMF_CLASS_NAME (typedObject())
//   AMF0 ECMA array                      plain object carrying AMF_ECMA_ARRAY (ecmaArray())
//   AMF3 array, no associative part      JS array (so is AMF0 strict array)
//   AMF3 array with associative part     ecmaArray() object: dense items under "0", "1", ...
//   date                                 Date (AMF0 time zone ignored, written as 0)
//   XML document / AMF3 E4X XML          AmfXml (e4x false / true)
//   AMF3 ByteArray                       Uint8Array (a copy of the input)
//   AMF3 Vector int / uint / double      Int32Array / Uint32Array / Float64Array (+ fixedVector())
//   AMF3 Vector.<Object>                 AmfObjectVector
//   AMF3 Dictionary                      Map (weak-keys flag dropped)
//   AMF0 reference, AMF3 references      the same JS object again; a cycle is refused
//   movieclip, recordset, externalizable refused with AMF_DECODE

/** Marks a plain object as an ECMA (associative) array. */
export const AMF_ECMA_ARRAY: unique symbol = Symbol('amf.ecmaArray');
/** Holds the class name of a typed object (AMF0 0x10, AMF3 object with a class name). */
export const AMF_CLASS_NAME: unique symbol = Symbol('amf.className');
/** Marks an AMF3 numeric vector (Int32Array, Uint32Array, Float64Array) as fixed-length. */
export const AMF_FIXED_VECTOR: unique symbol = Symbol('amf.fixedVector');

export type AmfObject = Record<string, unknown>;

/** An XML document (AMF0 0x0F, AMF3 0x07) or an E4X XML value (AMF3 0x0B, `e4x` true). */
export class AmfXml {
  readonly text: string;
  readonly e4x: boolean;
  constructor(text: string, e4x = false) {
    this.text = text;
    this.e4x = e4x;
  }
}

/** AMF3 Vector.<Object> (0x10); numeric vectors decode to typed arrays instead. */
export class AmfObjectVector {
  readonly className: string;
  readonly fixed: boolean;
  readonly items: unknown[];
  constructor(className: string, items: unknown[], fixed = false) {
    this.className = className;
    this.items = items;
    this.fixed = fixed;
  }
}

function mark(obj: object, sym: symbol, value: unknown): void {
  Object.defineProperty(obj, sym, { value, enumerable: false, writable: false, configurable: true });
}

/** Marks `obj` (in place) as an ECMA array for encoding; returns it. */
export function ecmaArray<T extends object>(obj: T): T {
  mark(obj, AMF_ECMA_ARRAY, true);
  return obj;
}

export function isEcmaArray(v: unknown): v is AmfObject {
  return typeof v === 'object' && v !== null && (v as { [AMF_ECMA_ARRAY]?: boolean })[AMF_ECMA_ARRAY] === true;
}

/** Marks `obj` (in place) as an instance of the named class; returns it. */
export function typedObject<T extends object>(className: string, obj: T): T {
  mark(obj, AMF_CLASS_NAME, className);
  return obj;
}

/** The class name of a typed object, or undefined for an anonymous one. */
export function classNameOf(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const name = (v as { [AMF_CLASS_NAME]?: unknown })[AMF_CLASS_NAME];
  return typeof name === 'string' ? name : undefined;
}

/** Marks a numeric typed array as an AMF3 fixed-length vector; returns it. */
export function fixedVector<T extends Int32Array | Uint32Array | Float64Array>(v: T): T {
  mark(v, AMF_FIXED_VECTOR, true);
  return v;
}

export function isFixedVector(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as { [AMF_FIXED_VECTOR]?: boolean })[AMF_FIXED_VECTOR] === true;
}

/**
 * Sets an own enumerable property even when the key is `__proto__`, which a plain assignment
 * would turn into a prototype change (the pollution a hostile payload aims for).
 */
export function setProp(obj: object, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    (obj as AmfObject)[key] = value;
  }
}

/** A plain object with the own enumerable string keys of `src`, markers dropped. */
export function copyProps(src: object): AmfObject {
  const out: AmfObject = {};
  for (const key of Object.keys(src)) setProp(out, key, (src as AmfObject)[key]);
  return out;
}

/** AMF3 type markers (shared by the decoder in amf3.ts and the encoder in amf3-encode.ts). */
export const Amf3Marker = {
  Undefined: 0x00,
  Null: 0x01,
  False: 0x02,
  True: 0x03,
  Integer: 0x04,
  Double: 0x05,
  String: 0x06,
  XmlDoc: 0x07,
  Date: 0x08,
  Array: 0x09,
  Object: 0x0a,
  Xml: 0x0b,
  ByteArray: 0x0c,
  VectorInt: 0x0d,
  VectorUint: 0x0e,
  VectorDouble: 0x0f,
  VectorObject: 0x10,
  Dictionary: 0x11,
} as const;

/** Limits applied while decoding hostile input. */
export interface AmfDecodeOptions {
  /** Deepest nesting of objects/arrays accepted (default 64). */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 64;
/** Bound on each reference table (objects, strings, traits). */
export const MAX_REFERENCES = 1 << 20;
/**
 * Bound on the nodes reachable through references: a few bytes of nested back-references can
 * describe a DAG whose naive traversal (JSON.stringify, a deep copy) is exponential.
 */
export const MAX_REFERENCE_EXPANSION = 1 << 22;

/**
 * A fresh Uint8Array copy of src[start, end). Not `src.slice()`: on a Node Buffer that
 * returns a view sharing memory (and a Buffer), which would pin and alias the input.
 */
export function copyBytes(src: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(src.subarray(start, end));
  return out;
}

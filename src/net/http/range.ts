// Single byte-range parsing (RFC 9110 section 14). Multiple ranges are answered with the
// whole file, as nginx and most static servers do, which the RFC allows (a server may
// ignore Range). A header we cannot parse is ignored too; only a well-formed range that
// lies past the end of the file is "unsatisfiable" (416).

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

const DIGITS = /^\d+$/;

export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return null;
  const spec = header.slice(eq + 1).trim();
  if (spec.includes(',')) return null;
  const dash = spec.indexOf('-');
  if (dash < 0) return null;
  const first = spec.slice(0, dash).trim();
  const last = spec.slice(dash + 1).trim();

  if (first === '') {
    // Suffix range: the last N bytes; a suffix longer than the file means the whole file.
    if (!DIGITS.test(last)) return null;
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }

  if (!DIGITS.test(first)) return null;
  const start = Number(first);
  if (last === '') {
    return start >= size ? 'unsatisfiable' : { start, end: size - 1 };
  }
  if (!DIGITS.test(last)) return null;
  const end = Number(last);
  if (end < start) return null; // syntactically invalid: ignore the header
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

/** The `Content-Range` value for a satisfied range. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

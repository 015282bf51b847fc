// Maps a request path onto a file under a root, or refuses it. Pure (node:path only).
//
// The path is percent-decoded exactly once, so "%252e%252e" stays a literal file name
// "%2e%2e" and never becomes "..". After decoding, any ".." segment is refused outright
// rather than resolved: clients remove dot segments before sending (RFC 3986 5.2.4), so
// one that reaches us is either hand-made or hostile, and refusing is simpler to trust
// than normalising. Backslashes are refused because they are separators on Windows;
// NUL and other control characters because no file we serve has them and C APIs cut at NUL.
import path from 'node:path';

// C0 controls, DEL, backslash.
const FORBIDDEN = /[\u0000-\u001f\u007f\\]/;

/**
 * Resolves `urlPath` (the path of a request target, e.g. `req.url`; anything from `?` or
 * `#` on is ignored) against `rootDir`. Returns the absolute file path, always equal to
 * the resolved root or inside it, or null when the path is malformed or would escape.
 */
export function resolveSafePath(rootDir: string, urlPath: string): string | null {
  let end = urlPath.length;
  const q = urlPath.indexOf('?');
  if (q >= 0) end = q;
  const h = urlPath.indexOf('#');
  if (h >= 0 && h < end) end = h;
  const raw = urlPath.slice(0, end);
  // Origin-form only: "http://host/x" (absolute-form) and "*" are not file paths.
  if (raw.length === 0 || raw.charCodeAt(0) !== 0x2f /* / */) return null;
  if (FORBIDDEN.test(raw)) return null;

  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null; // malformed percent-encoding or invalid UTF-8
  }
  if (FORBIDDEN.test(decoded)) return null;

  const segments = decoded.split('/');
  const kept: string[] = [];
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue; // "//" and "/./" collapse
    if (segment === '..') return null;
    kept.push(segment);
  }

  const root = path.resolve(rootDir);
  if (kept.length === 0) return root;
  const full = path.join(root, ...kept);
  return isInside(root, full) ? full : null;
}

/** True when `candidate` is `root` itself or below it; both must be absolute and normalised. */
export function isInside(root: string, candidate: string): boolean {
  if (candidate === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return candidate.startsWith(prefix);
}

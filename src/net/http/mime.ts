// Content types by file extension. Pure: the extension is cut from the string by hand.

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export const MIME_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/MP2T',
  '.flv': 'video/x-flv',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.mp3': 'audio/mpeg',
  '.mpd': 'application/dash+xml',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  // crossdomain.xml (Flash players) is the main .xml we serve; SRS uses text/xml too.
  '.xml': 'text/xml; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
});

/** The content type for a file name or path, by its (case-insensitive) extension. */
export function contentTypeFor(fileName: string): string {
  const slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
  const dot = fileName.lastIndexOf('.');
  // A leading dot (".bashrc") names a hidden file, not an extension.
  if (dot <= slash + 1) return DEFAULT_CONTENT_TYPE;
  const ext = fileName.slice(dot).toLowerCase();
  return Object.hasOwn(MIME_TYPES, ext) ? MIME_TYPES[ext]! : DEFAULT_CONTENT_TYPE;
}

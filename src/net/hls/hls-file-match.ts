// Which stream an HLS file request is about, from the `hls.m3u8_file` / `hls.ts_file`
// template that named the file: `/live/x.m3u8` and `/live/x-12.ts` are `live/x` under
// the default templates. Tokens are checked against that `app/stream`. Pure.

const cache = new Map<string, RegExp>();

const VARIABLE = /(\[vhost\]|\[app\]|\[stream\]|\[seq\]|\[timestamp\])/;

function pattern(template: string): RegExp {
  let re = cache.get(template);
  if (re) return re;
  const seen = new Set<string>();
  const body = template
    .replace(/^\/+/, '')
    .split(VARIABLE)
    .map((part) => {
      switch (part) {
        case '[app]':
        case '[stream]': {
          const name = part.slice(1, -1);
          // A variable used twice must name the same thing: a back-reference the second time.
          if (seen.has(name)) return `\\k<${name}>`;
          seen.add(name);
          return name === 'app' ? '(?<app>.+)' : '(?<stream>[^/]+)';
        }
        case '[vhost]':
          return '[^/]+';
        case '[seq]':
        case '[timestamp]':
          return '\\d+';
        default:
          return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
    })
    .join('');
  re = new RegExp(`^/${body}$`);
  if (cache.size > 64) cache.clear(); // templates come from the config: a handful
  cache.set(template, re);
  return re;
}

/** The app and stream a request path names under `template`, or null when it does not fit. */
export function matchHlsFile(template: string, pathname: string): { app: string; stream: string } | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const m = pattern(template).exec(path);
  if (!m?.groups?.app || !m.groups.stream) return null;
  return { app: m.groups.app, stream: m.groups.stream };
}

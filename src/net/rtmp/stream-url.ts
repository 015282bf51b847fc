// Where a stream lives: vhost, app, stream name and parameters, from an RTMP tcUrl plus
// the name given to publish/play, following SRS: the vhost is the
// tcUrl host unless `vhost=` or `domain=` appears in the app's query or the stream's;
// FMLE users type `...` for `?`; `/_definst_` is dropped; an empty app is `__defaultApp__`.

export interface TcUrl {
  readonly schema: string;
  readonly host: string;
  readonly port: number | null;
  readonly app: string;
  /** The query found in the app part, with its leading '?', or ''. */
  readonly param: string;
}

export interface StreamLocation {
  readonly vhost: string;
  readonly app: string;
  readonly stream: string;
  /** Parameters with the leading '?' (as hooks report them), or ''. */
  readonly param: string;
}

export const DEFAULT_VHOST = '__defaultVhost__';
export const DEFAULT_APP = '__defaultApp__';

const FMLE_QUERY = /\.\.\.vhost\.\.\./g;

function fmleToQuery(s: string): string {
  return s.replace(FMLE_QUERY, '?vhost=');
}

export function parseTcUrl(tcUrl: string): TcUrl | null {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?]*)(.*)$/.exec(fmleToQuery(tcUrl.trim()));
  if (!m) return null;
  const [, schema, authority, rest] = m;
  let host = authority;
  let port: number | null = null;
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(authority);
  if (hp) {
    host = hp[1];
    if (hp[2] !== undefined) port = Number(hp[2]);
  }
  let path = rest.startsWith('/') ? rest.slice(1) : rest;
  let param = '';
  const q = path.indexOf('?');
  if (q >= 0) {
    param = path.slice(q);
    path = path.slice(0, q);
  }
  path = path.replace(/\/_definst_\/?$/, '').replace(/\/+$/, '');
  return { schema: schema.toLowerCase(), host, port, app: path, param };
}

// SRS also separates parameters with commas (`?key=K,vhost=V`, the form of its
// bandwidth-test docs), so a comma ends a value here as `&` does.
const PARAM_SEPARATOR = /[?&,]/;

/** The value of `key` in a query (`?a=1&b=2`, `?a=1,b=2`), undecoded, or null. */
export function paramValue(param: string, key: string): string | null {
  for (const part of param.replace(/^\?/, '').split(PARAM_SEPARATOR)) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq) === key) return part.slice(eq + 1);
  }
  return null;
}

/** The stream a publish/play names, given the connection's tcUrl. */
export function resolveStream(tc: TcUrl, streamName: string): StreamLocation {
  let name = fmleToQuery(streamName.trim());
  let streamParam = '';
  const q = name.indexOf('?');
  if (q >= 0) {
    streamParam = name.slice(q);
    name = name.slice(0, q);
  }
  const param = joinParams(streamParam, tc.param);
  let vhost = tc.host;
  for (const key of ['vhost', 'domain']) {
    const v = paramValue(param, key);
    if (v && v !== DEFAULT_VHOST) {
      vhost = v;
      break;
    }
  }
  return { vhost, app: tc.app || DEFAULT_APP, stream: name, param };
}

function joinParams(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a;
  return `${a}&${b.slice(1)}`;
}

/** The name of a stream in the directory and in URLs: `vhost/app/stream`. */
export function streamKey(loc: { vhost: string; app: string; stream: string }): string {
  return `${loc.vhost}/${loc.app}/${loc.stream}`;
}

/** SRS's `stream_url`: `/app/stream` on the default vhost, `vhost/app/stream` elsewhere. */
export function streamUrl(loc: { vhost: string; app: string; stream: string }): string {
  return loc.vhost === DEFAULT_VHOST ? `/${loc.app}/${loc.stream}` : `${loc.vhost}/${loc.app}/${loc.stream}`;
}

/** No `.`/`..` segment, backslash or control character: app and stream names become paths (HLS, DVR). */
export function isSafeName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\\\x00-\x1f]/.test(name) && !name.split('/').some((seg) => seg === '..' || seg === '.');
}

// The `token` parameter of a stream's query. RTMP parameters come from the stream name
// and the tcUrl joined (`?a=1&token=...`), split on `&` or `?` as SRS does; HTTP ones
// from the request URL. Pure.

export const TOKEN_PARAM = 'token';

/** Tokens are a few hundred bytes; anything much longer is refused before jose sees it. */
export const MAX_TOKEN_LENGTH = 4096;

function pairs(param: string): string[] {
  return param.replace(/^\?/, '').split(/[?&]/).filter((p) => p !== '');
}

function keyOf(pair: string): string {
  const eq = pair.indexOf('=');
  return eq < 0 ? pair : pair.slice(0, eq);
}

/** The first `token=` value of a query (with or without its '?'), percent-decoded; null when none. */
export function tokenOf(param: string): string | null {
  for (const pair of pairs(param)) {
    if (keyOf(pair) !== TOKEN_PARAM) continue;
    const raw = pair.slice(TOKEN_PARAM.length + 1);
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw; // not valid percent-encoding: jose will call it malformed
    }
  }
  return null;
}

/**
 * The query without any `token=` pair, keeping the others in order and the leading '?'
 * when something is left ('' otherwise): what hooks, forwards, the API and logs get.
 */
export function withoutToken(param: string): string {
  if (!param.includes(TOKEN_PARAM)) return param;
  const kept = pairs(param).filter((p) => keyOf(p) !== TOKEN_PARAM);
  if (kept.length === 0) return '';
  return `${param.startsWith('?') ? '?' : ''}${kept.join('&')}`;
}

/** Any text (a command line, a URL) with the value of every `token=` replaced, for logs. */
export function redactTokens(text: string): string {
  return text.replace(/([?&]token=)[^&\s]*/g, '$1<redacted>');
}

/** A URL (an RTMP tcUrl, a request target) with `token=` taken out of its query. */
export function urlWithoutToken(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = hash < 0 ? url.slice(q) : url.slice(q, hash);
  const tail = hash < 0 ? '' : url.slice(hash);
  return `${url.slice(0, q)}${withoutToken(query)}${tail}`;
}

// A playlist handed to a player who came with a query (a token): every relative URI in
// it (segments, parts, preload hints, init sections, variant playlists) gets the same
// query, so the player's next requests carry it without knowing about it. Absolute
// URIs (another host) are left alone: the query is for this server only. Pure.

const ABSOLUTE = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|\/\/)/;
const URI_ATTRIBUTE = /URI="([^"]*)"/g;

function withQuery(uri: string, query: string): string {
  if (uri === '' || ABSOLUTE.test(uri)) return uri;
  const hash = uri.indexOf('#');
  const path = hash < 0 ? uri : uri.slice(0, hash);
  const tail = hash < 0 ? '' : uri.slice(hash);
  return `${path}${path.includes('?') ? '&' : '?'}${query}${tail}`;
}

/** `playlist` with `query` (no leading '?', e.g. `token=abc`) added to each relative URI. */
export function addQueryToUris(playlist: string, query: string): string {
  if (query === '') return playlist;
  return playlist
    .split('\n')
    .map((line) => {
      const cr = line.endsWith('\r') ? '\r' : '';
      const text = cr ? line.slice(0, -1) : line;
      if (text.startsWith('#')) return text.replace(URI_ATTRIBUTE, (_, uri: string) => `URI="${withQuery(uri, query)}"`) + cr;
      const trimmed = text.trim();
      return trimmed === '' ? line : withQuery(trimmed, query) + cr;
    })
    .join('\n');
}

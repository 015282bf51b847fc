// Which API endpoint a request names. Pure: method and path in, a route out. The
// trailing slash is optional everywhere (SRS redirects to the slashed form; we answer).

export type RouteName =
  | 'index' | 'versions' | 'summaries' | 'vhosts' | 'vhost' | 'streams' | 'stream'
  | 'clients' | 'client' | 'kick' | 'raw' | 'metrics' | 'cluster';

export type Route =
  | { kind: 'route'; name: RouteName; id: string }
  | { kind: 'options' }
  | { kind: 'console' }
  | { kind: 'not-found' }
  | { kind: 'bad-method'; allowed: string[] };

const COLLECTIONS: Record<string, [RouteName, RouteName]> = {
  vhosts: ['vhosts', 'vhost'],
  streams: ['streams', 'stream'],
  clients: ['clients', 'client'],
};

const ID = /^[A-Za-z0-9_.-]{1,64}$/;

function methods(name: RouteName): string[] {
  if (name === 'client') return ['GET', 'HEAD', 'DELETE'];
  if (name === 'raw') return ['GET', 'HEAD', 'POST'];
  return ['GET', 'HEAD'];
}

function byPath(path: string): { name: RouteName; id: string } | null {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (p === '/metrics') return { name: 'metrics', id: '' };
  if (p === '/' || p === '/api' || p === '/api/v1') return { name: 'index', id: '' };
  const m = /^\/api\/v1\/([a-z_]+)(?:\/([^/]+))?$/.exec(p);
  if (!m) return null;
  const [, section, id] = m;
  const coll = COLLECTIONS[section!];
  if (coll) {
    if (id === undefined) return { name: coll[0], id: '' };
    return ID.test(id) ? { name: coll[1], id } : null;
  }
  if (id !== undefined) return null;
  if (section === 'versions' || section === 'summaries' || section === 'raw' || section === 'cluster') return { name: section, id: '' };
  return null;
}

export function matchRoute(method: string, path: string): Route {
  if (method === 'OPTIONS') return { kind: 'options' };
  // The console's files (static, GET/HEAD): open even when the API needs a token, since
  // the page is what asks for it.
  if (path === '/console' || path.startsWith('/console/')) return { kind: 'console' };
  const r = byPath(path);
  if (!r) return { kind: 'not-found' };
  const allowed = methods(r.name);
  if (!allowed.includes(method)) return { kind: 'bad-method', allowed };
  if (r.name === 'client' && method === 'DELETE') return { kind: 'route', name: 'kick', id: r.id };
  return { kind: 'route', ...r };
}

// Matching a request path against an `http_remux.mount` template such as
// `[vhost]/[app]/[stream].flv`. The vhost comes from the Host header, so `[vhost]/`
// is not part of the path.

const cache = new Map<string, RegExp>();

function mountPattern(mount: string): RegExp {
  let re = cache.get(mount);
  if (re) return re;
  const body = mount
    .replace(/^\[vhost\]\//, '')
    .replace(/^\/+/, '')
    .split(/(\[app\]|\[stream\])/)
    .map((part) => (part === '[app]' ? '(?<app>.+)' : part === '[stream]' ? '(?<stream>[^/]+)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  re = new RegExp(`^/${body}$`);
  cache.set(mount, re);
  return re;
}

export function matchMount(mount: string, pathname: string): { app: string; stream: string } | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const m = mountPattern(mount).exec(path);
  if (!m?.groups?.app || !m.groups.stream) return null;
  return { app: m.groups.app, stream: m.groups.stream };
}

// Where forwarders and edges connect when they talk to another RTMP server: host[:port]
// lists, the tcUrl with the vhost passed as SRS does, and the hop count that bounds
// forward loops (the connection itself, with its retries, is `upstream-link.ts`).
//
// Hops: a forwarded publish carries `sluice_hops=N` in its stream parameters, N being
// the number of servers the stream went through before the destination. A server
// forwards (or pushes an edge publish) only while N < MAX_FORWARD_HOPS, so a loop of
// forwards (A -> B -> A ...) dies out after a few hops even when the stream names differ
// at each hop; with equal names the second publish of a name is refused (BadName) anyway.

import { DEFAULT_VHOST } from '../../net/rtmp/stream-url.ts';

export const DEFAULT_RTMP_PORT = 1935;
export const HOPS_PARAM = 'sluice_hops';
/** A stream that already went through this many servers is not forwarded further. */
export const MAX_FORWARD_HOPS = 5;

export interface HostPort {
  host: string;
  port: number;
}

/** "host", "host:port", "[v6]:port"; the port defaults to 1935. */
export function parseHostPort(s: string, defaultPort = DEFAULT_RTMP_PORT): HostPort {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(s.trim());
  if (!m) return { host: s.trim(), port: defaultPort };
  return { host: m[1]!, port: m[2] !== undefined ? Number(m[2]) : defaultPort };
}

/** The tcUrl to connect with: `rtmp://host:port/app`, plus `?vhost=X` off the default vhost. */
export function upstreamTcUrl(hp: HostPort, vhost: string, app: string): string {
  const base = `rtmp://${hp.host}:${hp.port}/${app}`;
  return vhost === DEFAULT_VHOST || vhost === '' ? base : `${base}?vhost=${vhost}`;
}

/** Splits `?a=1&b=2` (or `a=1&b=2`) into key/value pairs, in order. */
function paramPairs(param: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of param.replace(/^\?/, '').split(/[?&]/)) {
    if (!part) continue;
    const eq = part.indexOf('=');
    out.push(eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)]);
  }
  return out;
}

/** The hop count a publish carries in its parameters (0 when none). */
export function hopsOf(param: string): number {
  for (const [k, v] of paramPairs(param)) {
    if (k !== HOPS_PARAM) continue;
    const n = Number(v);
    return Number.isInteger(n) && n >= 0 ? n : MAX_FORWARD_HOPS;
  }
  return 0;
}

/**
 * The stream name a forwarder publishes: the same name, the publisher's own parameters
 * (tokens for hooks) minus the routing ones (vhost is in the tcUrl), and the hop count.
 */
export function forwardedStreamName(stream: string, param: string, hops: number): string {
  const kept = paramPairs(param).filter(([k]) => k !== HOPS_PARAM && k !== 'vhost' && k !== 'domain');
  kept.push([HOPS_PARAM, String(hops)]);
  return `${stream}?${kept.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&')}`;
}

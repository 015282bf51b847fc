// String formats the schema checks beyond what JSON Schema can express. They live
// here, apart from ajv, because normalisation parses the same strings again and the
// two must never disagree about what is valid.
import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port: number | undefined;
}

// Hostnames per RFC 1123 labels; IPv6 literals are only accepted in brackets so the
// port separator stays unambiguous.
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

export function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

function isHost(host: string): boolean {
  return isIP(host) === 4 || HOSTNAME.test(host);
}

/** "host:port", "[v6]:port", or with `portOptional` also a bare host. */
export function parseHostPort(text: string, portOptional = false): HostPort | null {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    host = text.slice(1, close);
    if (isIP(host) !== 6) return null;
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return null;
      portText = rest.slice(1);
    }
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0) {
      host = text;
    } else {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
    }
    if (!isHost(host)) return null;
  }
  if (portText === undefined) return portOptional ? { host, port: undefined } : null;
  if (!/^[0-9]{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  return isPort(port) ? { host, port } : null;
}

/** "" (off) or redis://[user:pass@]host[:port][/db], rediss:// for TLS. */
export function isRedisUrlOrEmpty(text: string): boolean {
  if (text === '') return true;
  try {
    const u = new URL(text);
    return (u.protocol === 'redis:' || u.protocol === 'rediss:') && u.hostname !== '' && /^(\/\d*)?$/.test(u.pathname);
  } catch {
    return false;
  }
}

export function isHostPort(text: string): boolean {
  return parseHostPort(text) !== null;
}

export function isHostOptionalPort(text: string): boolean {
  return parseHostPort(text, true) !== null;
}

/** An IPv4/IPv6 address, a CIDR block of either, or the word `all`. */
export function isRuleSource(text: string): boolean {
  if (text === 'all') return true;
  const slash = text.indexOf('/');
  if (slash < 0) return isIP(text) !== 0;
  const family = isIP(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (family === 0 || !/^[0-9]{1,3}$/.test(bitsText)) return false;
  return Number(bitsText) <= (family === 4 ? 32 : 128);
}

export function isHttpUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/** Format name -> checker; the schema refers to these names. */
export const formats = {
  'host-port': isHostPort,
  'host-optional-port': isHostOptionalPort,
  'rule-source': isRuleSource,
  'http-url': isHttpUrl,
  'redis-url': isRedisUrlOrEmpty,
  'host-port-or-empty': (text: string) => text === '' || isHostPort(text),
} as const;

export type FormatName = keyof typeof formats;

/** "host:port", with an IPv6 host in brackets: how logs and refusals name a listen address. */
export function formatHostPort(addr: { host: string; port: number }): string {
  return addr.host.includes(':') ? `[${addr.host}]:${addr.port}` : `${addr.host}:${addr.port}`;
}

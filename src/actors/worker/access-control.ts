// The `security` and `refer` rules of a vhost: who may publish or play.
// security: the first rule whose method and source match decides; none matching allows.
// refer: when enabled, the pageUrl's host must be one of the listed domains (or a
// subdomain of one), for all methods (`all`) and for this method's own list.

import net from 'node:net';
import type { ReferConfig, SecurityConfig } from '../../config/types.ts';

export type AccessMethod = 'publish' | 'play';

/** IPv4-mapped IPv6 (::ffff:1.2.3.4) is compared as IPv4. */
function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

function ipv6ToBigInt(ip: string): bigint {
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = 8 - h.length - t.length;
  const groups = tail === undefined ? h : [...h, ...Array(missing).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

/** Whether `ip` matches `from`: an address, a CIDR block, or 'all'. */
export function ipMatches(from: string, ipRaw: string): boolean {
  if (from === 'all') return true;
  const ip = normalizeIp(ipRaw);
  const [base, bitsText] = from.split('/');
  if (net.isIPv4(base) && net.isIPv4(ip)) {
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (bits === 0) return true;
    const mask = bits >= 32 ? 0xffffffff : ~((1 << (32 - bits)) - 1) >>> 0;
    return ((ipv4ToInt(base) & mask) >>> 0) === ((ipv4ToInt(ip) & mask) >>> 0);
  }
  if (net.isIPv6(base) && net.isIPv6(ip)) {
    const bits = BigInt(bitsText === undefined ? 128 : Number(bitsText));
    if (bits === 0n) return true;
    const shift = 128n - bits;
    return ipv6ToBigInt(base) >> shift === ipv6ToBigInt(ip) >> shift;
  }
  return false;
}

export function securityAllows(security: SecurityConfig, method: AccessMethod, ip: string): boolean {
  if (!security.enabled) return true;
  for (const rule of security.rules) {
    if (rule.method !== 'all' && rule.method !== method) continue;
    if (!ipMatches(rule.from, ip)) continue;
    return rule.action === 'allow';
  }
  return true;
}

function hostOf(pageUrl: string): string | null {
  try {
    return new URL(pageUrl).hostname.toLowerCase();
  } catch {
    return null;
  }
}

function domainListed(host: string, domains: readonly string[]): boolean {
  return domains.some((d) => {
    const domain = d.toLowerCase().replace(/^\./, '');
    return host === domain || host.endsWith(`.${domain}`);
  });
}

export function referAllows(refer: ReferConfig, method: AccessMethod, pageUrl: string): boolean {
  if (!refer.enabled) return true;
  const lists = [refer.all, method === 'publish' ? refer.publish : refer.play].filter((l) => l.length > 0);
  if (lists.length === 0) return true;
  const host = hostOf(pageUrl);
  if (!host) return false;
  return lists.every((l) => domainListed(host, l));
}

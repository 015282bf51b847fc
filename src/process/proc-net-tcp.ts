// Reads the text of Linux's /proc/net/tcp and /proc/net/tcp6: one line per TCP socket
// of this network namespace, with its local address, state and inode. Pure: the caller
// reads the files. The server uses it to tell its own listening sockets from another
// process's on the same port (see port-guard.ts and docs/architecture.md).

export interface TcpSocketEntry {
  /** IPv4 dotted ("127.0.0.1"), or IPv6 in full lower-case form; v4-mapped IPv6 is given as IPv4. */
  address: string;
  port: number;
  /** The kernel's TCP state number (0x0A: listening). */
  state: number;
  inode: number;
}

export const TCP_LISTEN = 0x0a;
export const ANY_V4 = '0.0.0.0';
export const ANY_V6 = '0000:0000:0000:0000:0000:0000:0000:0000';

// "  0: 0100007F:079B 00000000:0000 0A ... uid timeout inode ..."
const LINE = /^\s*\d+:\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+\S+\s+([0-9A-Fa-f]{2})\s+\S+\s+\S+\s+\S+\s+\d+\s+\d+\s+(\d+)/;

/**
 * The sockets listed in `text`. The kernel prints each 32-bit word of an address in the
 * machine's byte order (`littleEndian`: true on x86 and arm64); lines it cannot read
 * (the header) are skipped.
 */
export function parseProcNetTcp(text: string, littleEndian: boolean): TcpSocketEntry[] {
  const out: TcpSocketEntry[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    out.push({ address: decodeAddress(m[1]!, littleEndian), port: parseInt(m[2]!, 16), state: parseInt(m[3]!, 16), inode: Number(m[4]) });
  }
  return out;
}

function wordBytes(hex: string, littleEndian: boolean): number[] {
  const bytes = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return littleEndian ? bytes.reverse() : bytes;
}

function decodeAddress(hex: string, littleEndian: boolean): string {
  if (hex.length === 8) return wordBytes(hex, littleEndian).join('.');
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) bytes.push(...wordBytes(hex.slice(w * 8, w * 8 + 8), littleEndian));
  // ::ffff:a.b.c.d is an IPv4 peer of a dual-stack socket: name it as IPv4.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16).padStart(4, '0'));
  return groups.join(':');
}

/** An address as the parser gives it: IPv4 as is, IPv6 expanded; null for a host name. */
export function canonicalAddress(host: string): string | null {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(h)) return h.split('.').map(Number).join('.');
  if (!h.includes(':')) return null;
  const mapped = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(h);
  let text = h;
  if (mapped) {
    const [a, b, c, d] = mapped[2]!.split('.').map(Number);
    text = `${mapped[1]}${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<string>(Math.max(0, fill)).fill('0'), ...tail];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  const full = groups.map((g) => g.padStart(4, '0')).join(':');
  if (full.startsWith('0000:0000:0000:0000:0000:ffff:')) {
    const v = groups.slice(6).map((g) => parseInt(g, 16));
    return [v[0]! >> 8, v[0]! & 255, v[1]! >> 8, v[1]! & 255].join('.');
  }
  return full;
}

/**
 * Whether two listening addresses can take the same connections: equal, or one of
 * them a wildcard that covers the other (`::` covers IPv4 too unless the socket is
 * v6-only, which /proc does not tell: assume it does). A host name (null) may be
 * anything.
 */
export function addressesOverlap(a: string | null, b: string | null): boolean {
  if (a === null || b === null || a === b) return true;
  if (a === ANY_V6 || b === ANY_V6) return true;
  const v4 = (x: string) => !x.includes(':');
  if (a === ANY_V4) return v4(b);
  if (b === ANY_V4) return v4(a);
  return false;
}

// A reload that changes where the server listens: each new address is first asked of
// the kernel and of /proc (refusedListen), because a worker's SO_REUSEPORT bind would
// succeed on a port another server of the same user holds, and then share it. A group
// of listeners with a refused address keeps its old addresses, with a log line, and the
// rest of the new config applies (what cannot apply keeps the old).

import type { Logger } from 'pino';
import type { ListenAddress, SluiceConfig } from '../config/types.ts';
import { formatHostPort } from '../config/formats.ts';
import { refusedListen } from './port-guard.ts';

const key = (a: ListenAddress) => formatHostPort(a);

async function firstRefusal(prev: readonly ListenAddress[], next: readonly ListenAddress[]): Promise<string | null> {
  const held = new Set(prev.map(key));
  for (const addr of next) {
    if (held.has(key(addr))) continue;
    const why = await refusedListen(addr);
    if (why) return `listen ${key(addr)}: ${why}`;
  }
  return null;
}

/** `next`, with every listener group whose new addresses cannot be opened put back as in `prev`. */
export async function keepRefusedListeners(prev: SluiceConfig, next: SluiceConfig, log: Logger): Promise<SluiceConfig> {
  const out: SluiceConfig = { ...next };
  const refuse = (group: string, why: string) => log.error({ key: group, reason: why }, `reload: ${why}; the old ${group} stays`);
  let why = await firstRefusal(prev.listen, next.listen);
  if (why) {
    refuse('listen', why);
    out.listen = prev.listen;
  }
  if (next.rtmps.enabled) {
    why = await firstRefusal(prev.rtmps.enabled ? prev.rtmps.listen : [], next.rtmps.listen);
    if (why) {
      refuse('rtmps', why);
      out.rtmps = prev.rtmps;
    }
  }
  if (next.http_server.enabled) {
    why = await firstRefusal(prev.http_server.enabled ? prev.http_server.listen : [], next.http_server.listen);
    if (why) {
      refuse('http_server.listen', why);
      out.http_server = { ...next.http_server, enabled: prev.http_server.enabled, listen: prev.http_server.listen };
    }
  }
  return out;
}

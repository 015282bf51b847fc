// Every port the server listens on belongs to this process alone. The workers listen
// with SO_REUSEPORT (the kernel spreads connections over them), and Linux lets any
// other socket of the same user with SO_REUSEPORT join that group and take a share of
// the connections: another Sluice, SRS (which sets it) or nginx (`reuseport`). So:
//   1. before any worker listens, each address is bound once without SO_REUSEPORT
//      (probeListen): EADDRINUSE means someone holds it, and the start is refused;
//   2. once the workers listen, /proc/net/tcp must show no listening socket on those
//      ports but ours (a server started in the same instant passes step 1 too);
//   3. while running, the same look every WATCH_MS names any process that joined later.
// docs/architecture.md ("Ports belong to one server") says what holds and what cannot.

import type { Logger } from 'pino';
import type { ListenAddress, SluiceConfig } from '../config/types.ts';
import { SluiceError } from '../errors.ts';
import { formatHostPort } from '../config/formats.ts';
import { probeListen } from './port-probe.ts';
import { listeningSockets, ownSocketInodes, socketOwner } from './listen-owners.ts';
import { addressesOverlap, canonicalAddress, type TcpSocketEntry } from './proc-net-tcp.ts';

export interface PlannedListen extends ListenAddress {
  /** The config key it comes from: `listen`, `rtmps.listen`, `http_server.listen`, `http_api.listen`. */
  key: string;
}

const WATCH_MS = 10_000;
const OWNED_GRACE_MS = 1500;

/** Every address the config asks the server to listen on. */
export function listenPlan(config: SluiceConfig): PlannedListen[] {
  const plan: PlannedListen[] = config.listen.map((a) => ({ ...a, key: 'listen' }));
  if (config.rtmps.enabled) plan.push(...config.rtmps.listen.map((a) => ({ ...a, key: 'rtmps.listen' })));
  if (config.http_server.enabled) plan.push(...config.http_server.listen.map((a) => ({ ...a, key: 'http_server.listen' })));
  if (config.http_api.enabled) plan.push(...config.http_api.listen.map((a) => ({ ...a, key: 'http_api.listen' })));
  return plan;
}

export const formatListen = formatHostPort;

function inUse(addr: ListenAddress, holder: { pid: number; name: string } | null): SluiceError {
  const who = holder ? ` (pid ${holder.pid}${holder.name ? ` ${holder.name}` : ''})` : '';
  return new SluiceError('START_PORT_IN_USE', `listen ${formatListen(addr)}: already in use by another server${who}`);
}

/** Step 1: throws START_PORT_IN_USE (or START_LISTEN) for the first address that cannot be bound. */
export async function assertPortsFree(plan: readonly PlannedListen[]): Promise<void> {
  for (const addr of plan) {
    const err = await probeListen(addr);
    if (!err) continue;
    if (err.code === 'EADDRINUSE') {
      const foreign = foreignOn(addr.port, [canonicalAddress(addr.host)], new Set());
      throw inUse(addr, foreign[0] ? socketOwner(foreign[0].inode) : null);
    }
    throw new SluiceError('START_LISTEN', `listen ${formatListen(addr)}: ${err.code ?? err.message}`, { cause: err });
  }
}

/**
 * Why the server may not listen on `addr` now that it runs (reload), or null when it
 * may: free, or held only by this process's own sockets.
 */
export async function refusedListen(addr: ListenAddress): Promise<string | null> {
  const err = await probeListen(addr);
  if (!err) return null;
  if (err.code !== 'EADDRINUSE') return err.code ?? err.message;
  const listening = listeningSockets();
  if (listening === null) return 'already in use';
  const foreign = foreignOn(addr.port, [canonicalAddress(addr.host)], ownSocketInodes(), listening);
  if (foreign.length === 0) return null;
  const holder = socketOwner(foreign[0]!.inode);
  return `already in use by another server${holder ? ` (pid ${holder.pid} ${holder.name})` : ''}`;
}

/** Listening sockets on `port` that are not ours and overlap one of `addresses`. */
function foreignOn(port: number, addresses: (string | null)[], own: Set<number>, listening = listeningSockets() ?? []): TcpSocketEntry[] {
  return listening.filter((e) => e.port === port && !own.has(e.inode) && addresses.some((a) => addressesOverlap(a, e.address)));
}

/** Listening sockets of another process that share a port and address with one of ours. */
function intruders(plan: readonly PlannedListen[], own: Set<number>, listening: TcpSocketEntry[]): { addr: PlannedListen; entry: TcpSocketEntry }[] {
  const found: { addr: PlannedListen; entry: TcpSocketEntry }[] = [];
  for (const port of new Set(plan.map((a) => a.port))) {
    const ours = listening.filter((e) => e.port === port && own.has(e.inode)).map((e) => e.address);
    if (ours.length === 0) continue;
    for (const entry of foreignOn(port, ours, own, listening)) found.push({ addr: plan.find((a) => a.port === port)!, entry });
  }
  return found;
}

/**
 * Step 2, once every listener is up: throws START_PORT_IN_USE when another process
 * listens with us. Two servers started in the same instant see each other; the one that
 * lost another port (the API's, bound without SO_REUSEPORT) is already closing, so the
 * look is repeated for up to OWNED_GRACE_MS before refusing.
 */
export async function assertPortsOwned(plan: readonly PlannedListen[]): Promise<void> {
  const own = ownSocketInodes();
  const deadline = Date.now() + OWNED_GRACE_MS;
  for (;;) {
    const listening = listeningSockets();
    if (listening === null) return; // not Linux: step 1 is all there is
    const found = intruders(plan, own, listening);
    if (!found[0]) return;
    if (Date.now() >= deadline) throw inUse(found[0].addr, socketOwner(found[0].entry.inode));
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Step 3: every WATCH_MS, logs (once per socket) any other process that started
 * listening on one of our ports. Our own socket inodes are cached, so the look costs a
 * read of the listening part of /proc/net/tcp; returns the function that stops it.
 */
export function watchPorts(plan: () => readonly PlannedListen[], log: Logger): () => void {
  let own = new Set<number>();
  const reported = new Set<number>();
  const look = (): void => {
    const listening = listeningSockets();
    if (listening === null) return;
    const current = plan();
    const ports = new Set(current.map((a) => a.port));
    if (listening.some((e) => ports.has(e.port) && !own.has(e.inode) && !reported.has(e.inode))) own = ownSocketInodes();
    for (const { addr, entry } of intruders(current, own, listening)) {
      if (reported.has(entry.inode)) continue;
      reported.add(entry.inode);
      const holder = socketOwner(entry.inode);
      log.error(
        { listen: formatListen(addr), key: addr.key, holder_pid: holder?.pid ?? null, holder: holder?.name ?? null },
        'another process listens on this port too (SO_REUSEPORT): new connections are split between it and this server; stop it',
      );
    }
  };
  const timer = setInterval(look, WATCH_MS);
  timer.unref();
  return () => clearInterval(timer);
}

// Whether a listener came up: acceptors keep one outcome per listening address, so the
// main thread can refuse a start (and a reload keep its old listener) when one failed,
// instead of logging "sluice started" with a piece missing.

import type { Server } from 'node:net';
import type { ListenAddress } from '../../config/types.ts';
import { formatHostPort } from '../../config/formats.ts';

export interface ListenFailure {
  /** "host:port". */
  listen: string;
  reason: string;
}

/** Resolves null once `server` listens, or the failure if its listen fails first. */
export function listenOutcome(server: Server, addr: ListenAddress): Promise<ListenFailure | null> {
  return new Promise((resolve) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      resolve({ listen: formatHostPort(addr), reason: listenErrorText(err) });
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(null);
    };
    server.once('error', onError);
    server.once('listening', onListening);
  });
}

export function failuresOf(outcomes: readonly Promise<ListenFailure | null>[]): Promise<ListenFailure[]> {
  return Promise.all(outcomes).then((all) => all.filter((f): f is ListenFailure => f !== null));
}

/** How a failed listen reads in a log line or a refused start. */
export function listenErrorText(err: NodeJS.ErrnoException): string {
  return err.code === 'EADDRINUSE' ? 'already in use by another server' : (err.code ?? err.message);
}

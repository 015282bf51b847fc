// What threads say to each other over the mesh ports. The sender's thread is implied by
// the port a message arrives on, so envelopes carry local ids, not full refs.
import { errorCodeText, SluiceError, type ErrorCode } from './errors.ts';
import type { MessagePort } from 'node:worker_threads';
import type { ActorRef, SerializedError, SpawnOptions, SystemMessage } from './types.ts';

export type Envelope =
  | { k: 'tell'; to: number; m: unknown }
  | { k: 'ask'; to: number; m: unknown; ask: number }
  | { k: 'reply'; ask: number; ok: true; v: unknown }
  | { k: 'reply'; ask: number; ok: false; e: SerializedError }
  | { k: 'spawn'; req: number; kind: string; args: unknown; opts: SpawnOptions; parent: number }
  | { k: 'spawned'; req: number; ok: true; id: number }
  | { k: 'spawned'; req: number; ok: false; e: SerializedError }
  | { k: 'stop'; to: number; by: ActorRef }
  | { k: 'watch'; to: number; watcher: number }
  | { k: 'unwatch'; to: number; watcher: number }
  | { k: 'sys'; to: number; m: SystemMessage };

/** Messages from the main thread to a worker on its parentPort (mesh maintenance). */
export type AdminMessage =
  | { type: 'mesh/peer'; worker: number; port: MessagePort }
  | { type: 'mesh/down'; worker: number };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof SluiceError) return { code: err.code, message: err.message, name: err.name, detail: err.detail };
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string'
      ? { code, message: err.message, name: err.name }
      : { message: err.message, name: err.name };
  }
  return { message: String(err) };
}

/**
 * Rebuilds an error on the receiving thread: a SluiceError when this thread has the code
 * registered (the runtime's, the server's or an embedder's), else a plain Error with `code`.
 */
export function deserializeError(e: SerializedError): Error {
  if (e.code !== undefined && errorCodeText(e.code) !== undefined) {
    const err = new SluiceError(e.code as ErrorCode, e.detail);
    err.message = e.message;
    return err;
  }
  const err = new Error(e.message) as Error & { code?: string };
  if (e.name !== undefined) err.name = e.name;
  if (e.code !== undefined) err.code = e.code;
  return err;
}

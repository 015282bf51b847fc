// What a ClientSession reports while it reads the server's bytes, and small helpers
// it shares with the socket adapter.

export type ClientState =
  | 'handshake'
  | 'connecting-early'
  | 'handshaken'
  | 'connecting'
  | 'connected'
  | 'creating'
  | 'starting'
  | 'publishing'
  | 'playing'
  | 'closed';

/** onStatus, onFCPublish, onFCUnpublish or an `_error` reply, flattened. */
export interface ClientStatusEvent {
  type: 'status';
  /** The command that carried it: 'onStatus', 'onFCPublish', 'onFCUnpublish' or '_error'. */
  name: string;
  streamId: number;
  code: string;
  /** '' when the server sent none (onFCPublish has no level). */
  level: string;
  description: string;
  /** The whole info object. */
  info: Record<string, unknown>;
}

export type ClientEvent =
  | { type: 'handshake'; complex: boolean }
  | { type: 'connected'; properties: unknown; info: unknown }
  | { type: 'streamCreated'; streamId: number }
  | ClientStatusEvent
  /** Every command message received, replies included, in arrival order. */
  | { type: 'command'; name: string; transactionId: number; command: unknown; args: unknown[]; streamId: number }
  /** Protocol control (types 1-6) and user control (type 4, with `event`). */
  | { type: 'control'; messageType: number; value: number; event?: number; limitType?: number }
  | { type: 'media'; messageType: number; timestamp: number; streamId: number; payload: Uint8Array }
  /** A data message; `name` is '' when it is not AMF (ffmpeg's timecode message). */
  | { type: 'data'; name: string; values: unknown[]; timestamp: number; streamId: number; payload: Uint8Array };

export const EMPTY = new Uint8Array(0);

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 0) return EMPTY;
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function statusOf(name: string, streamId: number, info: unknown): ClientStatusEvent {
  const o = typeof info === 'object' && info !== null ? (info as Record<string, unknown>) : {};
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  return { type: 'status', name, streamId, code: str(o['code']), level: str(o['level']), description: str(o['description']), info: o };
}

// Shared object messages (types 19 AMF0, 16 AMF3), RTMP spec 7.1.3: parsed down to the event
// list so a session can log and drop them cleanly. Sluice gives them no semantics.

import { SluiceError } from '../../errors.ts';

export const SharedObjectEventType = {
  Use: 1,
  Release: 2,
  RequestChange: 3,
  Change: 4,
  Success: 5,
  SendMessage: 6,
  Status: 7,
  Clear: 8,
  Remove: 9,
  RequestRemove: 10,
  UseSuccess: 11,
} as const;

export interface SharedObjectEvent {
  type: number;
  /** The event body (AMF-encoded key/values for most types), copied out of the payload. */
  data: Uint8Array;
}

export interface SharedObjectMessage {
  name: string;
  version: number;
  persistent: boolean;
  events: SharedObjectEvent[];
}

const HEADER_AFTER_NAME = 4 + 8; // version, then 8 bytes of flags (persistence, reserved)
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function parse(p: Uint8Array): SharedObjectMessage {
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  if (p.length < 2) throw new SluiceError('RTMP_MESSAGE', 'shared object message too short');
  const nameLen = view.getUint16(0);
  let pos = 2 + nameLen;
  if (pos + HEADER_AFTER_NAME > p.length) throw new SluiceError('RTMP_MESSAGE', 'shared object header truncated');
  const name = utf8.decode(p.subarray(2, pos));
  const version = view.getUint32(pos);
  const persistent = view.getUint32(pos + 4) === 2;
  pos += HEADER_AFTER_NAME;
  const events: SharedObjectEvent[] = [];
  while (pos < p.length) {
    if (pos + 5 > p.length) throw new SluiceError('RTMP_MESSAGE', 'shared object event header truncated');
    const type = p[pos]!;
    const len = view.getUint32(pos + 1);
    pos += 5;
    if (type < SharedObjectEventType.Use || type > SharedObjectEventType.UseSuccess) {
      throw new SluiceError('RTMP_MESSAGE', `unknown shared object event type ${type}`);
    }
    if (len > p.length - pos) throw new SluiceError('RTMP_MESSAGE', 'shared object event truncated');
    events.push({ type, data: p.slice(pos, pos + len) });
    pos += len;
  }
  return { name, version, persistent, events };
}

/**
 * Parses a shared object payload or throws RTMP_MESSAGE. For type 16 (amf3) a leading 0x00
 * format selector is skipped when the payload reads that way; some clients omit it, and a
 * name shorter than 256 bytes also starts with 0x00, so the plain reading is tried second.
 */
export function decodeSharedObject(payload: Uint8Array, amf3: boolean): SharedObjectMessage {
  if (amf3 && payload.length > 0 && payload[0] === 0x00) {
    try {
      return parse(payload.subarray(1));
    } catch (err) {
      if (!(err instanceof SluiceError)) throw err;
    }
  }
  return parse(payload);
}

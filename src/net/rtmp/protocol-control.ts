// Message type ids, protocol control messages (types 1-6) and user control events:
// encoders return complete wire bytes on chunk stream 2, message stream 0; decoders
// read payloads and refuse short ones.
import { SluiceError } from '../../errors.ts';
import { encodeChunked } from './chunk-writer.ts';

export const MessageType = {
  SetChunkSize: 1,
  Abort: 2,
  Acknowledgement: 3,
  UserControl: 4,
  WindowAckSize: 5,
  SetPeerBandwidth: 6,
  Audio: 8,
  Video: 9,
  DataAmf3: 15,
  SharedObjectAmf3: 16,
  CommandAmf3: 17,
  DataAmf0: 18,
  SharedObjectAmf0: 19,
  CommandAmf0: 20,
  Aggregate: 22,
} as const;
export type MessageTypeId = (typeof MessageType)[keyof typeof MessageType];

export const UserControlEvent = {
  StreamBegin: 0,
  StreamEOF: 1,
  StreamDry: 2,
  SetBufferLength: 3,
  StreamIsRecorded: 4,
  PingRequest: 6,
  PingResponse: 7,
} as const;

/** Set Peer Bandwidth limit types; SRS and FMS send Dynamic. */
export const LimitType = { Hard: 0, Soft: 1, Dynamic: 2 } as const;

export const CONTROL_CSID = 2;

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0);
  return b;
}

function control(type: number, payload: Uint8Array): Uint8Array {
  // Payloads are at most 10 bytes: one chunk at any chunk size.
  return encodeChunked({ csid: CONTROL_CSID, type, streamId: 0, timestamp: 0, payload }, 128);
}

export function setChunkSize(n: number): Uint8Array {
  return control(MessageType.SetChunkSize, u32(n & 0x7fffffff));
}

export function abort(csid: number): Uint8Array {
  return control(MessageType.Abort, u32(csid));
}

/** `seq` is the byte count received, any JS number: it is sent modulo 2^32. */
export function acknowledgement(seq: number): Uint8Array {
  return control(MessageType.Acknowledgement, u32(seq));
}

export function windowAckSize(n: number): Uint8Array {
  return control(MessageType.WindowAckSize, u32(n));
}

export function setPeerBandwidth(n: number, limitType: number = LimitType.Dynamic): Uint8Array {
  const b = new Uint8Array(5);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  b[4] = limitType;
  return control(MessageType.SetPeerBandwidth, b);
}

/** A user control message: event, then one 32-bit value (stream id or timestamp), then an optional second one. */
export function userControl(event: number, value: number, extra?: number): Uint8Array {
  const b = new Uint8Array(extra === undefined ? 6 : 10);
  const v = new DataView(b.buffer);
  v.setUint16(0, event);
  v.setUint32(2, value >>> 0);
  if (extra !== undefined) v.setUint32(6, extra >>> 0);
  return control(MessageType.UserControl, b);
}

// The events a live server sends, as SRS does: Stream Begin when a play starts, Stream
// EOF when its publisher leaves, and a Ping Response to each Ping Request. Stream Dry
// and Stream Is Recorded belong to recorded (VOD) streams, Set Buffer Length is the
// player's to send, and SRS never pings first: those are decoded, never sent.
export const streamBegin = (streamId: number): Uint8Array => userControl(UserControlEvent.StreamBegin, streamId);
export const streamEof = (streamId: number): Uint8Array => userControl(UserControlEvent.StreamEOF, streamId);
export const pingResponse = (timestamp: number): Uint8Array => userControl(UserControlEvent.PingResponse, timestamp);

function readU32(payload: Uint8Array, offset: number, what: string): number {
  if (payload.length < offset + 4) throw new SluiceError('RTMP_MESSAGE', `${what} too short`);
  return ((payload[offset]! << 24) | (payload[offset + 1]! << 16) | (payload[offset + 2]! << 8) | payload[offset + 3]!) >>> 0;
}

/** The raw 31-bit size; the chunk reader applies and range-checks it itself. */
export const decodeSetChunkSize = (payload: Uint8Array): number => readU32(payload, 0, 'Set Chunk Size') & 0x7fffffff;
export const decodeAbort = (payload: Uint8Array): number => readU32(payload, 0, 'Abort');
export const decodeAcknowledgement = (payload: Uint8Array): number => readU32(payload, 0, 'Acknowledgement');
export const decodeWindowAckSize = (payload: Uint8Array): number => readU32(payload, 0, 'Window Acknowledgement Size');

export function decodeSetPeerBandwidth(payload: Uint8Array): { size: number; limitType: number } {
  const size = readU32(payload, 0, 'Set Peer Bandwidth');
  if (payload.length < 5) throw new SluiceError('RTMP_MESSAGE', 'Set Peer Bandwidth too short');
  return { size, limitType: payload[4]! };
}

export interface UserControl {
  event: number;
  streamId?: number;
  timestamp?: number;
  bufferMs?: number;
}

/** Known events must carry their data; unknown events (e.g. 31/32 BufferEmpty/Ready) decode to their number only. */
export function decodeUserControl(payload: Uint8Array): UserControl {
  if (payload.length < 2) throw new SluiceError('RTMP_MESSAGE', 'User Control too short');
  const event = (payload[0]! << 8) | payload[1]!;
  switch (event) {
    case UserControlEvent.StreamBegin:
    case UserControlEvent.StreamEOF:
    case UserControlEvent.StreamDry:
    case UserControlEvent.StreamIsRecorded:
      return { event, streamId: readU32(payload, 2, 'User Control') };
    case UserControlEvent.SetBufferLength:
      return { event, streamId: readU32(payload, 2, 'User Control'), bufferMs: readU32(payload, 6, 'User Control') };
    case UserControlEvent.PingRequest:
    case UserControlEvent.PingResponse:
      return { event, timestamp: readU32(payload, 2, 'User Control') };
    default:
      return { event };
  }
}

export interface AggregatePart {
  type: number;
  timestamp: number;
  streamId: number;
  /** A subarray of the aggregate payload. */
  payload: Uint8Array;
}

/**
 * Splits an Aggregate message (type 22): FLV-tag-like parts, each an 11-byte header
 * (type, 24-bit size, 24+8-bit timestamp, 24-bit stream id), the data, and a 4-byte
 * back pointer. Part timestamps are shifted so the first part lands on
 * `baseTimestamp` (the aggregate's own); `streamId`, when given, replaces the parts'
 * stream ids, which FMS leaves at 0 (SRS uses the aggregate's too).
 */
export function splitAggregate(payload: Uint8Array, baseTimestamp: number, streamId?: number): AggregatePart[] {
  const parts: AggregatePart[] = [];
  let p = 0;
  let first = 0;
  while (p < payload.length) {
    if (payload.length - p < 11) throw new SluiceError('RTMP_MESSAGE', 'truncated aggregate part header');
    const type = payload[p]!;
    const size = (payload[p + 1]! << 16) | (payload[p + 2]! << 8) | payload[p + 3]!;
    const ts = ((payload[p + 7]! << 24) | (payload[p + 4]! << 16) | (payload[p + 5]! << 8) | payload[p + 6]!) >>> 0;
    const sid = (payload[p + 8]! << 16) | (payload[p + 9]! << 8) | payload[p + 10]!;
    if (parts.length === 0) first = ts;
    const start = p + 11;
    if (payload.length - start < size + 4) throw new SluiceError('RTMP_MESSAGE', 'truncated aggregate part');
    parts.push({
      type,
      timestamp: (baseTimestamp + ts - first) >>> 0,
      streamId: streamId ?? sid,
      payload: payload.subarray(start, start + size),
    });
    p = start + size + 4;
  }
  return parts;
}

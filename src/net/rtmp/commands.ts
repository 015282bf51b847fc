// Payloads of RTMP command messages (types 20 AMF0, 17 AMF3) and data messages (18, 15):
// decoding what clients send, metadata normalisation, and the replies SRS sends to
// connect, publish, unpublish, play and pause, byte for byte. Payloads only: the session
// picks csid and stream id.

import { SluiceError } from '../../errors.ts';
import { decodeAmf0, decodeAmf0Value, encodeAmf0 } from '../amf/amf0.ts';
import { copyProps, ecmaArray } from '../amf/amf-types.ts';
import type { AmfObject } from '../amf/amf-types.ts';

export interface Command {
  name: string;
  transactionId: number;
  /** The command object: usually an object for connect, null for the rest, undefined if absent. */
  command: unknown;
  args: unknown[];
}

export interface DataMessage {
  name: string;
  values: unknown[];
}

/** Type 17/15 payloads open with a format selector 0x00, then AMF0 values (with 0x11 switches). */
function amfValues(payload: Uint8Array, amf3: boolean): unknown[] {
  const body = amf3 && payload.length > 0 && payload[0] === 0x00 ? payload.subarray(1) : payload;
  return decodeAmf0(body);
}

export function decodeCommand(payload: Uint8Array, amf3: boolean): Command {
  const values = amfValues(payload, amf3);
  const [name, transactionId, command] = values;
  if (typeof name !== 'string') throw new SluiceError('RTMP_MESSAGE', 'command name is not a string');
  if (typeof transactionId !== 'number') {
    throw new SluiceError('RTMP_MESSAGE', `transaction id of ${name} is not a number`);
  }
  return { name, transactionId, command, args: values.slice(3) };
}

export function encodeCommand(name: string, transactionId: number, command: unknown, ...args: unknown[]): Uint8Array {
  return encodeAmf0(name, transactionId, command, ...args);
}

/**
 * Throws AMF_DECODE on ffmpeg's 4-byte timecode message (it opens with 0x00, not a name):
 * callers that only want metadata should use normalizeMetadata, which never throws.
 */
export function decodeData(payload: Uint8Array, amf3: boolean): DataMessage {
  const [name, ...values] = amfValues(payload, amf3);
  if (typeof name !== 'string') throw new SluiceError('RTMP_MESSAGE', 'data message name is not a string');
  return { name, values };
}

export function encodeData(name: string, ...values: unknown[]): Uint8Array {
  return encodeAmf0(name, ...values);
}

// ---------------------------------------------------------------------------------------------
// Metadata

/**
 * The onMetaData properties of a data message, or null when it is not metadata. Accepts
 * `onMetaData` with or without the `@setDataFrame` wrapper and a body that is an object, an
 * ECMA array or missing. Returns a fresh plain object (markers dropped).
 */
export function metadataFromValues(name: string, values: readonly unknown[]): AmfObject | null {
  let rest = values;
  if (name === '@setDataFrame') {
    if (rest[0] !== 'onMetaData') return null;
    rest = rest.slice(1);
  } else if (name !== 'onMetaData') {
    return null;
  }
  const body = rest[0];
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && !(body instanceof Date)) {
    return copyProps(body);
  }
  return {};
}

/**
 * The metadata properties carried by a data message payload, or null when it is not metadata
 * or cannot be read (ffmpeg's 4-byte timecode message, any other name, malformed AMF). Never
 * throws: a broken data message must not take a stream down. Bytes after the body are ignored.
 */
export function normalizeMetadata(payload: Uint8Array, amf3 = false): AmfObject | null {
  let off = 0;
  if (payload.length === 0) return null;
  if (payload[0] === 0x00) {
    // AMF0 data names are strings: a leading number marker is the timecode message.
    if (!amf3) return null;
    off = 1;
  }
  try {
    let v = decodeAmf0Value(payload, off);
    if (typeof v.value !== 'string') return null;
    const name = v.value;
    const values: unknown[] = [];
    // Only as many values as the metadata needs: name, optional onMetaData, body.
    for (let i = 0; i < (name === '@setDataFrame' ? 2 : 1) && v.next < payload.length; i++) {
      v = decodeAmf0Value(payload, v.next);
      values.push(v.value);
    }
    return metadataFromValues(name, values);
  } catch (err) {
    if (err instanceof SluiceError) return null;
    throw err;
  }
}

/** What SRS sends players: `duration` removed, `server` and `server_version` set. */
export function metadataForPlayers(meta: AmfObject, server: { name: string; version: string }): Uint8Array {
  const out = copyProps(meta);
  delete out['duration'];
  out['server'] = server.name;
  out['server_version'] = server.version;
  return encodeData('onMetaData', ecmaArray(out));
}

// ---------------------------------------------------------------------------------------------
// Replies

export type StatusLevel = 'status' | 'error' | 'warning';

export interface StatusInfo {
  readonly level: StatusLevel;
  readonly code: string;
  readonly description: string;
}

function status(level: StatusLevel, code: string, description: string): StatusInfo {
  return Object.freeze({ level, code, description });
}

/** onStatus codes and the descriptions SRS (copying FMS) uses for them. */
export const Status = {
  ConnectSuccess: status('status', 'NetConnection.Connect.Success', 'Connection succeeded'),
  ConnectRejected: status('error', 'NetConnection.Connect.Rejected', 'Connection rejected'),
  PublishStart: status('status', 'NetStream.Publish.Start', 'Started publishing stream.'),
  PublishBadName: status('error', 'NetStream.Publish.BadName', 'Stream already publishing'),
  /** The onStatus after FCUnpublish. */
  UnpublishSuccess: status('status', 'NetStream.Unpublish.Success', 'Stream is now unpublished'),
  /** The onFCUnpublish after FCUnpublish: same code, another description. */
  FCUnpublishSuccess: status('status', 'NetStream.Unpublish.Success', 'Stop publishing stream.'),
  PlayReset: status('status', 'NetStream.Play.Reset', 'Playing and resetting stream.'),
  PlayStart: status('status', 'NetStream.Play.Start', 'Started playing stream.'),
  PlayStop: status('status', 'NetStream.Play.Stop', 'Stopped playing stream.'),
  PlayStreamNotFound: status('error', 'NetStream.Play.StreamNotFound', 'Stream not found.'),
  /** A play refused before it started (a missing or bad token). */
  PlayFailed: status('error', 'NetStream.Play.Failed', 'Play failed.'),
  PlayUnpublishNotify: status('status', 'NetStream.Play.UnpublishNotify', 'Stream is now unpublished.'),
  PlayPublishNotify: status('status', 'NetStream.Play.PublishNotify', 'Stream is now published.'),
  PauseNotify: status('status', 'NetStream.Pause.Notify', 'Paused stream.'),
  UnpauseNotify: status('status', 'NetStream.Unpause.Notify', 'Unpaused stream.'),
} as const;

export const FMS_VERSION = '3,5,3,888';
export const FMS_VER = `FMS/${FMS_VERSION}`;
const SERVER_AUTHORS = 'the Sluice authors';
/** The client id SRS puts in every onStatus. */
export const RTMP_CLIENT_ID = 'ASAICiss';

export interface ServerInfo {
  /** Sluice's version, e.g. "0.1.0". */
  version: string;
  pid: number;
  /** The connection's context id. */
  id: string | number;
  /** The server address the client reached, when known. */
  ip?: string;
}

/**
 * The `_result` to connect. Its data carries SRS's `srs_*` keys, in SRS's
 * order, because SRS tools (srs_bandwidth_check, srs-librtmp clients, an SRS edge) print
 * or log them, then the same under `sluice_*`. `srs_primary` is SRS 2's and is still
 * printed by its tools. As SRS 7 does, `srs_id` is the connection's id string (SRS 2
 * tools read a number there and print 0, as they do against SRS 7).
 */
export function connectResult(tid: number, opts: { objectEncoding?: number; serverInfo: ServerInfo }): Uint8Array {
  const s = opts.serverInfo;
  const data: AmfObject = {
    version: FMS_VERSION,
    srs_sig: 'Sluice',
    srs_server: `Sluice/${s.version}`,
    srs_license: 'MIT',
    srs_version: s.version,
    srs_primary: SERVER_AUTHORS,
    srs_authors: SERVER_AUTHORS,
  };
  if (s.ip !== undefined) data['srs_server_ip'] = s.ip;
  data['srs_pid'] = s.pid;
  data['srs_id'] = s.id;
  data['sluice_sig'] = 'Sluice';
  data['sluice_server'] = `Sluice/${s.version}`;
  data['sluice_license'] = 'MIT';
  data['sluice_version'] = s.version;
  if (s.ip !== undefined) data['sluice_server_ip'] = s.ip;
  data['sluice_pid'] = s.pid;
  data['sluice_id'] = s.id;
  return encodeAmf0('_result', tid, { fmsVer: FMS_VER, capabilities: 127, mode: 1 }, {
    level: Status.ConnectSuccess.level,
    code: Status.ConnectSuccess.code,
    description: Status.ConnectSuccess.description,
    objectEncoding: opts.objectEncoding ?? 0,
    data: ecmaArray(data),
  });
}

export function onBWDone(): Uint8Array {
  return encodeAmf0('onBWDone', 0, null);
}

/** `_result` (tid, null, value): releaseStream/FCPublish get undefined, other calls null. */
export function simpleResult(tid: number, value: unknown = undefined): Uint8Array {
  return encodeAmf0('_result', tid, null, value);
}

export function createStreamResult(tid: number, streamId: number): Uint8Array {
  return encodeAmf0('_result', tid, null, streamId);
}

export interface OnStatusInfo {
  level: StatusLevel;
  code: string;
  description: string;
  details?: string;
  clientid?: string;
}

/** Keys in SRS's order: level, code, description, then details and clientid when given. */
function statusObject(info: OnStatusInfo): AmfObject {
  const o: AmfObject = { level: info.level, code: info.code, description: info.description };
  if (info.details !== undefined) o['details'] = info.details;
  if (info.clientid !== undefined) o['clientid'] = info.clientid;
  return o;
}

/** `onStatus` (0, null, info), e.g. `onStatus({ ...Status.PlayStart, details: 'stream', clientid })`. */
export function onStatus(info: OnStatusInfo): Uint8Array {
  return encodeAmf0('onStatus', 0, null, statusObject(info));
}

/** `onFCPublish` (0, null, {code, description}): no level, as SRS sends it. */
export function onFCPublish(code: string, description: string): Uint8Array {
  return encodeAmf0('onFCPublish', 0, null, { code, description });
}

export function onFCUnpublish(code: string, description: string): Uint8Array {
  return encodeAmf0('onFCUnpublish', 0, null, { code, description });
}

/** Data message `|RtmpSampleAccess`(true, true): lets Flash read pixels and samples. */
export function sampleAccess(): Uint8Array {
  return encodeData('|RtmpSampleAccess', true, true);
}

export function errorResult(tid: number, info: OnStatusInfo): Uint8Array {
  return encodeAmf0('_error', tid, null, statusObject(info));
}

/** A live stream has no length: 0, a number, which is what ffmpeg reads from this reply. */
export function getStreamLengthResult(tid: number): Uint8Array {
  return encodeAmf0('_result', tid, null, 0);
}

/** Haivision's `_checkbw` gets a plain `_result` (tid, null, null) and carries on (SRS #844). */
export function checkBwResult(tid: number): Uint8Array {
  return encodeAmf0('_result', tid, null, null);
}

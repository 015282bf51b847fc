// The few RTMP byte strings a benchmark client sends: the simple (unsigned) handshake,
// and connect / createStream / play / publish commands, chunked at the default 128.
// Built with the project's own pure encoders; built once per target where possible.

import { encodeAmf0 } from '../../src/net/amf/amf0.ts';
import { encodeChunked } from '../../src/net/rtmp/chunk-writer.ts';

export const HANDSHAKE_SIZE = 1536;
/** S0 + S1 + S2. */
export const SERVER_HANDSHAKE_BYTES = 1 + 2 * HANDSHAKE_SIZE;

const CSID_CONTROL = 2;
const CSID_COMMAND = 3;
const CSID_STREAM = 8;
const TYPE_COMMAND_AMF0 = 20;

export interface StreamTarget {
  host: string;
  port: number;
  app: string;
  stream: string;
}

export function targetUrl(t: StreamTarget): string {
  return `rtmp://${t.host}:${t.port}/${t.app}/${t.stream}`;
}

/** C0 (version 3) + C1 (time 0, zero 0, random-ish filler). */
export function clientHello(): Buffer {
  const b = Buffer.alloc(1 + HANDSHAKE_SIZE);
  b[0] = 3;
  for (let i = 9; i < b.length; i++) b[i] = (i * 131) & 0xff;
  return b;
}

function command(streamId: number, csid: number, ...values: unknown[]): Buffer {
  const payload = encodeAmf0(...values);
  return Buffer.from(encodeChunked({ csid, type: TYPE_COMMAND_AMF0, streamId, timestamp: 0, payload }, 128));
}

/** connect (transaction 1) + createStream (transaction 2), one write. */
export function connectAndCreateStream(t: StreamTarget): Buffer {
  const tcUrl = `rtmp://${t.host}:${t.port}/${t.app}`;
  const connect = command(0, CSID_COMMAND, 'connect', 1, {
    app: t.app, flashVer: 'LNX 9,0,124,2', tcUrl, fpad: false, capabilities: 15,
    audioCodecs: 4071, videoCodecs: 252, videoFunction: 1,
  });
  const create = command(0, CSID_COMMAND, 'createStream', 2, null);
  return Buffer.concat([connect, create]);
}

export function playCommand(streamId: number, stream: string): Buffer {
  return command(streamId, CSID_STREAM, 'play', 3, null, stream, -2000);
}

/** Set Chunk Size (for publishers, so a frame is one chunk). */
export function setChunkSize(size: number): Buffer {
  const b = Buffer.alloc(16);
  b[0] = CSID_CONTROL;
  b.writeUIntBE(4, 4, 3);
  b[7] = 1;
  b.writeUInt32BE(size, 12);
  return b;
}

export function publishCommand(streamId: number, stream: string): Buffer {
  return command(streamId, CSID_STREAM, 'publish', 3, null, stream, 'live');
}

/** Acknowledgement (type 3) of `bytes` received. */
export function acknowledgement(bytes: number): Buffer {
  const b = Buffer.alloc(16);
  b[0] = CSID_CONTROL;
  b.writeUIntBE(4, 4, 3);
  b[7] = 3;
  b.writeUInt32BE(bytes >>> 0, 12);
  return b;
}

/** User control Ping Response (event 7) echoing the server's timestamp. */
export function pingResponse(value: number): Buffer {
  const b = Buffer.alloc(18);
  b[0] = CSID_CONTROL;
  b.writeUIntBE(6, 4, 3);
  b[7] = 4;
  b.writeUInt16BE(7, 12);
  b.writeUInt32BE(value >>> 0, 14);
  return b;
}

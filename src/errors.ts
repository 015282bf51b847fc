// The one error registry. Codes are stable strings grouped by domain (RTMP_*, AMF_*,
// FLV_*, TS_*, HTTP_*, CONF_*, ACTOR_*, RING_*, START_*): logs, tests and the API match on them,
// so a code is never renamed once shipped. Causes chain through `cause`.

export const ErrorCodes = {
  // runtime
  ACTOR_ASK_TIMEOUT: 'an ask got no reply in time',
  ACTOR_NOT_FOUND: 'no actor with that ref',
  ACTOR_UNKNOWN_KIND: 'no actor kind registered under that name',
  ACTOR_STOPPED: 'the actor stopped before it replied',
  WORKER_DIED: 'the worker thread hosting the actor died',
  CONTROL_UNKNOWN: 'no control function registered under that name',
  RUNTIME_STATE: 'the actor system is not running',
  RING_RECORD_TOO_LARGE: 'a record does not fit in the ring',
  RING_READER_SLOTS: 'no free reader slot in the ring',
  RING_OPTIONS: 'invalid ring options or handle',
  RING_CLOSED: 'the ring is closed',
  RING_STATE: 'ring call out of order (commit without beginRecord)',
  POOL_OPTIONS: 'invalid block pool options',
  POOL_STATE: 'a pool block was released more often than it was held',
  POOL_FULL: 'no free block in the media pool (media.max_memory)',
  CHAIN_OPTIONS: 'invalid chain options',
  CHAIN_READER_SLOTS: 'no free reader slot in the chain',
  CHAIN_CLOSED: 'the chain is closed',
  CHAIN_STATE: 'chain call out of order (commit without begin, or a record not filled)',
  // config
  CONF_INVALID: 'the configuration does not validate',
  CONF_READ: 'the configuration file cannot be read or parsed',
  // starting the process
  START_RUNNING: 'another server runs with this pid file',
  START_PORT_IN_USE: 'a port is held by another process',
  START_LISTEN: 'a listener cannot be opened',
  // RTMP
  RTMP_HANDSHAKE: 'malformed RTMP handshake',
  RTMP_CHUNK: 'malformed RTMP chunk',
  RTMP_CHUNK_SIZE: 'RTMP chunk size out of range',
  RTMP_MESSAGE_SIZE: 'RTMP message too large',
  RTMP_CHUNK_STREAMS: 'too many RTMP chunk streams',
  RTMP_MESSAGE: 'malformed RTMP message',
  RTMP_COMMAND: 'RTMP command refused',
  RTMP_TIMEOUT: 'RTMP timeout',
  // AMF
  AMF_DECODE: 'malformed AMF data',
  AMF_DEPTH: 'AMF nesting too deep',
  AMF_ENCODE: 'value cannot be encoded in AMF',
  // media formats
  FLV_DECODE: 'malformed FLV data',
  CODEC_DECODE: 'malformed codec configuration',
  FLV_ENCODE: 'value cannot be encoded as an FLV tag',
  CODEC_ENCODE: 'value cannot be encoded in that codec format',
  TS_MUX: 'cannot mux into MPEG-TS',
  MP4_MUX: 'cannot mux into fragmented MP4',
  MP4_DECODE: 'malformed MP4 box structure',
  HLS_PATH: 'an HLS file would fall outside hls.path',
  HLS_PLAYLIST: 'malformed HLS playlist',
  // HTTP
  HTTP_BAD_REQUEST: 'malformed HTTP request',
  HTTP_TOO_LARGE: 'HTTP request too large',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class SluiceError extends Error {
  readonly code: ErrorCode;
  /** The specific part of the message, without the code's general text (for one-line reports). */
  readonly detail: string;
  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${ErrorCodes[code]}: ${detail}` : ErrorCodes[code], options);
    this.code = code;
    this.detail = detail ?? ErrorCodes[code];
    this.name = 'SluiceError';
  }
}

export function isSluiceError(err: unknown, code?: ErrorCode): err is SluiceError {
  return err instanceof SluiceError && (code === undefined || err.code === code);
}

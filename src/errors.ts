// The server's error codes, registered into the runtime's registry (src/runtime/errors.ts)
// so SluiceError carries them and they cross threads like the runtime's own. Codes are
// stable strings grouped by domain (RTMP_*, AMF_*, FLV_*, TS_*, HTTP_*, CONF_*, START_*):
// logs, tests and the API match on them, so a code is never renamed once shipped. Causes
// chain through `cause`. The runtime's codes (ACTOR_*, WORKER_*, RING_*, ...) live with it.
import { registerErrorCodes } from './runtime/errors.ts';

export { SluiceError, isSluiceError, type ErrorCode } from './runtime/errors.ts';

export const SERVER_ERROR_CODES = {
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
  DVR_MEMORY: 'no room in the media pool for a recording',
  HLS_PLAYLIST: 'malformed HLS playlist',
} as const;

type ServerErrorCodes = typeof SERVER_ERROR_CODES;

declare module './runtime/errors.ts' {
  interface ErrorCodeRegistry extends ServerErrorCodes {}
}

registerErrorCodes(SERVER_ERROR_CODES);

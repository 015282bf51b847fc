// The SharedArrayBuffer ring: one writer, many readers, in any threads. It carries
// opaque records (type, flags, timestamp, payload) and knows nothing about media.

export {
  RING_FLAG_JOIN_ONLY,
  RING_FLAG_SYNC,
  createRing,
  maxRecordBytes,
} from './ring-layout.ts';
export type { RingHandle, RingOptions } from './ring-layout.ts';
export { RingWriter } from './ring-writer.ts';
export { RingReader } from './ring-reader.ts';
export type { RingReaderOptions, RingRecord, RingStart, RingWaitResult } from './ring-reader.ts';

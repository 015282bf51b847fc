// What the media layer means by a chain record's flag bits. The chain itself only knows
// SYNC (a reader may start here) and JOIN_ONLY (only a reader joining at the next sync
// point wants it); the rest are media facts that readers use without parsing payloads.

export { CHAIN_FLAG_SYNC as FLAG_SYNC, CHAIN_FLAG_JOIN_ONLY as FLAG_JOIN_ONLY } from '../../runtime/chain-layout.ts';

export const FLAG_SEQUENCE_HEADER = 1 << 2;
export const FLAG_METADATA = 1 << 3;
export const FLAG_KEYFRAME = 1 << 4;

export const MSG_AUDIO = 8;
export const MSG_VIDEO = 9;
export const MSG_DATA_AMF0 = 18;

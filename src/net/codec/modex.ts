// Enhanced RTMP v2 "ModEx": a packet type of 7 wraps the real packet type after a
// size-prefixed extension, in audio and video tags alike.

export const PACKET_MODEX = 7;

/** Where the ModEx chain ends: the real packet type and the offset after it; null if truncated. */
export function skipModEx(data: Uint8Array, packetType: number, pos: number): { packetType: number; pos: number } | null {
  while (packetType === PACKET_MODEX) {
    if (pos >= data.length) return null;
    let size = data[pos++]! + 1;
    if (size === 256) {
      if (data.length - pos < 2) return null;
      size = ((data[pos]! << 8) | data[pos + 1]!) + 1;
      pos += 2;
    }
    pos += size;
    if (pos >= data.length) return null;
    packetType = data[pos++]! & 0x0f;
  }
  return { packetType, pos };
}

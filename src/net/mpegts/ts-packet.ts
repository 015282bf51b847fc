// Splits one payload (a PES packet or a PSI section with its pointer field) into 188-byte
// transport packets, keeping a continuity counter per PID. The adaptation field carries the
// PCR and random-access flag on the first packet, and absorbs the stuffing of the last one
// (stuffing inside the adaptation field is how PES payloads are padded; ISO 13818-1 2.4.3.5).

export const TS_PACKET_SIZE = 188;
export const TS_SYNC_BYTE = 0x47;
const PAYLOAD_SIZE = 184;
/** Upper bound of a 33-bit 90 kHz timestamp, PTS/DTS/PCR base wrap here. */
export const TS_CLOCK_WRAP = 2 ** 33;

export type PacketFlags = {
  /** PCR base in 90 kHz units, or -1 for none. */
  pcr: number;
  randomAccess: boolean;
  discontinuity: boolean;
};

/** Wraps any millisecond-derived 90 kHz value into the 33-bit range (negative values too). */
export function wrap33(ts90: number): number {
  const m = ts90 % TS_CLOCK_WRAP;
  return m < 0 ? m + TS_CLOCK_WRAP : m;
}

/** Writes the 6 PCR bytes (33-bit base, 6 reserved ones, 9-bit extension 0). */
export function writePcr(out: Uint8Array, off: number, pcrBase: number): void {
  const base = wrap33(Math.floor(pcrBase));
  const hi = Math.floor(base / 2) >>> 0; // bits 32..1
  out[off] = hi >>> 24;
  out[off + 1] = (hi >>> 16) & 0xff;
  out[off + 2] = (hi >>> 8) & 0xff;
  out[off + 3] = hi & 0xff;
  out[off + 4] = ((base % 2) << 7) | 0x7e; // low base bit, reserved, extension bit 8 = 0
  out[off + 5] = 0;
}

function adaptationBodyLength(flags: PacketFlags | null): number {
  if (flags === null) return 0;
  const any = flags.pcr >= 0 || flags.randomAccess || flags.discontinuity;
  if (!any) return 0;
  return flags.pcr >= 0 ? 7 : 1; // flags byte (+ PCR)
}

export class TsPacketizer {
  private readonly cc = new Uint8Array(8192);

  /** How many packets a payload of `length` bytes needs, given the first packet's flags. */
  packetCount(length: number, first: PacketFlags | null): number {
    const body = adaptationBodyLength(first);
    const firstRoom = PAYLOAD_SIZE - (body > 0 ? body + 1 : 0);
    if (length <= firstRoom) return 1;
    return 1 + Math.ceil((length - firstRoom) / PAYLOAD_SIZE);
  }

  /** Continuity counter the next payload-carrying packet on `pid` will use. */
  nextCounter(pid: number): number {
    return this.cc[pid]!;
  }

  resetCounters(): void {
    this.cc.fill(0);
  }

  /**
   * Writes `payload` as packets on `pid` into `out` at `off` (room for `packetCount` packets
   * must be there) and returns the offset after the last packet.
   */
  write(out: Uint8Array, off: number, pid: number, payload: Uint8Array, first: PacketFlags | null): number {
    let pos = 0;
    const len = payload.length;
    let isFirst = true;
    do {
      const body = isFirst ? adaptationBodyLength(first) : 0;
      let afTotal = body > 0 ? body + 1 : 0;
      const room = PAYLOAD_SIZE - afTotal;
      const chunk = Math.min(room, len - pos);
      afTotal += room - chunk; // stuffing goes into the adaptation field
      const counter = this.cc[pid]!;
      this.cc[pid] = (counter + 1) & 0x0f;
      out[off] = TS_SYNC_BYTE;
      out[off + 1] = (isFirst ? 0x40 : 0) | ((pid >>> 8) & 0x1f);
      out[off + 2] = pid & 0xff;
      out[off + 3] = (afTotal > 0 ? 0x30 : 0x10) | counter;
      let p = off + 4;
      if (afTotal > 0) {
        const afEnd = p + afTotal;
        out[p++] = afTotal - 1;
        if (afTotal > 1) {
          let f = 0;
          if (body > 0 && first !== null) {
            if (first.discontinuity) f |= 0x80;
            if (first.randomAccess) f |= 0x40;
            if (first.pcr >= 0) f |= 0x10;
          }
          out[p++] = f;
          if (f & 0x10) {
            writePcr(out, p, first!.pcr);
            p += 6;
          }
          out.fill(0xff, p, afEnd);
          p = afEnd;
        }
      }
      out.set(payload.subarray(pos, pos + chunk), p);
      pos += chunk;
      off += TS_PACKET_SIZE;
      isFirst = false;
    } while (pos < len);
    return off;
  }

  /** An adaptation-field-only packet carrying a PCR (does not advance the counter). */
  writePcrOnly(out: Uint8Array, off: number, pid: number, pcr: number): number {
    out[off] = TS_SYNC_BYTE;
    out[off + 1] = (pid >>> 8) & 0x1f;
    out[off + 2] = pid & 0xff;
    // Counter of an adaptation-only packet repeats the previous one (2.4.3.3).
    out[off + 3] = 0x20 | ((this.cc[pid]! - 1) & 0x0f);
    out[off + 4] = 183;
    out[off + 5] = 0x10;
    writePcr(out, off + 6, pcr);
    out.fill(0xff, off + 12, off + TS_PACKET_SIZE);
    return off + TS_PACKET_SIZE;
  }
}

// Program Specific Information: the PAT and PMT sections of a single-program stream, each
// sent in one packet (pointer field 0, section, 0xFF fill) at the head of every segment.

import { crc32Mpeg2 } from './crc32-mpeg2.ts';

export const PID_PAT = 0x0000;
/** PIDs SRS uses, kept so captures compare side by side. */
export const PID_PMT = 0x1000;
export const PID_VIDEO = 0x100;
export const PID_AUDIO = 0x101;
export const PROGRAM_NUMBER = 1;

export const STREAM_TYPE_MP3 = 0x03; // ISO 11172-3 audio
export const STREAM_TYPE_MP3_LSF = 0x04; // ISO 13818-3 audio (MPEG-2/2.5 sample rates)
export const STREAM_TYPE_AAC_ADTS = 0x0f;
export const STREAM_TYPE_H264 = 0x1b;
export const STREAM_TYPE_H265 = 0x24;

export type PmtStream = { streamType: number; pid: number };

/** One 184-byte packet payload: pointer field, section, CRC, then 0xFF up to the end. */
function sectionPayload(section: number[]): Uint8Array {
  const out = new Uint8Array(184).fill(0xff);
  out[0] = 0; // pointer_field
  out.set(section, 1);
  const crc = crc32Mpeg2(out, 1, 1 + section.length);
  const c = 1 + section.length;
  out[c] = crc >>> 24;
  out[c + 1] = (crc >>> 16) & 0xff;
  out[c + 2] = (crc >>> 8) & 0xff;
  out[c + 3] = crc & 0xff;
  return out;
}

/** Section header bytes after table_id: syntax '1', '0', reserved '11', 12-bit length. */
function lengthBytes(sectionLength: number): number[] {
  return [0xb0 | ((sectionLength >>> 8) & 0x0f), sectionLength & 0xff];
}

export function patPayload(pmtPid = PID_PMT, programNumber = PROGRAM_NUMBER): Uint8Array {
  // 5 bytes after the length, 4 per program, 4 of CRC.
  const sectionLength = 5 + 4 + 4;
  return sectionPayload([
    0x00, // table_id: program_association_section
    ...lengthBytes(sectionLength),
    0x00, 0x01, // transport_stream_id 1
    0xc1, // reserved '11', version 0, current_next 1
    0x00, 0x00, // section_number, last_section_number
    programNumber >>> 8, programNumber & 0xff,
    0xe0 | (pmtPid >>> 8), pmtPid & 0xff,
  ]);
}

export function pmtPayload(streams: PmtStream[], pcrPid: number, programNumber = PROGRAM_NUMBER): Uint8Array {
  const sectionLength = 9 + 5 * streams.length + 4;
  const bytes = [
    0x02, // table_id: TS_program_map_section
    ...lengthBytes(sectionLength),
    programNumber >>> 8, programNumber & 0xff,
    0xc1,
    0x00, 0x00,
    0xe0 | (pcrPid >>> 8), pcrPid & 0xff,
    0xf0, 0x00, // program_info_length 0
  ];
  for (const s of streams) bytes.push(s.streamType, 0xe0 | (s.pid >>> 8), s.pid & 0xff, 0xf0, 0x00);
  return sectionPayload(bytes);
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { crc32Mpeg2 } from '../../src/net/mpegts/crc32-mpeg2.ts';
import { writePesHeader, writePesTimestamp } from '../../src/net/mpegts/pes.ts';
import { patPayload, pmtPayload } from '../../src/net/mpegts/psi.ts';
import { TsPacketizer, writePcr, type PacketFlags } from '../../src/net/mpegts/ts-packet.ts';
import { hex, readPcrBase, readTs33, slowCrc32Mpeg2, splitTs } from './mpegts-test-demux.ts';
import { fromHex } from '../helpers/bytes.ts';

describe('PES timestamps (33-bit, marker bits)', () => {
  // Hand-computed: [prefix, ts90, bytes]
  const table: [number, number, string][] = [
    [2, 0, '21 00 01 00 01'],
    [2, 90000, '21 00 05 bf 21'],
    [3, 6030, '31 00 01 2f 1d'],
    [1, 0, '11 00 01 00 01'],
    [2, 2 ** 32, '29 00 01 00 01'],
    [2, 2 ** 33 - 1, '2f ff ff ff ff'],
    [2, 2 ** 33, '21 00 01 00 01'], // wraps
    [2, -90, '2f ff ff ff 4d'], // 2^33 - 90
  ];
  for (const [prefix, ts, bytes] of table) {
    it(`encodes ${ts} with prefix ${prefix}`, () => {
      const out = new Uint8Array(5);
      writePesTimestamp(out, 0, prefix, ts);
      assert.equal(hex(out), bytes.replace(/ /g, ''));
    });
    it(`decodes ${bytes}`, () => {
      const expected = ((ts % 2 ** 33) + 2 ** 33) % 2 ** 33;
      assert.equal(readTs33(fromHex(bytes), 0), expected);
    });
  }
  it('round-trips any 33-bit value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 33 - 1 }), (ts) => {
        const out = new Uint8Array(5);
        writePesTimestamp(out, 0, 2, ts);
        return readTs33(out, 0) === ts && (out[0]! & 1) === 1 && (out[2]! & 1) === 1 && (out[4]! & 1) === 1;
      }),
    );
  });
});

describe('PES header', () => {
  it('PTS only (audio)', () => {
    const out = new Uint8Array(19);
    const n = writePesHeader(out, 0, 0xc0, 90000, -1, 100);
    assert.equal(n, 14);
    // length = 3 + 5 + 100 = 108 = 0x6c
    assert.equal(hex(out.subarray(0, n)), '000001c0006c848005' + '210005bf21');
  });
  it('PTS and DTS (video with B-frames)', () => {
    const out = new Uint8Array(19);
    const n = writePesHeader(out, 0, 0xe0, 6030, 0, 1000);
    assert.equal(n, 19);
    // length = 3 + 10 + 1000 = 1013 = 0x03f5
    assert.equal(hex(out), '000001e003f584c00a' + '3100012f1d' + '1100010001');
  });
  it('length 0 when the packet exceeds 16 bits', () => {
    const out = new Uint8Array(19);
    writePesHeader(out, 0, 0xe0, 0, -1, 70000);
    assert.equal(out[4], 0);
    assert.equal(out[5], 0);
    writePesHeader(out, 0, 0xe0, 0, -1, 0xffff - 8);
    assert.equal((out[4]! << 8) | out[5]!, 0xffff);
  });
});

describe('PCR', () => {
  const table: [number, string][] = [
    [0, '000000007e00'],
    [1, '00000000fe00'],
    [90000, '0000afc87e00'],
    [2 ** 33 - 1, 'fffffffffe00'],
  ];
  for (const [base, bytes] of table) {
    it(`encodes base ${base}`, () => {
      const out = new Uint8Array(6);
      writePcr(out, 0, base);
      assert.equal(hex(out), bytes);
      assert.equal(readPcrBase(Uint8Array.of(0x10, ...out)), base);
    });
  }
});

describe('CRC32/MPEG-2', () => {
  it('matches the catalogue check value and a bitwise implementation', () => {
    assert.equal(crc32Mpeg2(new TextEncoder().encode('123456789')), 0x0376e6e7);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => crc32Mpeg2(b) === slowCrc32Mpeg2(b)));
  });
});

describe('PAT and PMT', () => {
  it('PAT: program 1 on PMT PID 0x1000, the bytes ffmpeg and SRS write', () => {
    const p = patPayload();
    assert.equal(p.length, 184);
    assert.equal(hex(p.subarray(0, 17)), '0000b00d0001c100000001f0002ab104b2');
    assert.ok(p.subarray(17).every((b) => b === 0xff));
  });
  it('PMT: H.264 + AAC, PCR on the video PID', () => {
    const p = pmtPayload(
      [
        { streamType: 0x1b, pid: 0x100 },
        { streamType: 0x0f, pid: 0x101 },
      ],
      0x100,
    );
    const section = p.subarray(1, 1 + 3 + 0x17);
    assert.equal(hex(section.subarray(0, section.length - 4)), '02b0170001c10000e100f0001be100f0000fe101f000');
    const crc = slowCrc32Mpeg2(section.subarray(0, section.length - 4));
    assert.equal(hex(section.subarray(section.length - 4)), crc.toString(16).padStart(8, '0'));
    // A whole section including its CRC has remainder 0.
    assert.equal(slowCrc32Mpeg2(section), 0);
  });
  it('PMT: audio-only MP3 puts the PCR on the audio PID', () => {
    const p = pmtPayload([{ streamType: 0x03, pid: 0x101 }], 0x101);
    assert.equal(hex(p.subarray(1, 13)), '02b0120001c10000e101f000');
    assert.equal(slowCrc32Mpeg2(p.subarray(1, 1 + 3 + 0x12)), 0);
  });
  it('PAT section checks with the bitwise CRC', () => {
    assert.equal(slowCrc32Mpeg2(patPayload().subarray(1, 1 + 3 + 0x0d)), 0);
  });
});

describe('TsPacketizer', () => {
  const none: PacketFlags = { pcr: -1, randomAccess: false, discontinuity: false };
  const pcr: PacketFlags = { pcr: 12345, randomAccess: true, discontinuity: false };

  it('splits every payload length into 188-byte packets that rebuild it exactly', () => {
    for (const flags of [null, none, pcr]) {
      for (let len = 1; len <= 600; len++) {
        const z = new TsPacketizer();
        const payload = Uint8Array.from({ length: len }, (_, i) => (i * 7 + 3) & 0xff);
        const count = z.packetCount(len, flags);
        const out = new Uint8Array(count * 188);
        const end = z.write(out, 0, 0x100, payload, flags);
        assert.equal(end, out.length);
        const packets = splitTs(out);
        assert.equal(packets.length, count);
        const joined = Uint8Array.from(packets.flatMap((p) => [...p.payload]));
        assert.deepEqual(joined, payload, `length ${len}`);
        assert.ok(packets[0]!.pusi);
        assert.ok(packets.slice(1).every((p) => !p.pusi));
        packets.forEach((p, i) => assert.equal(p.cc, i & 15));
        if (flags === pcr) {
          assert.equal(readPcrBase(packets[0]!.adaptation), 12345);
          assert.equal(packets[0]!.adaptation![0]! & 0x40, 0x40); // random access
        }
        // Stuffing is 0xFF after the flags byte, and only the last packet may be short.
        for (const p of packets.slice(1, -1)) assert.equal(p.payload.length, 184);
      }
    }
  });

  it('uses a 1-byte adaptation field (length 0) for 183-byte payloads', () => {
    const z = new TsPacketizer();
    const out = new Uint8Array(188);
    z.write(out, 0, 0x101, new Uint8Array(183), null);
    assert.equal(hex(out.subarray(0, 6)), '474101' + '30' + '00' + '00');
  });

  it('keeps one continuity counter per PID, wrapping at 16', () => {
    const z = new TsPacketizer();
    const seen = new Map<number, number[]>();
    for (let i = 0; i < 40; i++) {
      const pid = i % 3 === 0 ? 0x100 : 0x101;
      const out = new Uint8Array(z.packetCount(10, null) * 188);
      z.write(out, 0, pid, new Uint8Array(10), null);
      for (const p of splitTs(out)) seen.set(p.pid, [...(seen.get(p.pid) ?? []), p.cc]);
    }
    for (const ccs of seen.values()) ccs.forEach((cc, i) => assert.equal(cc, i % 16));
    assert.equal(seen.get(0x101)!.length, 26);
  });

  it('writes a PCR-only packet without advancing the counter', () => {
    const z = new TsPacketizer();
    const out = new Uint8Array(188 * 2);
    z.write(out, 0, 0x100, new Uint8Array(5), null);
    z.writePcrOnly(out, 188, 0x100, 90000);
    const [a, b] = splitTs(out);
    assert.equal(a!.cc, 0);
    assert.equal(b!.cc, 0);
    assert.equal(b!.hasPayload, false);
    assert.equal(readPcrBase(b!.adaptation), 90000);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as pc from '../../src/net/rtmp/protocol-control.ts';
import { ChunkReader } from '../../src/net/rtmp/chunk-reader.ts';
import { isSluiceError } from '../../src/errors.ts';
import { fromHex } from '../helpers/bytes.ts';

const HDR = (type: string, len: string) => `02 000000 ${len} ${type} 00000000`;

test('message type and user control event numbers', () => {
  assert.deepEqual(
    [pc.MessageType.SetChunkSize, pc.MessageType.Abort, pc.MessageType.Acknowledgement, pc.MessageType.UserControl,
      pc.MessageType.WindowAckSize, pc.MessageType.SetPeerBandwidth, pc.MessageType.Audio, pc.MessageType.Video,
      pc.MessageType.DataAmf3, pc.MessageType.SharedObjectAmf3, pc.MessageType.CommandAmf3, pc.MessageType.DataAmf0,
      pc.MessageType.SharedObjectAmf0, pc.MessageType.CommandAmf0, pc.MessageType.Aggregate],
    [1, 2, 3, 4, 5, 6, 8, 9, 15, 16, 17, 18, 19, 20, 22],
  );
  assert.deepEqual(Object.values(pc.UserControlEvent), [0, 1, 2, 3, 4, 6, 7]);
  assert.deepEqual(pc.LimitType, { Hard: 0, Soft: 1, Dynamic: 2 });
});

// Wire bytes of each encoder: chunk stream 2, message stream 0, timestamp 0.
const encoders: { name: string; bytes: Uint8Array; wire: Uint8Array }[] = [
  { name: 'setChunkSize(4096)', bytes: pc.setChunkSize(4096), wire: fromHex(`${HDR('01', '000004')} 00001000`) },
  { name: 'abort(4)', bytes: pc.abort(4), wire: fromHex(`${HDR('02', '000004')} 00000004`) },
  { name: 'acknowledgement(0x12345678)', bytes: pc.acknowledgement(0x12345678), wire: fromHex(`${HDR('03', '000004')} 12345678`) },
  { name: 'acknowledgement wraps at 2^32', bytes: pc.acknowledgement(2 ** 32 + 7), wire: fromHex(`${HDR('03', '000004')} 00000007`) },
  { name: 'acknowledgement of 5 GB', bytes: pc.acknowledgement(5 * 2 ** 30), wire: fromHex(`${HDR('03', '000004')} 40000000`) },
  { name: 'windowAckSize(2500000)', bytes: pc.windowAckSize(2500000), wire: fromHex(`${HDR('05', '000004')} 002625a0`) },
  { name: 'setPeerBandwidth default dynamic', bytes: pc.setPeerBandwidth(2500000), wire: fromHex(`${HDR('06', '000005')} 002625a0 02`) },
  { name: 'setPeerBandwidth hard', bytes: pc.setPeerBandwidth(1000, pc.LimitType.Hard), wire: fromHex(`${HDR('06', '000005')} 000003e8 00`) },
  { name: 'streamBegin(1)', bytes: pc.streamBegin(1), wire: fromHex(`${HDR('04', '000006')} 0000 00000001`) },
  { name: 'streamEof(1)', bytes: pc.streamEof(1), wire: fromHex(`${HDR('04', '000006')} 0001 00000001`) },
  { name: 'user control StreamDry(1)', bytes: pc.userControl(pc.UserControlEvent.StreamDry, 1), wire: fromHex(`${HDR('04', '000006')} 0002 00000001`) },
  { name: 'user control SetBufferLength(1, 3000)', bytes: pc.userControl(pc.UserControlEvent.SetBufferLength, 1, 3000), wire: fromHex(`${HDR('04', '00000a')} 0003 00000001 00000bb8`) },
  { name: 'user control StreamIsRecorded(1)', bytes: pc.userControl(pc.UserControlEvent.StreamIsRecorded, 1), wire: fromHex(`${HDR('04', '000006')} 0004 00000001`) },
  { name: 'user control PingRequest(0xdeadbeef)', bytes: pc.userControl(pc.UserControlEvent.PingRequest, 0xdeadbeef), wire: fromHex(`${HDR('04', '000006')} 0006 deadbeef`) },
  { name: 'pingResponse(3343)', bytes: pc.pingResponse(3343), wire: fromHex(`${HDR('04', '000006')} 0007 00000d0f`) },
  { name: 'userControl(32, 1)', bytes: pc.userControl(32, 1), wire: fromHex(`${HDR('04', '000006')} 0020 00000001`) },
];

for (const c of encoders) {
  test(`encodes ${c.name}`, () => assert.deepEqual(c.bytes, c.wire));
}

test('encoded control messages read back through the chunk reader and decoders', () => {
  const r = new ChunkReader();
  const got = r.push(new Uint8Array(Buffer.concat(encoders.map((c) => c.bytes).filter((_, i) => i !== 1))));
  assert.equal(got[0]!.type, pc.MessageType.SetChunkSize);
  assert.equal(pc.decodeSetChunkSize(got[0]!.payload), 4096);
  assert.equal(r.chunkSize, 4096);
  assert.equal(pc.decodeAcknowledgement(got[1]!.payload), 0x12345678);
  assert.equal(pc.decodeAcknowledgement(got[2]!.payload), 7);
  assert.equal(pc.decodeWindowAckSize(got[4]!.payload), 2500000);
  assert.deepEqual(pc.decodeSetPeerBandwidth(got[5]!.payload), { size: 2500000, limitType: 2 });
  assert.deepEqual(got.map((m) => [m.csid, m.streamId, m.timestamp]), got.map(() => [2, 0, 0]));
});

const userControlTable: { bytes: string; value: pc.UserControl }[] = [
  { bytes: '0000 00000001', value: { event: 0, streamId: 1 } },
  { bytes: '0001 00000002', value: { event: 1, streamId: 2 } },
  { bytes: '0002 00000003', value: { event: 2, streamId: 3 } },
  { bytes: '0003 00000001 00000bb8', value: { event: 3, streamId: 1, bufferMs: 3000 } },
  { bytes: '0004 00000001', value: { event: 4, streamId: 1 } },
  { bytes: '0006 ffffffff', value: { event: 6, timestamp: 0xffffffff } },
  { bytes: '0007 00000d0f', value: { event: 7, timestamp: 3343 } },
  { bytes: '001f 00000001', value: { event: 31 } },
  { bytes: '0020', value: { event: 32 } },
];

test('decodes user control events', () => {
  for (const c of userControlTable) assert.deepEqual(pc.decodeUserControl(fromHex(c.bytes)), c.value, c.bytes);
});

test('short payloads are refused with RTMP_MESSAGE', () => {
  const bad: [string, (p: Uint8Array) => unknown, string][] = [
    ['user control without event', pc.decodeUserControl, '00'],
    ['stream begin without stream id', pc.decodeUserControl, '0000 000000'],
    ['set buffer length without ms', pc.decodeUserControl, '0003 00000001 0000'],
    ['ping without timestamp', pc.decodeUserControl, '0006'],
    ['set chunk size', pc.decodeSetChunkSize, '000010'],
    ['abort', pc.decodeAbort, ''],
    ['ack', pc.decodeAcknowledgement, '01'],
    ['window ack size', pc.decodeWindowAckSize, '010203'],
    ['set peer bandwidth without limit type', pc.decodeSetPeerBandwidth, '00000001'],
  ];
  for (const [name, fn, bytes] of bad) {
    assert.throws(() => fn(fromHex(bytes)), (e) => isSluiceError(e, 'RTMP_MESSAGE'), name);
  }
});

/** One aggregate part: FLV tag header, data, back pointer. */
function part(type: number, ts: number, data: Uint8Array, sid = 0): Uint8Array {
  const b = new Uint8Array(11 + data.length + 4);
  const v = new DataView(b.buffer);
  b[0] = type;
  v.setUint32(0, (type << 24) | data.length);
  b[4] = (ts >>> 16) & 0xff;
  b[5] = (ts >>> 8) & 0xff;
  b[6] = ts & 0xff;
  b[7] = ts >>> 24;
  b[8] = sid >>> 16;
  b[9] = sid >>> 8;
  b[10] = sid;
  b.set(data, 11);
  v.setUint32(11 + data.length, 11 + data.length);
  return b;
}

test('splits aggregate messages, rebasing timestamps on the first part', () => {
  const payload = new Uint8Array(Buffer.concat([
    part(9, 0x01000010, fromHex('17 01 aa')),
    part(8, 0x01000020, fromHex('af 01 bb')),
    part(9, 0x01000040, new Uint8Array(0), 5),
  ]));
  assert.deepEqual(pc.splitAggregate(payload, 1000), [
    { type: 9, timestamp: 1000, streamId: 0, payload: fromHex('1701aa') },
    { type: 8, timestamp: 1016, streamId: 0, payload: fromHex('af01bb') },
    { type: 9, timestamp: 1048, streamId: 5, payload: new Uint8Array(0) },
  ]);
  const withSid = pc.splitAggregate(payload, 0xfffffff8, 1);
  assert.deepEqual(withSid.map((p) => [p.timestamp, p.streamId]), [[0xfffffff8, 1], [8, 1], [40, 1]]);
  assert.equal(withSid[0]!.payload.buffer, payload.buffer, 'parts are views into the aggregate');
  assert.deepEqual(pc.splitAggregate(new Uint8Array(0), 5), []);
});

test('truncated aggregates are refused; random ones decode or throw RTMP_MESSAGE', () => {
  const whole = part(9, 10, fromHex('0102030405'));
  for (let cut = 1; cut < whole.length; cut++) {
    assert.throws(() => pc.splitAggregate(whole.subarray(0, cut), 0), (e) => isSluiceError(e, 'RTMP_MESSAGE'), `cut ${cut}`);
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 0xffffffff }), (data, base) => {
      try {
        for (const p of pc.splitAggregate(data, base)) assert.ok(p.timestamp >= 0 && p.timestamp <= 0xffffffff);
      } catch (e) {
        assert.ok(isSluiceError(e, 'RTMP_MESSAGE'), String(e));
      }
    }),
  );
});

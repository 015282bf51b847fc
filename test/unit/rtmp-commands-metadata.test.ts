import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeData,
  encodeData,
  metadataForPlayers,
  metadataFromValues,
  normalizeMetadata,
} from '../../src/net/rtmp/commands.ts';
import { ecmaArray, isEcmaArray, typedObject } from '../../src/net/amf/amf-types.ts';
import { fromHex, toHex } from '../helpers/bytes.ts';

// OBS 29.1: @setDataFrame, onMetaData, ECMA array of 20 properties.
const obsSetDataFrame =
  '02000d40736574446174614672616d6502000a6f6e4d65746144617461080000001400086475726174696f6e0000000000000000' +
  '00000866696c6553697a65000000000000000000000577696474680040940000000000000006686569676874004086800000000000' +
  '000c766964656f636f646563696400401c000000000000000d766964656f64617461726174650040a38800000000000009667261' +
  '6d657261746500403e000000000000000c617564696f636f6465636964004024000000000000000d617564696f64617461726174' +
  '65004064000000000000000f617564696f73616d706c65726174650040e7700000000000000f617564696f73616d706c6573697a' +
  '65004030000000000000000d617564696f6368616e6e656c73004000000000000000000673746572656f01010003322e31010000' +
  '03332e3101000003342e3001000003342e3101000003352e3101000003372e3101000007656e636f6465720200296f62732d6f75' +
  '74707574206d6f64756c6520286c69626f62732076657273696f6e2032392e312e3029000009';

test('OBS @setDataFrame with an ECMA array becomes a plain object', () => {
  const meta = normalizeMetadata(fromHex(obsSetDataFrame));
  assert.ok(meta);
  assert.equal(isEcmaArray(meta), false);
  assert.equal(meta['width'], 1280);
  assert.equal(meta['height'], 720);
  assert.equal(meta['videocodecid'], 7);
  assert.equal(meta['encoder'], 'obs-output module (libobs version 29.1.0)');
  assert.equal(Object.keys(meta).length, 20);
  assert.equal(Object.keys(meta)[0], 'duration');
});

test('metadata bodies: object, ECMA array, typed object, missing, not an object', () => {
  const cases: [Uint8Array, Record<string, unknown> | null][] = [
    [encodeData('@setDataFrame', 'onMetaData', { width: 640 }), { width: 640 }],
    [encodeData('@setDataFrame', 'onMetaData', ecmaArray({ width: 640 })), { width: 640 }],
    [encodeData('@setDataFrame', 'onMetaData', typedObject('T', { a: 1 })), { a: 1 }],
    [encodeData('onMetaData', ecmaArray({ a: 1 })), { a: 1 }],
    [encodeData('@setDataFrame', 'onMetaData'), {}],
    [encodeData('onMetaData'), {}],
    [encodeData('@setDataFrame', 'onMetaData', 'odd'), {}],
    [encodeData('@setDataFrame', 'onMetaData', [1, 2]), {}],
    // Bytes after the body do not matter, even broken ones.
    [Uint8Array.of(...encodeData('onMetaData', { a: 1 }), 0x04, 0xff), { a: 1 }],
    // Not metadata
    [encodeData('@setDataFrame', 'onCuePoint', { a: 1 }), null],
    [encodeData('@setDataFrame'), null],
    [encodeData('onCuePoint', { a: 1 }), null],
    [encodeData('|RtmpSampleAccess', true, true), null],
    // ffmpeg's 4-byte timecode data message
    [fromHex('00 00 00 01'), null],
    [fromHex('00 01 02 03'), null],
    [new Uint8Array(0), null],
    // Malformed body
    [encodeData('@setDataFrame', 'onMetaData', { a: 1 }).subarray(0, 30), null],
  ];
  for (const [payload, want] of cases) {
    assert.deepStrictEqual(normalizeMetadata(payload), want, toHex(payload));
  }
});

test('metadata in an AMF3 data message (type 15) is read after the format selector', () => {
  const p = Uint8Array.of(0, ...encodeData('@setDataFrame', 'onMetaData', ecmaArray({ w: 1 })));
  assert.deepStrictEqual(normalizeMetadata(p, true), { w: 1 });
  // And an AMF3 object behind the 0x11 switch: {w: 1}
  const q = Uint8Array.of(0, ...encodeData('onMetaData'), ...fromHex('11 0a 0b 01 03 77 04 01 01'));
  assert.deepStrictEqual(normalizeMetadata(q, true), { w: 1 });
});

test('metadataFromValues works on already decoded data messages', () => {
  const d = decodeData(fromHex(obsSetDataFrame), false);
  const meta = metadataFromValues(d.name, d.values);
  assert.deepStrictEqual(meta, normalizeMetadata(fromHex(obsSetDataFrame)));
  assert.equal(metadataFromValues('onCuePoint', []), null);
});

test('metadata __proto__ keys stay data', () => {
  const payload = fromHex('02000a6f6e4d65746144617461 08 00000001 0009 5f5f70726f746f5f5f 03 0001 78 01 01 000009 000009');
  const meta = normalizeMetadata(payload);
  assert.ok(meta);
  assert.equal(Object.getPrototypeOf(meta), Object.prototype);
  assert.deepStrictEqual(Object.keys(meta), ['__proto__']);
  assert.equal(({} as Record<string, unknown>)['x'], undefined);
  const out = decodeData(metadataForPlayers(meta, { name: 'Sluice/0.1.0', version: '0.1.0' }), false);
  assert.deepStrictEqual(Object.keys(out.values[0] as object), ['__proto__', 'server', 'server_version']);
  assert.equal(({} as Record<string, unknown>)['x'], undefined);
});

test('metadataForPlayers: onMetaData as an ECMA array, duration removed, server fields added', () => {
  const meta = normalizeMetadata(fromHex(obsSetDataFrame))!;
  const out = metadataForPlayers(meta, { name: 'Sluice/0.1.0', version: '0.1.0' });
  // "onMetaData" then the ECMA array marker (players expect what FMS and SRS send)
  assert.equal(toHex(out.subarray(0, 18)), '02000a6f6e4d65746144617461' + '08' + '00000015');
  const d = decodeData(out, false);
  assert.equal(d.name, 'onMetaData');
  assert.equal(d.values.length, 1);
  const sent = d.values[0] as Record<string, unknown>;
  assert.ok(isEcmaArray(sent));
  assert.equal('duration' in sent, false);
  assert.equal(sent['server'], 'Sluice/0.1.0');
  assert.equal(sent['server_version'], '0.1.0');
  assert.equal(sent['width'], 1280);
  const keys = Object.keys(sent);
  assert.deepStrictEqual(keys.slice(-2), ['server', 'server_version']);
  // The stored object is left as it was.
  assert.equal(meta['duration'], 0);
  assert.equal('server' in meta, false);
  // An existing server key is overwritten in place.
  const again = decodeData(metadataForPlayers({ server: 'x', a: 1 }, { name: 'S', version: 'v' }), false).values[0];
  assert.deepStrictEqual(Object.keys(again as object), ['server', 'a', 'server_version']);
});

test('normalizeMetadata never throws, whatever the bytes', () => {
  const seed = fromHex(obsSetDataFrame);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(seed.length), fc.nat(seed.length - 1), fc.boolean(), (b, cut, at, amf3) => {
      normalizeMetadata(b, amf3);
      const m = seed.slice(0, cut);
      if (at < m.length) m[at] ^= 0xff;
      normalizeMetadata(m, amf3);
    }),
    { numRuns: 3000 },
  );
});

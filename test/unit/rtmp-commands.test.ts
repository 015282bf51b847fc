import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  Status,
  checkBwResult,
  connectResult,
  createStreamResult,
  decodeCommand,
  decodeData,
  encodeCommand,
  encodeData,
  errorResult,
  getStreamLengthResult,
  onBWDone,
  onFCPublish,
  onFCUnpublish,
  onStatus,
  sampleAccess,
  simpleResult,
} from '../../src/net/rtmp/commands.ts';
import { isEcmaArray } from '../../src/net/amf/amf-types.ts';
import { isSluiceError } from '../../src/errors.ts';
import { fromHex, toHex } from '../helpers/bytes.ts';

// Payloads of the command messages an encoder sends, byte for byte (OBS/FMLE flow).
const capture = {
  connect:
    '020007636f6e6e656374003ff00000000000000300036170700200046c69766500047479706502000a6e6f6e70726976617465' +
    '0008666c61736856657202001f464d4c452f332e302028636f6d70617469626c653b20464d53632f312e3029000673776655726c' +
    '02001a72746d703a2f2f3132372e302e302e313a313933352f6c6976650005746355726c02001a72746d703a2f2f3132372e302e' +
    '302e313a313933352f6c697665000009',
  releaseStream: '02000d72656c6561736553747265616d0040000000000000000502000a6c69766573747265616d',
  FCPublish: '02000946435075626c6973680040080000000000000502000a6c69766573747265616d',
  createStream: '02000c63726561746553747265616d00401000000000000005',
  publish: '0200077075626c6973680040140000000000000502000a6c69766573747265616d0200046c697665',
  FCUnpublish: '02000b4643556e7075626c6973680040180000000000000502000a6c69766573747265616d',
  deleteStream: '02000c64656c65746553747265616d00401c00000000000005003ff0000000000000',
};

test('decodes an encoder connect', () => {
  const c = decodeCommand(fromHex(capture.connect), false);
  assert.equal(c.name, 'connect');
  assert.equal(c.transactionId, 1);
  assert.deepStrictEqual(c.command, {
    app: 'live',
    type: 'nonprivate',
    flashVer: 'FMLE/3.0 (compatible; FMSc/1.0)',
    swfUrl: 'rtmp://127.0.0.1:1935/live',
    tcUrl: 'rtmp://127.0.0.1:1935/live',
  });
  assert.deepStrictEqual(c.args, []);
});

test('decodes the OBS publish flow', () => {
  const seen = Object.values(capture).slice(1).map((h) => decodeCommand(fromHex(h), false));
  assert.deepStrictEqual(seen, [
    { name: 'releaseStream', transactionId: 2, command: null, args: ['livestream'] },
    { name: 'FCPublish', transactionId: 3, command: null, args: ['livestream'] },
    { name: 'createStream', transactionId: 4, command: null, args: [] },
    { name: 'publish', transactionId: 5, command: null, args: ['livestream', 'live'] },
    { name: 'FCUnpublish', transactionId: 6, command: null, args: ['livestream'] },
    { name: 'deleteStream', transactionId: 7, command: null, args: [1] },
  ]);
});

test('encodeCommand writes the bytes clients send', () => {
  assert.equal(toHex(encodeCommand('publish', 5, null, 'livestream', 'live')), capture.publish);
  assert.equal(toHex(encodeCommand('createStream', 4, null)), capture.createStream);
});

test('decodes AMF3 commands (type 17): format selector, then AMF0 with AMF3 switches', () => {
  // 00 | "connect" | 1 | 0x11 AMF3 object {app: "live", objectEncoding: 3}
  const p = fromHex(
    '00 020007636f6e6e656374 00 3ff0000000000000 11 0a 0b 01 07 617070 06 09 6c697665 1d 6f626a656374456e636f64696e67 04 03 01',
  );
  const c = decodeCommand(p, true);
  assert.deepStrictEqual(c, { name: 'connect', transactionId: 1, command: { app: 'live', objectEncoding: 3 }, args: [] });
  // Without the selector the payload reads as plain AMF0 too.
  assert.equal(decodeCommand(fromHex(capture.createStream), true).name, 'createStream');
});

test('a command without a string name or numeric transaction id is RTMP_MESSAGE', () => {
  for (const p of [encodeData('x'), encodeData('x', 'y'), encodeData('x', null)]) {
    assert.throws(() => decodeCommand(p, false), (e) => isSluiceError(e, 'RTMP_MESSAGE'));
  }
  // Broken AMF keeps its own code.
  assert.throws(() => decodeCommand(encodeCommand('x', 1, null).subarray(0, 10), false), (e) => isSluiceError(e, 'AMF_DECODE'));
  assert.throws(() => decodeCommand(fromHex('00 3ff0000000000000'), false), (e) => isSluiceError(e, 'RTMP_MESSAGE'));
  assert.throws(() => decodeCommand(new Uint8Array(0), false), (e) => isSluiceError(e, 'RTMP_MESSAGE'));
  // Name and id alone are enough (the command object is then undefined).
  assert.deepStrictEqual(decodeCommand(fromHex('02 0001 78 00 0000000000000000'), false), {
    name: 'x', transactionId: 0, command: undefined, args: [],
  });
});

test('data messages decode and encode', () => {
  const d = decodeData(sampleAccess(), false);
  assert.deepStrictEqual(d, { name: '|RtmpSampleAccess', values: [true, true] });
  assert.deepStrictEqual(decodeData(Uint8Array.of(0, ...encodeData('onCuePoint', { t: 1 })), true), {
    name: 'onCuePoint', values: [{ t: 1 }],
  });
  assert.throws(() => decodeData(encodeAmf0Number(), false), (e) => isSluiceError(e, 'RTMP_MESSAGE'));
});

function encodeAmf0Number(): Uint8Array {
  return fromHex('00 0000000000000000');
}

// ---- replies: exact bytes (built independently from the AMF0 spec) and the shapes SRS sends

const expected = {
  onBWDone: '0200086f6e4257446f6e6500000000000000000005',
  releaseResult: '0200075f726573756c740040000000000000000506',
  genericResult: '0200075f726573756c7400401c0000000000000505',
  createStream: '0200075f726573756c7400401000000000000005003ff0000000000000',
  onFCPublish:
    '02000b6f6e46435075626c69736800000000000000000005030004636f64650200174e657453747265616d2e5075626c6973682e' +
    '5374617274000b6465736372697074696f6e02001a53746172746564207075626c697368696e672073747265616d2e000009',
  onStatusPublish:
    '0200086f6e537461747573000000000000000000050300056c6576656c0200067374617475730004636f64650200174e65745374' +
    '7265616d2e5075626c6973682e5374617274000b6465736372697074696f6e02001a53746172746564207075626c697368696e67' +
    '2073747265616d2e0008636c69656e7469640200084153414943697373000009',
  sampleAccess: '0200117c52746d7053616d706c6541636365737301010101',
  connect:
    '0200075f726573756c74003ff0000000000000030006666d7356657202000d464d532f332c352c332c383838000c636170616269' +
    '6c697469657300405fc0000000000000046d6f6465003ff00000000000000000090300056c6576656c0200067374617475730004' +
    '636f646502001d4e6574436f6e6e656374696f6e2e436f6e6e6563742e53756363657373000b6465736372697074696f6e020014' +
    '436f6e6e656374696f6e20737563636565646564000e6f626a656374456e636f64696e6700000000000000000000046461746108' +
    '00000011000776657273696f6e020009332c352c332c38383800077372735f736967020006536c75696365000a7372735f736572' +
    '76657202000c536c756963652f302e312e30000b7372735f6c6963656e73650200034d4954000b7372735f76657273696f6e0200' +
    '05302e312e30000b7372735f7072696d61727902001274686520536c7569636520617574686f7273000b7372735f617574686f72' +
    '7302001274686520536c7569636520617574686f7273000d7372735f7365727665725f69700200093132372e302e302e31000773' +
    '72735f7069640040b092000000000000067372735f69640200066b336a397832000a736c756963655f736967020006536c756963' +
    '65000d736c756963655f73657276657202000c536c756963652f302e312e30000e736c756963655f6c6963656e73650200034d49' +
    '54000e736c756963655f76657273696f6e020005302e312e300010736c756963655f7365727665725f69700200093132372e302e' +
    '302e31000a736c756963655f7069640040b09200000000000009736c756963655f69640200066b336a397832000009000009',
};

test('connect _result: exact bytes and the B.1 shape', () => {
  const b = connectResult(1, { objectEncoding: 0, serverInfo: { version: '0.1.0', pid: 4242, id: 'k3j9x2', ip: '127.0.0.1' } });
  assert.equal(toHex(b), expected.connect);
  const c = decodeCommand(b, false);
  assert.equal(c.name, '_result');
  assert.equal(c.transactionId, 1);
  assert.deepStrictEqual(c.command, { fmsVer: 'FMS/3,5,3,888', capabilities: 127, mode: 1 });
  const info = c.args[0] as Record<string, unknown>;
  assert.deepStrictEqual(Object.keys(info), ['level', 'code', 'description', 'objectEncoding', 'data']);
  assert.equal(info['code'], 'NetConnection.Connect.Success');
  assert.ok(isEcmaArray(info['data']));
  assert.equal((info['data'] as Record<string, unknown>)['version'], '3,5,3,888');
  // SRS's keys first, in SRS's order (SRS tools print them), then ours.
  assert.deepStrictEqual({ ...(info['data'] as Record<string, unknown>) }, {
    version: '3,5,3,888',
    srs_sig: 'Sluice', srs_server: 'Sluice/0.1.0', srs_license: 'MIT', srs_version: '0.1.0',
    srs_primary: 'the Sluice authors', srs_authors: 'the Sluice authors',
    srs_server_ip: '127.0.0.1', srs_pid: 4242, srs_id: 'k3j9x2',
    sluice_sig: 'Sluice', sluice_server: 'Sluice/0.1.0', sluice_license: 'MIT', sluice_version: '0.1.0',
    sluice_server_ip: '127.0.0.1', sluice_pid: 4242, sluice_id: 'k3j9x2',
  });
  assert.deepStrictEqual(Object.keys(info['data'] as object).slice(0, 10), [
    'version', 'srs_sig', 'srs_server', 'srs_license', 'srs_version', 'srs_primary', 'srs_authors', 'srs_server_ip', 'srs_pid', 'srs_id',
  ]);
  // objectEncoding is echoed.
  const flash = decodeCommand(connectResult(1, { objectEncoding: 3, serverInfo: { version: '1', pid: 1, id: 2 } }), false);
  assert.equal((flash.args[0] as Record<string, unknown>)['objectEncoding'], 3);
  assert.equal(((flash.args[0] as Record<string, unknown>)['data'] as Record<string, unknown>)['sluice_id'], 2);
});

test('reply builders: exact bytes', () => {
  assert.equal(toHex(onBWDone()), expected.onBWDone);
  assert.equal(toHex(simpleResult(2)), expected.releaseResult);
  assert.equal(toHex(simpleResult(7, null)), expected.genericResult);
  assert.equal(toHex(createStreamResult(4, 1)), expected.createStream);
  assert.equal(toHex(onFCPublish(Status.PublishStart.code, Status.PublishStart.description)), expected.onFCPublish);
  assert.equal(toHex(onStatus({ ...Status.PublishStart, clientid: 'ASAICiss' })), expected.onStatusPublish);
  assert.equal(toHex(sampleAccess()), expected.sampleAccess);
});

test('reply builders decode to the shapes SRS sends for publish, unpublish, play and pause', () => {
  const cmd = (b: Uint8Array) => decodeCommand(b, false);
  assert.deepStrictEqual(cmd(onBWDone()), { name: 'onBWDone', transactionId: 0, command: null, args: [] });
  assert.deepStrictEqual(cmd(simpleResult(3)), { name: '_result', transactionId: 3, command: null, args: [undefined] });
  assert.deepStrictEqual(cmd(createStreamResult(2, 1)), { name: '_result', transactionId: 2, command: null, args: [1] });
  assert.deepStrictEqual(cmd(onFCUnpublish(Status.FCUnpublishSuccess.code, Status.FCUnpublishSuccess.description)), {
    name: 'onFCUnpublish', transactionId: 0, command: null,
    args: [{ code: 'NetStream.Unpublish.Success', description: 'Stop publishing stream.' }],
  });
  assert.deepStrictEqual(cmd(onStatus({ ...Status.UnpublishSuccess, clientid: 'ASAICiss' })).args, [
    { level: 'status', code: 'NetStream.Unpublish.Success', description: 'Stream is now unpublished', clientid: 'ASAICiss' },
  ]);
  const reset = cmd(onStatus({ ...Status.PlayReset, details: 'stream', clientid: 'ASAICiss' }));
  assert.deepStrictEqual(reset.args, [
    { level: 'status', code: 'NetStream.Play.Reset', description: 'Playing and resetting stream.', details: 'stream', clientid: 'ASAICiss' },
  ]);
  assert.deepStrictEqual(Object.keys(reset.args[0] as object), ['level', 'code', 'description', 'details', 'clientid']);
  assert.deepStrictEqual(cmd(onStatus({ ...Status.PlayStart, details: 'stream', clientid: 'ASAICiss' })).args[0], {
    level: 'status', code: 'NetStream.Play.Start', description: 'Started playing stream.', details: 'stream', clientid: 'ASAICiss',
  });
  assert.deepStrictEqual(cmd(onStatus(Status.PauseNotify)).args[0], { level: 'status', code: 'NetStream.Pause.Notify', description: 'Paused stream.' });
  assert.deepStrictEqual(cmd(onStatus(Status.UnpauseNotify)).args[0], { level: 'status', code: 'NetStream.Unpause.Notify', description: 'Unpaused stream.' });
  assert.equal(Status.PublishBadName.level, 'error');
  assert.equal(Status.ConnectRejected.level, 'error');
  assert.deepStrictEqual(cmd(errorResult(1, Status.ConnectRejected)), {
    name: '_error', transactionId: 1, command: null,
    args: [{ level: 'error', code: 'NetConnection.Connect.Rejected', description: Status.ConnectRejected.description }],
  });
  assert.deepStrictEqual(cmd(getStreamLengthResult(6)), { name: '_result', transactionId: 6, command: null, args: [0] });
  assert.deepStrictEqual(cmd(checkBwResult(2)), { name: '_result', transactionId: 2, command: null, args: [null] });
  assert.ok(Object.isFrozen(Status.PlayStart));
});

test('command decoding of random bytes returns or throws SluiceError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (b, amf3) => {
      for (const f of [decodeCommand, decodeData]) {
        try {
          f(b, amf3);
        } catch (e) {
          assert.ok(isSluiceError(e), String(e));
        }
      }
    }),
    { numRuns: 3000 },
  );
});

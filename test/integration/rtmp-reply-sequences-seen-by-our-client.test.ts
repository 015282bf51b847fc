// The exact reply sequences SRS sends to connect, publish, unpublish, play and pause, and
// its answer to a Ping Request, as our client sees them on the wire.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';
import { until } from '../helpers/clients.ts';
import { connectRecorded, sendFile, sleep, type Recorded } from '../fixtures/rtmp/our-clients.ts';
import type { ClientEvent } from '../../src/net/rtmp/client-events.ts';
import * as pc from '../../src/net/rtmp/protocol-control.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ workers: 1 });
});
after(async () => {
  await server.stop();
});

type Cmd = Extract<ClientEvent, { type: 'command' }>;
const commands = (r: Recorded, from = 0): Cmd[] => r.events.slice(from).filter((e): e is Cmd => e.type === 'command');

/** A compact view of events: control, commands with tid/code, data names, media types. */
function view(events: ClientEvent[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case 'control':
        return e.event !== undefined ? `uc${e.event}:${e.value}` : `ctl${e.messageType}:${e.value}${e.limitType !== undefined ? `/${e.limitType}` : ''}`;
      case 'command': {
        const info = e.args[0] as { code?: string } | null | undefined;
        return `${e.name}#${e.transactionId}@${e.streamId}${info && typeof info === 'object' && info.code ? ` ${info.code}` : ''}`;
      }
      case 'data':
        return `data ${e.name}`;
      case 'media':
        return `media${e.messageType}`;
      default:
        return e.type;
    }
  }).filter((s) => !['status', 'connected', 'streamCreated', 'handshake'].includes(s));
}

test('B.1: connect gets WindowAckSize, SetPeerBandwidth (dynamic), SetChunkSize 60000, _result, onBWDone', async () => {
  const c = await connectRecorded(server.rtmpUrl('live'));
  try {
    await until(() => commands(c).some((e) => e.name === 'onBWDone'), 3000, 'onBWDone');
    assert.deepEqual(view(c.events), ['ctl5:2500000', 'ctl6:2500000/2', 'ctl1:60000', '_result#1@0 NetConnection.Connect.Success', 'onBWDone#0@0']);
    const result = commands(c)[0]!;
    const props = result.command as Record<string, unknown>;
    assert.deepEqual({ ...props }, { fmsVer: 'FMS/3,5,3,888', capabilities: 127, mode: 1 });
    const info = result.args[0] as Record<string, unknown>;
    assert.equal(info['level'], 'status');
    assert.equal(info['description'], 'Connection succeeded');
    assert.equal(info['objectEncoding'], 0);
    assert.equal(typeof info['data'], 'object');
  } finally {
    await c.client.close();
  }
});

test('B.1: objectEncoding 3 from the client is echoed in the connect _result', async () => {
  const c = await connectRecorded(server.rtmpUrl('live'), { connectExtra: { objectEncoding: 3 } });
  try {
    assert.equal((commands(c)[0]!.args[0] as Record<string, unknown>)['objectEncoding'], 3);
  } finally {
    await c.client.close();
  }
});

test('B.2 and B.3: FMLE publish replies, then FCUnpublish and deleteStream replies', async () => {
  const c = await connectRecorded(server.rtmpUrl('live'));
  try {
    await until(() => commands(c).some((e) => e.name === 'onBWDone'), 3000, 'onBWDone');
    const from = c.events.length;
    await c.client.publish('b2');
    const got = view(c.events.slice(from));
    assert.deepEqual(got, ['_result#2@0', '_result#3@0', '_result#4@0', 'onFCPublish#0@1 NetStream.Publish.Start', 'onStatus#0@1 NetStream.Publish.Start']);
    const cmds = commands(c, from);
    assert.deepEqual(cmds[0]!.args, [undefined], 'releaseStream: _result (2, null, undefined)');
    assert.deepEqual(cmds[2]!.args, [1], 'createStream: stream id 1');
    const fc = cmds[3]!.args[0] as Record<string, unknown>;
    assert.deepEqual({ ...fc }, { code: 'NetStream.Publish.Start', description: 'Started publishing stream.' }, 'onFCPublish has no level');
    const st = cmds[4]!.args[0] as Record<string, unknown>;
    assert.equal(st['level'], 'status');
    assert.equal(st['description'], 'Started publishing stream.');
    assert.equal(typeof st['clientid'], 'string');

    const from3 = c.events.length;
    const un = c.client.session.call('FCUnpublish', false, 'b2');
    c.client.socket.write(un.bytes);
    await until(() => commands(c, from3).length >= 3, 3000, 'FCUnpublish replies');
    assert.deepEqual(view(c.events.slice(from3)), [
      'onFCUnpublish#0@1 NetStream.Unpublish.Success',
      `_result#${un.tid}@1`,
      'onStatus#0@1 NetStream.Unpublish.Success',
    ]);
    const del = c.client.session.call('deleteStream', false, 1);
    c.client.socket.write(del.bytes);
    await until(() => commands(c, from3).length >= 4, 3000, 'deleteStream reply');
    const r = commands(c, from3)[3]!;
    assert.deepEqual([r.name, r.transactionId, r.args], ['_result', del.tid, [null]]);
  } finally {
    await c.client.close();
  }
});

test('B.4 and B.5: play gets StreamBegin, Play.Reset, Play.Start, |RtmpSampleAccess, then metadata, sequence headers, GOP; pause and unpause', async () => {
  const pub = await connectRecorded(server.rtmpUrl('live'));
  await pub.client.publish('b4');
  let stop = false;
  const sending = sendFile(pub.client, 'av-bframes.flv', { realtime: true, stop: () => stop, limitMs: 8000 });
  const player = await connectRecorded(server.rtmpUrl('live'));
  try {
    await sleep(600);
    const from = player.events.length;
    await player.client.play('b4');
    await until(() => player.media().length >= 5, 5000, 'media');
    const seq = view(player.events.slice(from));
    assert.deepEqual(seq.slice(0, 10), [
      '_result#2@0',
      'uc0:1',
      'onStatus#0@1 NetStream.Play.Reset',
      'onStatus#0@1 NetStream.Play.Start',
      'data |RtmpSampleAccess',
      'data onMetaData',
      'media8',
      'media9',
      'media9',
      seq[9]!,
    ]);
    assert.ok(!seq.some((s) => s.includes('NetStream.Data.Start')), 'no NetStream.Data.Start');
    const sa = player.events.find((e) => e.type === 'data' && e.name === '|RtmpSampleAccess') as Extract<ClientEvent, { type: 'data' }>;
    assert.deepEqual(sa.values, [true, true]);
    const meta = player.events.find((e) => e.type === 'data' && e.name === 'onMetaData') as Extract<ClientEvent, { type: 'data' }>;
    const props = meta.values[0] as Record<string, unknown>;
    assert.equal(props['duration'], undefined, 'duration removed');
    assert.equal(typeof props['server'], 'string');
    const reset = commands(player, from).find((e) => (e.args[0] as { code?: string })?.code === 'NetStream.Play.Reset')!;
    assert.deepEqual(
      { ...(reset.args[0] as object) },
      { level: 'status', code: 'NetStream.Play.Reset', description: 'Playing and resetting stream.', details: 'b4', clientid: (reset.args[0] as { clientid: string }).clientid },
    );
    const [a, v, k] = player.media();
    assert.deepEqual([a!.payload[0]! >> 4, a!.payload[1]], [10, 0], 'AAC sequence header');
    assert.deepEqual([v!.payload[0], v!.payload[1]], [0x17, 0], 'AVC sequence header');
    assert.deepEqual([k!.payload[0], k!.payload[1]], [0x17, 1], 'then a keyframe: the GOP cache');

    // B.5: pause, unpause; a call with a transaction id gets _result (null, null).
    const fromP = player.events.length;
    player.client.socket.write(player.client.session.call('pause', true, true, 0).bytes);
    await until(() => view(player.events.slice(fromP)).some((s) => s.startsWith('uc1:')), 3000, 'StreamEOF');
    const paused = view(player.events.slice(fromP)).filter((s) => !s.startsWith('media') && !s.startsWith('data'));
    assert.deepEqual(paused.slice(0, 2), ['onStatus#0@1 NetStream.Pause.Notify', 'uc1:1']);
    const fromU = player.events.length;
    player.client.socket.write(player.client.session.call('pause', true, false, 0).bytes);
    await until(() => view(player.events.slice(fromU)).some((s) => s.startsWith('uc0:')), 3000, 'StreamBegin');
    const resumed = view(player.events.slice(fromU)).filter((s) => !s.startsWith('media') && !s.startsWith('data'));
    assert.deepEqual(resumed.slice(0, 2), ['onStatus#0@1 NetStream.Unpause.Notify', 'uc0:1']);
    const n = player.media().length;
    await until(() => player.media().length > n + 5, 3000, 'media after unpause');
    const fromC = player.events.length;
    const call = player.client.session.call('FCSubscribe', false, 'b4');
    player.client.socket.write(call.bytes);
    await until(() => commands(player, fromC).some((e) => e.name === '_result'), 3000, '_result of FCSubscribe');
    const r = commands(player, fromC).find((e) => e.name === '_result')!;
    assert.deepEqual([r.transactionId, r.command, r.args], [call.tid, null, [null]]);
  } finally {
    stop = true;
    await sending;
    await player.client.close();
    await pub.client.close();
  }
});

test('a Ping Request from the client gets a Ping Response with the same timestamp, before and during play', async () => {
  const r = await connectRecorded(server.rtmpUrl('live'));
  const pongs = (stamp: number) => r.events.filter((e) => e.type === 'control' && e.messageType === pc.MessageType.UserControl && e.event === pc.UserControlEvent.PingResponse && e.value === stamp);
  // one whole message (a fmt-0 chunk on the protocol-control chunk stream), written beside
  // our client's own writer
  const ping = (stamp: number) => r.client.socket.write(pc.userControl(pc.UserControlEvent.PingRequest, stamp));
  ping(123456);
  await until(() => pongs(123456).length === 1, 5000, 'the Ping Response to 123456');
  await r.client.play('ping-while-playing');
  ping(0xfffffffe);
  await until(() => pongs(0xfffffffe).length === 1, 5000, 'the Ping Response to 0xfffffffe');
  await r.client.close();
});

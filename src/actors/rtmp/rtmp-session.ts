// RtmpSession: one per RTMP connection. It runs the handshake, de-chunks what the peer
// sends, answers the command flows of FMLE/OBS, ffmpeg/librtmp and Flash with the
// replies SRS sends them, and then either feeds a StreamSource (publish) or hands its socket
// to the worker's fan-out (play). Malformed input closes this connection only, with one
// warn line.

import type { Socket } from 'node:net';
import { registerActor, type Actor, type ActorContext, type ActorRef } from '../../runtime/index.ts';
import { isSluiceError, SluiceError } from '../../errors.ts';
import { ServerHandshake } from '../../net/rtmp/handshake.ts';
import { ChunkReader, type PayloadSink, type RtmpMessage } from '../../net/rtmp/chunk-reader.ts';
import { ChunkWriter } from '../../net/rtmp/chunk-writer.ts';
import * as pc from '../../net/rtmp/protocol-control.ts';
import * as cmd from '../../net/rtmp/commands.ts';
import { decodeSharedObject } from '../../net/rtmp/shared-object.ts';
import { parseTcUrl, resolveStream, streamKey, isSafeName, type StreamLocation, type TcUrl } from '../../net/rtmp/stream-url.ts';
import { resolveVhost, type ResolvedVhost } from '../worker/vhosts.ts';
import { securityAllows, referAllows, type AccessMethod } from '../worker/access-control.ts';
import type { WorkerServices } from '../worker/worker-services.ts';
import { newClientId, SERVER_VERSION } from '../worker/server-identity.ts';
import type { ClientInfo, ClientType } from '../worker/client-registry.ts';
import { RtmpPlayerSink, type PlayerSession } from '../stream/rtmp-player-sink.ts';
import type { SourceSpawnArgs, SourceStartRes, StreamSource } from '../stream/stream-source.ts';
import { MSG_AUDIO, MSG_VIDEO, MSG_DATA_AMF0 } from '../stream/media-flags.ts';
import { DIRECTORY_REF } from '../../runtime/index.ts';
import { ClientHooks } from '../hooks/hook-client.ts';
import { newStreamId } from '../stream/stream-source.ts';
import { DirectIngest } from '../stream/direct-ingest.ts';
import { forwardPlanFor } from '../relay/forwarder-plan.ts';
import { startBandcheck, type BandcheckPeer, type BandcheckRun } from './bandcheck.ts';
import { authorize, visibleParam } from '../../auth/authorize.ts';
import { urlWithoutToken } from '../../auth/token-query.ts';
import { clusterOn, remotePlayRefused } from '../relay/cluster-names.ts';

export interface SessionArgs {
  socket: Socket;
  services: WorkerServices;
}

export type SessionMsg =
  | { type: 'session/data'; data: Buffer }
  | { type: 'session/closed' }
  | { type: 'session/check' }
  | { type: 'session/kick' }
  | { type: 'session/stop-now' }
  | { type: 'sys/child-stopped'; child: ActorRef; reason: string };

const HANDSHAKE_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 30_000;
const OUR_WINDOW_ACK = 2_500_000;
const CHECK_INTERVAL_MS = 1000;
const SOURCE_END_GRACE_MS = 2000;
// Commands and metadata are small; a huge one is an attack on the AMF decoder's time.
const MAX_COMMAND_BYTES = 256 * 1024;
const CSID_CONNECTION = 3;
const CSID_STREAM = 5;
const STREAM_ID = 1;

type Role = 'none' | 'publish' | 'play';
/** A message kept for async handling; `decided`: a spilled media message's decision (DirectIngest). */
type QueuedMessage = RtmpMessage & { decided?: number };

export class RtmpSession implements Actor, PlayerSession {
  readonly id = newClientId();
  private readonly socket: Socket;
  private readonly ctx: ActorContext;
  private readonly services: WorkerServices;
  private readonly ip: string;
  private handshake: ServerHandshake | null = new ServerHandshake();
  private readonly reader = new ChunkReader();
  private readonly writer = new ChunkWriter();
  private tc: TcUrl | null = null;
  private tcUrl = '';
  private pageUrl = '';
  private swfUrl = '';
  private objectEncoding = 0;
  private fcPublished = false;
  private role: Role = 'none';
  private loc: StreamLocation | null = null;
  private vhost: ResolvedVhost | null = null;
  private source: ActorRef | null = null;
  /** The source itself (a child on this thread): media is handed to it by a plain call. */
  private sourceObject: StreamSource | null = null;
  private fanout: ActorRef | null = null;
  private readonly startedAt = Date.now();
  private lastInput = Date.now();
  private lastMedia = 0;
  private peerWindow = OUR_WINDOW_ACK;
  private ackedAt = 0;
  private sentBytesBase = 0;
  private closing = false;
  /** A source told to end, until it has. */
  private endingSource: ActorRef | null = null;
  /** The SRS bandwidth test, when this connection is one (it then owns the commands). */
  private bandcheck: BandcheckRun | null = null;
  private readonly hooks: ClientHooks;

  constructor(args: SessionArgs, ctx: ActorContext) {
    this.socket = args.socket;
    this.ctx = ctx;
    this.services = args.services;
    this.ip = args.socket.remoteAddress ?? '';
    this.hooks = new ClientHooks(this.id, this.ip, ctx.log, args.services);
    const self = ctx.self;
    this.socket.setNoDelay(true);
    this.socket.on('data', (data: Buffer) => ctx.tell(self, { type: 'session/data', data }));
    this.socket.on('close', () => ctx.tell(self, { type: 'session/closed' }));
    this.socket.on('error', () => {}); // 'close' follows; resets are ordinary here
    this.watchTimeouts();
    this.services.clients.register(this.id, { describe: () => this.describe(), kick: () => ctx.tell(self, { type: 'session/kick' }) });
  }

  async receive(msg: SessionMsg): Promise<void> {
    if (this.closing && msg.type !== 'session/closed' && msg.type !== 'sys/child-stopped' && msg.type !== 'session/stop-now') return;
    switch (msg.type) {
      case 'session/data':
        try {
          await this.onData(msg.data);
        } catch (err) {
          this.fail(err);
        }
        return;
      case 'session/closed':
        this.close(null);
        return;
      case 'session/check':
        this.checkTimeouts();
        return;
      case 'session/kick':
        this.close('kicked through the API', 'info');
        return;
      case 'sys/child-stopped':
        if (this.source && msg.child.id === this.source.id && msg.child.worker === this.source.worker) {
          this.source = null;
          this.sourceObject = null;
          this.direct.reset();
          if (msg.reason === 'error') this.close('the stream source failed');
        }
        if (this.endingSource && msg.child.id === this.endingSource.id && msg.child.worker === this.endingSource.worker) {
          this.endingSource = null;
          if (this.closing) this.ctx.stop();
        }
        return;
      case 'session/stop-now':
        this.ctx.stop();
        return;
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  // ---- input ----

  private async onData(data: Buffer): Promise<void> {
    this.lastInput = Date.now();
    let bytes: Uint8Array = data;
    if (this.handshake) {
      const step = this.handshake.push(bytes);
      if (step.send) this.socket.write(step.send);
      if (!step.done) return;
      this.handshake = null;
      if (!step.rest || step.rest.length === 0) return;
      bytes = step.rest;
    }
    // Media goes to the source synchronously as each message completes; anything else,
    // and everything after it in this read, waits its turn in order.
    this.reader.pushTo(bytes, this);
    this.maybeAck();
    const queued = this.queued;
    if (queued.length === 0) return;
    this.queued = [];
    for (const m of queued) {
      if (this.closing) return;
      await this.handleMessage(m);
    }
  }

  /** Messages of the current read that wait for async handling (commands and what follows them). */
  private queued: QueuedMessage[] = [];
  private readonly direct = new DirectIngest();

  /** ChunkHandler: called by the chunk reader for each message, during pushTo. */
  onMessage(csid: number, type: number, streamId: number, timestamp: number, payload: Uint8Array, from: number, to: number, resumed: boolean): void {
    const decided = resumed ? this.direct.takeDecision(csid) : undefined;
    if (this.queued.length === 0 && (type === MSG_AUDIO || type === MSG_VIDEO) && this.sourceObject) {
      this.lastMedia = Date.now();
      if (decided !== undefined) this.sourceObject.ingestDecided(type, decided, payload, from, to);
      else this.sourceObject.ingest(type, timestamp, payload, from, to);
      return;
    }
    this.queued.push({ csid, type, streamId, timestamp, payload: payload.slice(from, to), decided });
  }

  /** ChunkHandler: media arriving in pieces is stored as it comes, unless commands wait before it. */
  openMessage(csid: number, type: number, _streamId: number, timestamp: number, length: number, payload: Uint8Array, from: number, to: number): PayloadSink | null {
    if (this.queued.length !== 0 || (type !== MSG_AUDIO && type !== MSG_VIDEO) || !this.sourceObject) return null;
    this.lastMedia = Date.now();
    return this.direct.open(this.sourceObject, csid, type, timestamp, length, payload, from, to);
  }

  private maybeAck(): void {
    const received = this.reader.bytesReceived;
    if (received - this.ackedAt >= this.peerWindow) {
      this.ackedAt = received;
      this.socket.write(pc.acknowledgement(received % 0x100000000));
    }
  }

  private async handleMessage(m: QueuedMessage): Promise<void> {
    switch (m.type) {
      case MSG_AUDIO:
      case MSG_VIDEO:
        if (m.decided !== undefined) {
          if (this.role === 'publish') this.sourceObject?.ingestDecided(m.type, m.decided, m.payload, 0, m.payload.length);
          return;
        }
        this.onMedia(m.type, m.timestamp, m.payload);
        return;
      case MSG_DATA_AMF0:
      case pc.MessageType.DataAmf3:
        this.onDataMessage(m);
        return;
      case pc.MessageType.Aggregate:
        for (const part of pc.splitAggregate(m.payload, m.timestamp)) this.onMedia(part.type, part.timestamp, part.payload);
        return;
      case pc.MessageType.CommandAmf0:
      case pc.MessageType.CommandAmf3: {
        if (m.payload.length > MAX_COMMAND_BYTES) throw new SluiceError('RTMP_MESSAGE', `command of ${m.payload.length} bytes`);
        const c = cmd.decodeCommand(m.payload, m.type === pc.MessageType.CommandAmf3);
        await this.onCommand(c, m.streamId);
        return;
      }
      case pc.MessageType.UserControl: {
        const uc = pc.decodeUserControl(m.payload);
        if (uc.event === pc.UserControlEvent.PingRequest) this.socket.write(pc.pingResponse(uc.timestamp ?? 0));
        return;
      }
      case pc.MessageType.WindowAckSize: {
        const size = pc.decodeWindowAckSize(m.payload);
        if (size > 0) this.peerWindow = size;
        return;
      }
      case pc.MessageType.SharedObjectAmf0:
      case pc.MessageType.SharedObjectAmf3:
        decodeSharedObject(m.payload, m.type === pc.MessageType.SharedObjectAmf3);
        return; // parsed so malformed ones are refused; shared objects have no use here
      default:
        return; // Set Chunk Size / Abort (applied by the reader), Ack, Set Peer Bandwidth
    }
  }

  private onMedia(type: number, timestamp: number, payload: Uint8Array): void {
    if (this.role !== 'publish' || !this.sourceObject) return;
    if (type !== MSG_AUDIO && type !== MSG_VIDEO && type !== MSG_DATA_AMF0) return;
    this.lastMedia = Date.now();
    this.sourceObject!.ingest(type, timestamp, payload, 0, payload.length);
  }

  private onDataMessage(m: RtmpMessage): void {
    if (this.role !== 'publish') return;
    if (m.payload.length > MAX_COMMAND_BYTES) throw new SluiceError('RTMP_MESSAGE', `data message of ${m.payload.length} bytes`);
    // AMF3 data messages carry a format byte before AMF0 values.
    const payload = m.type === pc.MessageType.DataAmf3 ? m.payload.subarray(1) : m.payload;
    this.onMedia(MSG_DATA_AMF0, m.timestamp, payload);
  }

  // ---- commands ----

  private async onCommand(c: cmd.Command, streamId: number): Promise<void> {
    if (this.bandcheck) return this.bandcheck.onCommand(c.name);
    switch (c.name) {
      case 'connect':
        return this.onConnect(c);
      case 'releaseStream':
      case 'FCPublish':
        if (c.name === 'FCPublish') this.fcPublished = true;
        this.sendCommand(CSID_CONNECTION, 0, cmd.simpleResult(c.transactionId));
        return;
      case 'createStream':
        this.sendCommand(CSID_CONNECTION, 0, cmd.createStreamResult(c.transactionId, STREAM_ID));
        return;
      case 'publish':
        return this.onPublish(c, streamId);
      case 'play':
        return this.onPlay(c, String(c.args[0] ?? ''));
      case 'play2': {
        const params = c.args[0] as { streamName?: unknown } | undefined;
        return this.onPlay(c, String(params?.streamName ?? ''));
      }
      case 'pause':
        this.onPause(Boolean(c.args[0]));
        return;
      case 'FCUnpublish':
        this.onFCUnpublish(c);
        return;
      case 'deleteStream':
      case 'closeStream':
        this.endRole();
        if (c.transactionId > 0) this.sendCommand(CSID_CONNECTION, 0, cmd.simpleResult(c.transactionId, null));
        return;
      case 'getStreamLength':
        this.sendCommand(CSID_CONNECTION, 0, cmd.getStreamLengthResult(c.transactionId));
        return;
      case '_checkbw':
        this.sendCommand(CSID_CONNECTION, 0, cmd.checkBwResult(c.transactionId));
        return;
      default:
        // receiveAudio, FCSubscribe, onBWDone replies ...: answer what expects an answer.
        if (c.transactionId > 0 && c.name !== '_result' && c.name !== '_error') {
          this.sendCommand(CSID_CONNECTION, 0, cmd.simpleResult(c.transactionId, null));
        }
    }
  }

  private onConnect(c: cmd.Command): void {
    if (this.tc) throw protocolError('connect sent twice');
    const props = (c.command ?? {}) as Record<string, unknown>;
    const tcUrl = typeof props.tcUrl === 'string' ? props.tcUrl : '';
    const tc = tcUrl ? parseTcUrl(tcUrl) : null;
    if (!tc) throw protocolError(`connect without a usable tcUrl (${JSON.stringify(tcUrl)})`);
    this.tc = tc;
    this.pageUrl = typeof props.pageUrl === 'string' ? props.pageUrl : '';
    this.swfUrl = typeof props.swfUrl === 'string' ? props.swfUrl : '';
    this.objectEncoding = typeof props.objectEncoding === 'number' ? props.objectEncoding : 0;
    const vhost = resolveVhost(this.services.config, resolveStream(tc, '').vhost);
    // What hooks, the API and logs see; the token itself stays in this.tc for the check.
    this.tcUrl = vhost?.config.auth.enabled ? urlWithoutToken(tcUrl) : tcUrl;
    if (!vhost) {
      this.sendCommand(CSID_CONNECTION, 0, cmd.errorResult(c.transactionId, cmd.Status.ConnectRejected));
      this.close(`connect refused: no enabled vhost for ${tc.host}`, 'info');
      return;
    }
    if (vhost.config.bandcheck.enabled) {
      this.bandcheck = startBandcheck(this.bandcheckPeer(c.transactionId), vhost.config.bandcheck, tcUrl, this.services.bandcheckClock);
      return;
    }
    this.acceptConnect(c.transactionId);
    this.hooks.connected(vhost, resolveStream(tc, '').app, this.tcUrl, this.pageUrl);
  }

  private acceptConnect(transactionId: number): void {
    const chunkSize = this.services.config.chunk_size;
    this.socket.write(pc.windowAckSize(OUR_WINDOW_ACK));
    this.socket.write(pc.setPeerBandwidth(OUR_WINDOW_ACK, pc.LimitType.Dynamic));
    this.socket.write(pc.setChunkSize(chunkSize));
    this.writer.setChunkSize(chunkSize);
    this.sendCommand(CSID_CONNECTION, 0, cmd.connectResult(transactionId, {
      objectEncoding: this.objectEncoding,
      serverInfo: { version: SERVER_VERSION, pid: process.pid, id: this.id, ip: this.socket.localAddress ?? '' },
    }));
    this.sendCommand(CSID_CONNECTION, 0, cmd.onBWDone());
  }

  /** This connection, lent to the bandwidth test (see bandcheck.ts). */
  private bandcheckPeer(transactionId: number): BandcheckPeer {
    const socket = this.socket;
    return {
      isFlash: this.swfUrl !== '',
      acceptConnect: () => this.acceptConnect(transactionId),
      rejectConnect: (description) => this.sendCommand(CSID_CONNECTION, 0, cmd.errorResult(transactionId, { ...cmd.Status.ConnectRejected, description })),
      sendCommand: (payload) => socket.write(this.writer.encode({ csid: CSID_CONNECTION, type: pc.MessageType.CommandAmf0, streamId: 0, timestamp: 0, payload })),
      bytesSent: () => socket.bytesWritten,
      bytesReceived: () => this.reader.bytesReceived,
      pauseInput: () => socket.pause(),
      resumeInput: () => socket.resume(),
      end: (reason, level) => this.close(reason ?? 'bandcheck done', level ?? 'info'),
      info: (fields, msg) => this.ctx.log.info({ client: this.id, ip: this.ip, ...fields }, msg),
    };
  }

  /** Where a publish/play goes, or null (and the connection closed) when refused. */
  private async locate(name: string, method: AccessMethod): Promise<{ loc: StreamLocation; vhost: ResolvedVhost } | null> {
    if (!this.tc) throw protocolError('publish/play before connect');
    const loc = resolveStream(this.tc, name);
    if (!loc.stream) {
      this.close('empty stream name', 'info');
      return null;
    }
    if (!isSafeName(loc.app) || !isSafeName(loc.stream)) {
      // Names become file paths (HLS, DVR): none may climb out of its folder.
      this.close(`refused name ${JSON.stringify(`${loc.app}/${loc.stream}`)}`);
      return null;
    }
    const vhost = resolveVhost(this.services.config, loc.vhost);
    if (!vhost) {
      this.close(`no enabled vhost for ${loc.vhost}`, 'info');
      return null;
    }
    // The token first, then the IP rules, then (in the caller) the hooks.
    const verdict = await authorize(vhost.config.auth, method, loc, loc.param);
    if (this.closing) return null;
    if (!verdict.ok) {
      const status = method === 'publish' ? cmd.Status.PublishBadName : cmd.Status.PlayFailed;
      this.sendCommand(CSID_STREAM, STREAM_ID, cmd.onStatus({ ...status, description: `${method} refused: token ${verdict.reason}`, clientid: this.id }));
      this.close(`${method} of ${loc.app}/${loc.stream} refused: token ${verdict.reason}`, 'info');
      return null;
    }
    if (vhost.config.auth.enabled && this.tcUrl !== urlWithoutToken(this.tcUrl)) {
      // Connected through a vhost without auth, publishing into one with it (`?vhost=`).
      this.tcUrl = urlWithoutToken(this.tcUrl);
      this.hooks.useUrls(this.tcUrl, this.pageUrl);
    }
    if (!securityAllows(vhost.config.security, method, this.ip)) {
      this.close(`${method} denied by the security rules of ${vhost.name}`, 'info');
      return null;
    }
    if (!referAllows(vhost.config.refer, method, this.pageUrl)) {
      this.close(`${method} denied by the refer rules of ${vhost.name} (pageUrl ${JSON.stringify(this.pageUrl)})`, 'info');
      return null;
    }
    return { loc: { ...loc, vhost: vhost.name, param: visibleParam(vhost.config.auth, loc.param) }, vhost };
  }

  private async onPublish(c: cmd.Command, _streamId: number): Promise<void> {
    if (this.role !== 'none') throw protocolError(`publish while already in ${this.role}`);
    const where = await this.locate(String(c.args[0] ?? ''), 'publish');
    if (!where) return;
    const { loc, vhost } = where;
    this.socket.pause();
    try {
      // SRS's order: on_connect (only now that the client said publish), onFCPublish, on_publish,
      // then the source.
      if (!(await this.hooks.identified(loc, vhost))) return this.close('refused by the on_connect hook', 'info');
      if (this.fcPublished) this.sendCommand(CSID_STREAM, STREAM_ID, cmd.onFCPublish(cmd.Status.PublishStart.code, cmd.Status.PublishStart.description));
      const streamId = newStreamId();
      if (!(await this.hooks.publish(loc, vhost, streamId))) return this.close('refused by the on_publish hook', 'info');
      if (this.closing) return;
      const key = streamKey(loc);
      const args: SourceSpawnArgs = {
        streamId,
        key, vhost: loc.vhost, app: loc.app, stream: loc.stream, param: loc.param, tcUrl: this.tcUrl,
        publisher: { clientId: this.id, ip: this.ip, ref: this.ctx.self },
        gopCache: vhost.config.gop_cache, timeJitter: vhost.config.time_jitter, chunkSize: this.services.config.chunk_size, hls: vhost.config.hls,
        queueMs: vhost.config.queue_length * 1000,
        dvr: vhost.config.dvr, transcode: vhost.config.transcode,
        forward: forwardPlanFor(vhost.config, loc.param, key, this.ctx.log),
        claim: clusterOn(this.services.config) && vhost.config.cluster.mode !== 'remote', // an edge publish is its origin's to claim
        services: this.services,
      };
      const source = this.ctx.spawn('media/source', args);
      const res = await this.ctx.ask<SourceStartRes>(source, { type: 'source/start' });
      if (!res.ok) {
        this.ctx.stop(source);
        this.sendCommand(CSID_STREAM, STREAM_ID, cmd.onStatus({ ...cmd.Status.PublishBadName, clientid: this.id }));
        this.close(res.reason === 'memory' ? `media memory is full: publish of ${key} refused` : `stream ${key} is busy: publish refused`, 'info');
        return;
      }
      if (this.closing) {
        this.ctx.stop(source);
        return;
      }
      this.source = source;
      this.sourceObject = this.services.sources.objectOf(source);
      this.role = 'publish';
      this.loc = loc;
      this.vhost = vhost;
      this.lastMedia = 0;
      this.publishStartedAt = Date.now();
      this.hooks.published(loc, vhost, streamId);
      this.sendCommand(CSID_STREAM, STREAM_ID, cmd.onStatus({ ...cmd.Status.PublishStart, clientid: this.id }));
      this.ctx.log.info({ client: this.id, ip: this.ip, stream: key }, 'publish started');
    } finally {
      if (!this.closing) this.socket.resume();
    }
  }

  private publishStartedAt = 0;

  private async onPlay(_c: cmd.Command, name: string): Promise<void> {
    if (this.role === 'publish') throw protocolError('play while publishing');
    if (this.role === 'play') this.endRole();
    const where = await this.locate(name, 'play');
    if (!where) return;
    const { loc, vhost } = where;
    this.socket.pause();
    try {
      if (!(await this.hooks.identified(loc, vhost))) return this.close('refused by the on_connect hook', 'info');
      if (await remotePlayRefused(this.ctx, streamKey(loc), this.id, vhost.config.cluster.mode === 'remote', this.services.config)) {
        this.sendCommand(CSID_STREAM, STREAM_ID, cmd.onStatus({ ...cmd.Status.PlayStreamNotFound, details: loc.stream, clientid: this.id }));
        return this.close(null);
      }
      await this.startPlay(loc, vhost);
    } finally {
      if (!this.closing) this.socket.resume();
    }
  }

  private async startPlay(loc: StreamLocation, vhost: ResolvedVhost): Promise<void> {
    this.socket.write(pc.streamBegin(STREAM_ID));
    this.sendCommand(CSID_STREAM, STREAM_ID, cmd.onStatus({ ...cmd.Status.PlayReset, details: loc.stream, clientid: this.id }));
    this.sendCommand(CSID_STREAM, STREAM_ID, cmd.onStatus({ ...cmd.Status.PlayStart, details: loc.stream, clientid: this.id }));
    this.sendData(cmd.sampleAccess());
    // No NetStream.Data.Start: SRS 7 stopped sending it, and ffmpeg turns it into a
    // spurious data track.
    const lookupId = () => this.ctx.ask<{ entry: { streamId?: string } | null }>(DIRECTORY_REF, { type: 'dir/lookup', name: streamKey(loc) }).then((r) => r.entry?.streamId);
    if (!(await this.hooks.play(loc, vhost, lookupId))) return this.close('refused by the on_play hook', 'info');
    if (this.closing) return;
    this.role = 'play';
    this.loc = loc;
    this.vhost = vhost;
    this.unwatchTimeouts();
    const sink = new RtmpPlayerSink(this.id, this.socket, this, this.services.firstFrames);
    const key = streamKey(loc);
    const fanout = await this.ctx.ask<ActorRef>(this.services.hub, {
      type: 'hub/attach', key, sink, mwLatencyMs: vhost.config.mw_latency_ms, queueMs: vhost.config.queue_length * 1000,
    });
    if (this.closing || this.role !== 'play') {
      // The connection ended while the hub was attaching us: let go at once.
      this.ctx.tell(fanout, { type: 'fanout/detach', id: this.id });
      return;
    }
    this.fanout = fanout;
    this.ctx.log.info({ client: this.id, ip: this.ip, stream: key }, 'play started');
  }

  private onPause(paused: boolean): void {
    if (this.role !== 'play' || !this.fanout) return;
    this.ctx.tell(this.fanout, { type: 'fanout/pause', id: this.id, paused });
    if (paused) {
      this.sendCommand(CSID_STREAM, STREAM_ID, cmd.onStatus({ ...cmd.Status.PauseNotify, clientid: this.id }));
      this.socket.write(pc.streamEof(STREAM_ID));
    } else {
      this.sendCommand(CSID_STREAM, STREAM_ID, cmd.onStatus({ ...cmd.Status.UnpauseNotify, clientid: this.id }));
      this.socket.write(pc.streamBegin(STREAM_ID));
    }
  }

  private onFCUnpublish(c: cmd.Command): void {
    if (this.role === 'publish') this.endRole();
    this.sendCommand(CSID_STREAM, STREAM_ID, cmd.onFCUnpublish(cmd.Status.FCUnpublishSuccess.code, cmd.Status.FCUnpublishSuccess.description));
    this.sendCommand(CSID_STREAM, STREAM_ID, cmd.simpleResult(c.transactionId));
    this.sendCommand(CSID_STREAM, STREAM_ID, cmd.onStatus({ ...cmd.Status.UnpublishSuccess, clientid: this.id }));
  }

  /** Leave publish or play; the connection may publish or play again. */
  private endRole(): void {
    if (this.role === 'publish' && this.source) {
      this.ctx.log.info({ client: this.id, stream: this.loc && streamKey(this.loc) }, 'unpublished');
      // In order, after the media already told: stopping it outright would drop them.
      this.ctx.tell(this.source, { type: 'source/end' });
      this.endingSource = this.source;
      this.source = null;
      this.sourceObject = null;
      this.direct.reset();
    }
    if (this.role === 'play' && this.fanout) {
      this.ctx.tell(this.fanout, { type: 'fanout/detach', id: this.id });
      this.fanout = null;
    }
    this.role = 'none';
    this.fcPublished = false;
    this.hooks.roleEnded();
    this.lastInput = Date.now();
    this.watchTimeouts();
  }

  // ---- PlayerSession (called by the fan-out on this thread) ----

  useChunkSize(size: number): void {
    if (size === this.writer.chunkSize) return;
    this.socket.write(pc.setChunkSize(size));
    this.writer.setChunkSize(size);
  }

  unpublished(): void {
    if (this.closing) return;
    this.sendCommand(CSID_STREAM, STREAM_ID, cmd.onStatus({ ...cmd.Status.PlayUnpublishNotify, clientid: this.id }));
  }

  dropped(reason: string): void {
    this.hooks.roleEnded();
    this.fanout = null;
    this.role = 'none';
    this.close(reason);
  }

  // ---- output ----

  private sendCommand(csid: number, streamId: number, payload: Uint8Array): void {
    this.socket.write(this.writer.encode({ csid, type: pc.MessageType.CommandAmf0, streamId, timestamp: 0, payload }));
  }

  private sendData(payload: Uint8Array): void {
    this.socket.write(this.writer.encode({ csid: CSID_STREAM, type: MSG_DATA_AMF0, streamId: STREAM_ID, timestamp: 0, payload }));
  }

  // ---- lifetime ----

  // Timeouts concern connections that have not started, and publishers; a player has no
  // timer of its own (thousands of them would each wake every second for nothing).
  private cancelCheck: (() => void) | null = null;

  private watchTimeouts(): void {
    if (!this.cancelCheck && !this.closing) this.cancelCheck = this.ctx.every(CHECK_INTERVAL_MS, { type: 'session/check' });
  }

  private unwatchTimeouts(): void {
    this.cancelCheck?.();
    this.cancelCheck = null;
  }

  private checkTimeouts(): void {
    const now = Date.now();
    if (this.handshake && now - this.startedAt > HANDSHAKE_TIMEOUT_MS) {
      this.close('handshake timeout');
    } else if (this.role === 'none' && now - this.lastInput > IDLE_TIMEOUT_MS) {
      this.close('idle timeout: no publish or play');
    } else if (this.role === 'publish' && this.vhost) {
      const p = this.vhost.config.publish;
      if (!this.lastMedia && now - this.publishStartedAt > p.first_packet_timeout_ms) {
        this.close(`publisher sent no media within ${p.first_packet_timeout_ms} ms`);
      } else if (this.lastMedia && now - this.lastMedia > p.normal_timeout_ms) {
        this.close(`publisher sent no media for ${p.normal_timeout_ms} ms`);
      }
    }
  }

  private fail(err: unknown): void {
    const reason = isSluiceError(err) ? err.message : `internal error: ${String((err as Error)?.stack ?? err)}`;
    this.close(reason);
  }

  /** Ends the connection; a reason is logged once (warn unless said otherwise). */
  private close(reason: string | null, level: 'warn' | 'info' = 'warn'): void {
    if (reason && !this.closing) {
      this.ctx.log[level]({ client: this.id, ip: this.ip, reason }, 'rtmp connection closed');
    }
    if (!this.closing) {
      this.closing = true;
      this.endRole();
    }
    if (this.endingSource) {
      // The source is our child: stopping now would stop it before it took the media
      // still queued for it. Stop reading, and go once it has ended (or soon anyway).
      this.socket.pause();
      this.ctx.schedule(SOURCE_END_GRACE_MS, { type: 'session/stop-now' });
      return;
    }
    this.ctx.stop();
  }

  stopped(): void {
    this.bandcheck?.stop();
    if (!this.closing) {
      this.closing = true;
      this.endRole();
    }
    this.hooks.closed(this.socket.bytesWritten - this.sentBytesBase, this.reader.bytesReceived);
    this.services.clients.unregister(this.id);
    this.services.connections.closed();
    this.socket.destroy();
  }

  private describe(): ClientInfo {
    const loc = this.loc;
    const type: ClientType = this.role === 'publish' ? (this.fcPublished ? 'fmle-publish' : 'flash-publish') : this.role === 'play' ? 'rtmp-play' : 'rtmp-connect';
    return {
      id: this.id, ip: this.ip, vhost: loc?.vhost ?? '', app: loc?.app ?? this.tc?.app ?? '', stream: loc?.stream ?? '',
      param: loc?.param ?? '', tcUrl: this.tcUrl, pageUrl: this.pageUrl, swfUrl: this.swfUrl, type,
      publish: this.role === 'publish', alive: (Date.now() - this.startedAt) / 1000,
      sendBytes: this.socket.bytesWritten - this.sentBytesBase, recvBytes: this.reader.bytesReceived,
      streamKey: loc ? streamKey(loc) : '',
    };
  }
}

/** The peer broke the command flow's rules. */
function protocolError(detail: string): SluiceError {
  return new SluiceError('RTMP_COMMAND', detail);
}

registerActor('rtmp/session', (args: SessionArgs, ctx: ActorContext) => new RtmpSession(args, ctx));

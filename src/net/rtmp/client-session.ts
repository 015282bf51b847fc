// The client side of an RTMP connection, sans-I/O: methods return the bytes to send,
// push() takes what the server sent and returns bytes plus events. Forwarders and
// edges drive it over a socket (rtmp-client.ts). It follows ffmpeg's flow: replies are
// matched by transaction id (untracked ones are ignored), pings are answered,
// acknowledgements follow the server's window, Set Chunk Size is applied by the reader.
import { SluiceError } from '../../errors.ts';
import { ClientHandshake, type ClientHandshakeOptions } from './handshake.ts';
import { ChunkReader, type RtmpMessage } from './chunk-reader.ts';
import { ChunkWriter } from './chunk-writer.ts';
import * as pc from './protocol-control.ts';
import { decodeCommand, decodeData, encodeCommand, encodeData } from './commands.ts';
import type { AmfObject } from '../amf/amf-types.ts';
import { concatBytes, EMPTY, statusOf, type ClientEvent, type ClientState } from './client-events.ts';

export type { ClientEvent, ClientState, ClientStatusEvent } from './client-events.ts';

export interface ClientSessionOptions extends ClientHandshakeOptions {
  /** Outgoing chunk size, announced right after the handshake (default 4096, as ffmpeg). */
  chunkSize?: number;
  /** Window Acknowledgement Size we announce after connect (default 2500000). */
  windowAckSize?: number;
  /** Limits of the incoming chunk stream (see ChunkReader). */
  maxChunkStreams?: number;
  maxMessageSize?: number;
}

const CSID_CONNECTION = 3;
const CSID_AUDIO = 4;
const CSID_DATA = 5;
const CSID_VIDEO = 6;
const CSID_STREAM = 8;
const TYPE_AUDIO = 8;
const TYPE_VIDEO = 9;
const TYPE_DATA = 18;

/** A request waiting for its `_result`/`_error`. */
interface Pending {
  name: string;
}

export class ClientSession {
  state: ClientState = 'handshake';
  /** The message stream id createStream returned (0 until then). */
  streamId = 0;
  /** The server's Window Acknowledgement Size (0: none announced, no acks sent). */
  serverWindow = 0;
  /** Acknowledgements sent so far. */
  acksSent = 0;
  private readonly handshake: ClientHandshake;
  private readonly reader: ChunkReader;
  private readonly writer = new ChunkWriter();
  private readonly chunkSize: number;
  private readonly ourWindow: number;
  private readonly pending = new Map<number, Pending>();
  private nextTid = 1;
  private ackedAt = 0;
  /** Bytes produced before the handshake completed, sent once it has. */
  private queued: Uint8Array[] = [];
  /** What to do once the stream exists: publish or play this name. */
  private intent: { kind: 'publish' | 'play'; name: string } | null = null;
  private started = false;

  constructor(opts: ClientSessionOptions = {}) {
    this.handshake = new ClientHandshake(opts);
    this.reader = new ChunkReader({ maxChunkStreams: opts.maxChunkStreams, maxMessageSize: opts.maxMessageSize });
    this.chunkSize = opts.chunkSize ?? 4096;
    this.ourWindow = opts.windowAckSize ?? 2_500_000;
    this.writer.setChunkSize(128);
  }

  /** Total bytes received from the server. */
  get bytesReceived(): number {
    return this.reader.bytesReceived;
  }

  /** C0+C1: the first bytes to write. */
  start(): Uint8Array {
    this.started = true;
    return this.handshake.start();
  }

  /** Sends `connect` (transaction 1); `extra` adds or overrides command object properties. */
  connect(tcUrl: string, app: string, extra: AmfObject = {}): Uint8Array {
    if (this.state !== 'handshake' && this.state !== 'handshaken') {
      throw new SluiceError('RTMP_COMMAND', `connect in state ${this.state}`);
    }
    const props: AmfObject = {
      app,
      flashVer: 'FMLE/3.0 (compatible; Sluice)',
      tcUrl,
      fpad: false,
      capabilities: 15,
      audioCodecs: 4071,
      videoCodecs: 252,
      videoFunction: 1,
      objectEncoding: 0,
      ...extra,
    };
    const out = this.invoke(CSID_CONNECTION, 0, 'connect', props);
    if (this.state === 'handshaken') this.state = 'connecting';
    return this.emit(out, true);
  }

  /** FMLE-style publish: releaseStream, FCPublish, createStream, then publish on its result. */
  publish(streamName: string): Uint8Array {
    this.requireConnected('publish');
    this.intent = { kind: 'publish', name: streamName };
    this.state = 'creating';
    return this.emit(
      concatBytes([
        this.invoke(CSID_CONNECTION, 0, 'releaseStream', null, streamName),
        this.invoke(CSID_CONNECTION, 0, 'FCPublish', null, streamName),
        this.invoke(CSID_CONNECTION, 0, 'createStream', null),
      ]),
      false,
    );
  }

  /** createStream, then play (start -2000: live, as ffmpeg asks) on its result. */
  play(streamName: string): Uint8Array {
    this.requireConnected('play');
    this.intent = { kind: 'play', name: streamName };
    this.state = 'creating';
    return this.emit(this.invoke(CSID_CONNECTION, 0, 'createStream', null), false);
  }

  /** An audio (8), video (9) or AMF0 data (18) message on our stream. */
  sendMedia(type: number, timestamp: number, payload: Uint8Array): Uint8Array {
    if (this.state !== 'publishing') throw new SluiceError('RTMP_COMMAND', `media in state ${this.state}`);
    const csid = type === TYPE_AUDIO ? CSID_AUDIO : type === TYPE_VIDEO ? CSID_VIDEO : CSID_DATA;
    return this.writer.encode({ csid, type, streamId: this.streamId, timestamp, payload });
  }

  /** `@setDataFrame`-style data message, e.g. sendData(0, '@setDataFrame', 'onMetaData', meta). */
  sendData(timestamp: number, name: string, ...values: unknown[]): Uint8Array {
    return this.sendMedia(TYPE_DATA, timestamp, encodeData(name, ...values));
  }

  /** Any call on the connection (stream 0) or our stream; returns its transaction id in `tid`. */
  call(name: string, onStream: boolean, ...args: unknown[]): { bytes: Uint8Array; tid: number } {
    const tid = this.nextTid;
    const bytes = this.invoke(onStream ? CSID_STREAM : CSID_CONNECTION, onStream ? this.streamId : 0, name, null, ...args);
    return { bytes: this.emit(bytes, false), tid };
  }

  /** Leaves politely: FCUnpublish + deleteStream when publishing, deleteStream when playing. */
  close(): Uint8Array {
    const parts: Uint8Array[] = [];
    if (this.state === 'publishing' && this.intent) {
      parts.push(this.invoke(CSID_CONNECTION, 0, 'FCUnpublish', null, this.intent.name));
    }
    if (this.streamId !== 0 && this.state !== 'closed') {
      parts.push(this.notify(CSID_CONNECTION, 0, 'deleteStream', null, this.streamId));
    }
    const wasOpen = this.state !== 'handshake' && this.state !== 'closed';
    this.state = 'closed';
    return wasOpen ? concatBytes(parts) : EMPTY;
  }

  /** Feeds received bytes; returns what to write back and what happened, in order. */
  push(data: Uint8Array): { send: Uint8Array; events: ClientEvent[] } {
    const events: ClientEvent[] = [];
    const out: Uint8Array[] = [];
    if (this.state === 'closed') return { send: EMPTY, events };
    let bytes: Uint8Array | null = data;
    if (!this.handshake.done) {
      if (!this.started) throw new SluiceError('RTMP_HANDSHAKE', 'push() before start()');
      const step = this.handshake.push(data);
      if (step.send) out.push(step.send);
      if (!step.done) return { send: concatBytes(out), events };
      // Commands written before the handshake ended were encoded at 128 bytes a chunk:
      // they go out before the new size is announced.
      out.push(...this.queued);
      this.queued = [];
      out.push(pc.setChunkSize(this.chunkSize));
      this.writer.setChunkSize(this.chunkSize);
      if (this.state === 'handshake') this.state = 'handshaken';
      else if (this.state === 'connecting-early') this.state = 'connecting';
      events.push({ type: 'handshake', complex: this.handshake.serverDigestValid });
      bytes = step.rest;
    }
    if (bytes && bytes.length > 0) {
      for (const m of this.reader.push(bytes)) this.onMessage(m, out, events);
      this.maybeAck(out);
    }
    return { send: concatBytes(out), events };
  }

  // ---- incoming ----

  private onMessage(m: RtmpMessage, out: Uint8Array[], events: ClientEvent[]): void {
    switch (m.type) {
      case TYPE_AUDIO:
      case TYPE_VIDEO:
        events.push({ type: 'media', messageType: m.type, timestamp: m.timestamp, streamId: m.streamId, payload: m.payload });
        return;
      case pc.MessageType.Aggregate:
        for (const p of pc.splitAggregate(m.payload, m.timestamp, m.streamId)) {
          if (p.type === TYPE_AUDIO || p.type === TYPE_VIDEO) {
            events.push({ type: 'media', messageType: p.type, timestamp: p.timestamp, streamId: p.streamId, payload: p.payload });
          }
        }
        return;
      case TYPE_DATA:
      case pc.MessageType.DataAmf3:
        this.onData(m, events);
        return;
      case pc.MessageType.CommandAmf0:
      case pc.MessageType.CommandAmf3:
        this.onCommand(m, events);
        return;
      case pc.MessageType.UserControl: {
        const uc = pc.decodeUserControl(m.payload);
        if (uc.event === pc.UserControlEvent.PingRequest) out.push(pc.pingResponse(uc.timestamp ?? 0));
        events.push({ type: 'control', messageType: m.type, event: uc.event, value: uc.streamId ?? uc.timestamp ?? 0 });
        return;
      }
      case pc.MessageType.WindowAckSize: {
        const size = pc.decodeWindowAckSize(m.payload);
        this.serverWindow = size;
        events.push({ type: 'control', messageType: m.type, value: size });
        return;
      }
      case pc.MessageType.SetPeerBandwidth: {
        const bw = pc.decodeSetPeerBandwidth(m.payload);
        events.push({ type: 'control', messageType: m.type, value: bw.size, limitType: bw.limitType });
        return;
      }
      case pc.MessageType.SetChunkSize:
        events.push({ type: 'control', messageType: m.type, value: pc.decodeSetChunkSize(m.payload) });
        return;
      case pc.MessageType.Abort:
      case pc.MessageType.Acknowledgement:
        events.push({ type: 'control', messageType: m.type, value: pc.decodeAbort(m.payload) });
        return;
      default:
        return; // shared objects and unknown types: nothing a publisher or player needs
    }
  }

  private onData(m: RtmpMessage, events: ClientEvent[]): void {
    let name = '';
    let values: unknown[] = [];
    try {
      ({ name, values } = decodeData(m.payload, m.type === pc.MessageType.DataAmf3));
    } catch (err) {
      if (!(err instanceof SluiceError)) throw err;
      // ffmpeg's timecode message and other non-AMF data still reach the listener, unnamed.
    }
    events.push({ type: 'data', name, values, timestamp: m.timestamp, streamId: m.streamId, payload: m.payload });
  }

  private onCommand(m: RtmpMessage, events: ClientEvent[]): void {
    const c = decodeCommand(m.payload, m.type === pc.MessageType.CommandAmf3);
    events.push({ type: 'command', name: c.name, transactionId: c.transactionId, command: c.command, args: c.args, streamId: m.streamId });
    if (c.name === '_result' || c.name === '_error') {
      const req = this.pending.get(c.transactionId);
      if (req === undefined) return; // as ffmpeg: a reply nobody asked for is ignored
      this.pending.delete(c.transactionId);
      if (c.name === '_error') {
        events.push(statusOf('_error', m.streamId, c.args[0]));
        if (req.name === 'connect') this.state = 'closed';
        return;
      }
      this.onResult(req.name, c, events);
      return;
    }
    if (c.name === 'onStatus' || c.name === 'onFCPublish' || c.name === 'onFCUnpublish') {
      const s = statusOf(c.name, m.streamId, c.args[0]);
      events.push(s);
      if (c.name !== 'onStatus') return;
      if (s.code === 'NetStream.Publish.Start' && this.state === 'starting') this.state = 'publishing';
      else if (s.code === 'NetStream.Play.Start' && this.state === 'starting') this.state = 'playing';
    }
  }

  private onResult(request: string, c: { args: unknown[]; command: unknown }, events: ClientEvent[]): void {
    if (request === 'connect') {
      if (this.state !== 'connecting') return;
      this.state = 'connected';
      events.push({ type: 'connected', properties: c.command, info: c.args[0] });
      // ffmpeg announces its window once connected; servers count on it to pace acks.
      this.queued.push(pc.windowAckSize(this.ourWindow));
      return;
    }
    if (request === 'createStream' && this.state === 'creating' && this.intent) {
      const id = c.args[0];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
        throw new SluiceError('RTMP_COMMAND', `createStream result ${String(id)} is not a stream id`);
      }
      this.streamId = id;
      this.state = 'starting';
      events.push({ type: 'streamCreated', streamId: id });
      const { kind, name } = this.intent;
      this.queued.push(
        kind === 'publish'
          ? this.invoke(CSID_STREAM, id, 'publish', null, name, 'live')
          : this.invoke(CSID_STREAM, id, 'play', null, name, -2000),
      );
    }
  }

  private maybeAck(out: Uint8Array[]): void {
    // Replies produced while handling input (publish after createStream, our window).
    if (this.queued.length > 0) {
      out.push(...this.queued);
      this.queued = [];
    }
    if (this.serverWindow <= 0) return;
    const received = this.reader.bytesReceived;
    if (received - this.ackedAt >= this.serverWindow) {
      this.ackedAt = received;
      this.acksSent++;
      out.push(pc.acknowledgement(received % 0x100000000));
    }
  }

  // ---- outgoing ----

  private requireConnected(what: string): void {
    if (this.state !== 'connected') throw new SluiceError('RTMP_COMMAND', `${what} in state ${this.state}`);
  }

  /** A tracked call: its `_result` or `_error` is matched by transaction id. */
  private invoke(csid: number, streamId: number, name: string, command: unknown, ...args: unknown[]): Uint8Array {
    const tid = this.nextTid++;
    this.pending.set(tid, { name });
    return this.writer.encode({ csid, type: pc.MessageType.CommandAmf0, streamId, timestamp: 0, payload: encodeCommand(name, tid, command, ...args) });
  }

  /** A call that expects no reply (transaction 0). */
  private notify(csid: number, streamId: number, name: string, command: unknown, ...args: unknown[]): Uint8Array {
    return this.writer.encode({ csid, type: pc.MessageType.CommandAmf0, streamId, timestamp: 0, payload: encodeCommand(name, 0, command, ...args) });
  }

  /** Before the handshake completes, output waits; `connect` may be issued that early. */
  private emit(bytes: Uint8Array, isConnect: boolean): Uint8Array {
    if (this.handshake.done) return bytes;
    this.queued.push(bytes);
    if (isConnect) this.state = 'connecting-early';
    return EMPTY;
  }
}

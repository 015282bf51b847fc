// Dvr: records one live stream to FLV, a reader of the stream's FLV ring on the
// publisher's worker (a child of its StreamSource, like the HLS muxer). Plan `session`
// writes one file per publish; plan `segment` starts a new file every `duration`
// seconds, on a keyframe when `wait_keyframe`. Each file opens with the FLV header, an
// onMetaData whose duration and filesize are patched at close, and the sequence
// headers; tag times start at 0 per file. A closed file is reported with `on_dvr`.
// The bytes go to disk through the file-work pool (file-work.ts), keyed by the file, so a
// file's batches and its final patch land in order while this thread, which owns players'
// sockets, never waits on the disk; on_dvr fires once the patch is done. A write error
// (full disk, unwritable path) is logged once and stops this DVR only.

import { registerActor, poolFor, ChainReader, type Actor, type ActorContext, type BlockPool } from '../../runtime/index.ts';
import { PayloadScratch, type MediaChainHandle } from '../stream/media-chain.ts';
import type { DvrConfig } from '../../config/types.ts';
import { expandTemplate } from '../../config/template.ts';
import { normalizeMetadata } from '../../net/rtmp/commands.ts';
import type { AmfObject } from '../../net/amf/amf-types.ts';
import { FLV_TAG_HEADER_SIZE, FLV_PREVIOUS_TAG_SIZE } from '../../net/flv/flv-tag.ts';
import { FLAG_KEYFRAME, FLAG_METADATA, FLAG_SEQUENCE_HEADER, MSG_AUDIO, MSG_DATA_AMF0, MSG_VIDEO } from '../stream/media-flags.ts';
import { DvrFile } from './dvr-file.ts';
import { notifyDvr, type DvrSubject } from '../hooks/dvr-hook.ts';
import type { HookEnvironment } from '../hooks/hooks.ts';
import { fileWork } from '../files/file-work.ts';
import type { FileOp, FileWorkFailure } from '../files/file-ops.ts';

export interface DvrArgs extends DvrSubject {
  media: MediaChainHandle;
  config: DvrConfig;
  /** The worker's, for the on_dvr hook. */
  hooks: HookEnvironment;
}

export type DvrMsg = { type: 'dvr/tick' };

const TICK_MS = 100;

export class Dvr implements Actor {
  private readonly args: DvrArgs;
  private readonly ctx: ActorContext;
  private readonly reader: ChainReader;
  private readonly scratch = new PayloadScratch();
  /** Where a file's bytes wait for their batch to be written (dvr-file.ts). */
  private readonly blocks: BlockPool;
  private file: DvrFile | null = null;
  /** Ring timestamp of the current file's first frame. */
  private fileBase = 0;
  private meta: AmfObject | null = null;
  private videoHeader: Uint8Array | null = null;
  private audioHeader: Uint8Array | null = null;
  private hasVideo = false;
  private failed = false;
  private stopping = false;

  constructor(args: DvrArgs, ctx: ActorContext) {
    this.args = args;
    this.ctx = ctx;
    this.reader = new ChainReader(args.media.chain, { startAt: 'oldest', autoRelease: true });
    this.blocks = poolFor(args.media.chain.pool);
    ctx.every(TICK_MS, { type: 'dvr/tick' });
  }

  receive(msg: DvrMsg): unknown {
    if (msg.type === 'dvr/tick') this.guard(() => this.drain());
    return undefined;
  }

  /** Runs a step; any error stops the recording (not the stream). */
  private guard(step: () => void): void {
    if (this.failed) return;
    try {
      step();
    } catch (err) {
      this.fail({ path: this.file?.path ?? '', message: (err as Error).message });
    }
  }

  /** The recording stops (not the stream), logged once. */
  private fail(failure: FileWorkFailure): void {
    if (this.failed) return;
    this.failed = true;
    this.ctx.log.warn({ stream: `${this.args.app}/${this.args.stream}`, file: failure.path, err: failure.message }, 'dvr stopped: cannot write the recording');
    this.file?.discard();
    this.file = null;
    if (!this.stopping) this.ctx.stop();
  }

  /** Hands a file's ops to the file-work pool; then `done`, unless a write failed. */
  private write(path: string, ops: FileOp[], done?: () => void): void {
    if (ops.length === 0) return;
    void fileWork(path, ops, this.blocks).then((failure) => {
      if (failure) this.fail(failure);
      else done?.();
    });
  }

  private drain(): void {
    for (let rec = this.reader.next(); rec; rec = this.reader.next()) {
      const tag = this.scratch.readTag(this.reader, rec, this.args.media.chunkSize);
      if (!tag) break; // no longer in the chain: lapped, handled below
      if (rec.type === MSG_DATA_AMF0) {
        if (rec.flags & FLAG_METADATA) this.meta = normalizeMetadata(tag.subarray(FLV_TAG_HEADER_SIZE, tag.length - FLV_PREVIOUS_TAG_SIZE)) ?? this.meta;
        continue;
      }
      if (rec.type !== MSG_AUDIO && rec.type !== MSG_VIDEO) continue;
      if (rec.type === MSG_VIDEO) this.hasVideo = true;
      if (rec.flags & FLAG_SEQUENCE_HEADER) {
        this.onSequenceHeader(rec.type, tag);
        continue;
      }
      this.onFrame(rec.type, rec.timestamp, (rec.flags & FLAG_KEYFRAME) !== 0, tag);
    }
    if (this.reader.isLapped()) {
      this.ctx.log.warn({ stream: `${this.args.app}/${this.args.stream}` }, 'dvr fell behind what the stream keeps: skipping to the latest keyframe');
      this.reader.skipToLatestSync();
    }
    if (this.file) this.write(this.file.path, this.file.takeOps());
  }

  private onSequenceHeader(type: number, tag: Uint8Array): void {
    const current = type === MSG_VIDEO ? this.videoHeader : this.audioHeader;
    // a join-group repeat: the same header, stamped with the time of the keyframe it precedes
    if (current && Buffer.compare(current.subarray(FLV_TAG_HEADER_SIZE), tag.subarray(FLV_TAG_HEADER_SIZE)) === 0) return;
    const copy = Uint8Array.from(tag);
    if (type === MSG_VIDEO) this.videoHeader = copy;
    else this.audioHeader = copy;
    this.file?.writeTag(copy, 0, true);
  }

  private onFrame(type: number, ts: number, keyframe: boolean, tag: Uint8Array): void {
    const c = this.args.config;
    if (this.file && c.plan === 'segment') {
      const elapsed = this.file.empty ? 0 : ts - this.fileBase;
      // An audio-only stream has no keyframes: any frame may start a segment.
      const cutHere = !c.wait_keyframe || !this.hasVideo || (type === MSG_VIDEO && keyframe);
      if (elapsed >= c.duration * 1000 && cutHere) this.closeFile();
    }
    if (!this.file) this.openFile(ts);
    this.file!.writeTag(tag, ts, false);
  }

  private openFile(ts: number): void {
    const a = this.args;
    const path = expandTemplate(a.config.path, { vhost: a.vhost, app: a.app, stream: a.stream, timestamp: Date.now() });
    // Both flags, as SRS writes them: players treat them as hints only.
    const file = new DvrFile(path, this.meta, { audio: true, video: true }, this.blocks);
    this.file = file;
    this.fileBase = ts;
    if (this.videoHeader) file.writeTag(this.videoHeader, 0, true);
    if (this.audioHeader) file.writeTag(this.audioHeader, 0, true);
    this.ctx.log.info({ stream: `${a.app}/${a.stream}`, file: path, plan: a.config.plan }, 'dvr file opened');
  }

  private closeFile(): void {
    const file = this.file;
    if (!file) return;
    this.file = null;
    const { ops, info } = file.close();
    this.write(info.path, ops, () => {
      this.ctx.log.info({ stream: `${this.args.app}/${this.args.stream}`, ...info }, 'dvr file closed');
      notifyDvr(this.args, info.path, this.ctx.log, this.args.hooks);
    });
  }

  stopped(): void {
    this.stopping = true;
    this.guard(() => {
      this.drain();
      this.closeFile();
    });
    this.reader.close();
  }
}

registerActor('media/dvr', (args: DvrArgs, ctx: ActorContext) => new Dvr(args, ctx));

/** Starts recording a new stream when its vhost has DVR on (called by StreamSource.start). */
export function spawnDvr(ctx: ActorContext, config: DvrConfig | undefined, media: MediaChainHandle, subject: DvrSubject, hooks: HookEnvironment): void {
  if (!config?.enabled) return;
  const args: DvrArgs = { ...subject, media, config, hooks };
  ctx.spawn('media/dvr', args);
}

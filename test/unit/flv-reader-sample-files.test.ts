import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAacConfig } from '../../src/net/codec/aac.ts';
import { parseAudioTag } from '../../src/net/codec/audio-tag.ts';
import { parseAvcConfig } from '../../src/net/codec/avc.ts';
import { describeStream } from '../../src/net/codec/media-info.ts';
import { parseVideoTag } from '../../src/net/codec/video-tag.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import type { FlvTag } from '../../src/net/flv/flv-tag.ts';

const MEDIA = '/work/shared/media/';

function load(name: string): { tags: FlvTag[]; video: FlvTag[]; audio: FlvTag[]; script: FlvTag[] } {
  const file = readFlvFile(readFileSync(MEDIA + name));
  assert.deepEqual(file.header, { version: 1, audio: true, video: true, dataOffset: 9 });
  assert.equal(file.trailingBytes, 0);
  return {
    tags: file.tags,
    video: file.tags.filter((t) => t.type === 9),
    audio: file.tags.filter((t) => t.type === 8),
    script: file.tags.filter((t) => t.type === 18),
  };
}

const files = [
  {
    name: 'av-1mbps.flv',
    frames: 750,
    aacFrames: 1293,
    keyframes: 15,
    gopMs: 2000,
    avc: { profile: 77, profileName: 'Main', level: 31, levelName: '3.1', width: 1280, height: 720 },
    sampleRate: 44100,
    bframes: false,
  },
  {
    name: 'av-200kbps.flv',
    frames: 750,
    aacFrames: 1293,
    keyframes: 15,
    gopMs: 2000,
    avc: { profile: 66, profileName: 'Constrained Baseline', level: 30, levelName: '3', width: 640, height: 360 },
    sampleRate: 44100,
    bframes: false,
  },
  {
    name: 'av-bframes.flv',
    frames: 600,
    aacFrames: 939,
    keyframes: 10,
    gopMs: 2000,
    avc: { profile: 100, profileName: 'High', level: 31, levelName: '3.1', width: 854, height: 480 },
    sampleRate: 48000,
    bframes: true,
  },
];

for (const f of files) {
  test(`${f.name}: tag counts, sequence headers first, end of sequence last`, () => {
    const { tags, video, audio, script } = load(f.name);
    assert.equal(script.length, 1);
    assert.equal(tags[0]!.type, 18, 'onMetaData comes first');
    const vi = video.map((t) => parseVideoTag(t.data));
    const ai = audio.map((t) => parseAudioTag(t.data));
    assert.equal(vi.filter((v) => v.packetType === 1).length, f.frames);
    assert.equal(ai.filter((a) => a.packetType === 1).length, f.aacFrames);
    assert.ok(vi[0]!.sequenceHeader && vi[0]!.codec === 'H264' && vi[0]!.headerLength === 5);
    assert.ok(vi.at(-1)!.endOfSequence);
    assert.equal(vi.filter((v) => v.sequenceHeader).length, 1);
    assert.ok(ai[0]!.sequenceHeader && ai[0]!.codec === 'AAC' && ai[0]!.headerLength === 2);
    assert.ok(tags.every((t) => t.streamId === 0));
  });

  test(`${f.name}: AVC sequence header says ${f.avc.profileName} ${f.avc.levelName} ${f.avc.width}x${f.avc.height}`, () => {
    const { video } = load(f.name);
    const cfg = parseAvcConfig(video[0]!.data.subarray(5));
    assert.deepEqual(
      { profile: cfg.profile, profileName: cfg.profileName, level: cfg.level, levelName: cfg.levelName, width: cfg.width, height: cfg.height },
      f.avc,
    );
    assert.equal(cfg.nalLengthSize, 4);
    assert.equal(cfg.sps.length, 1);
    assert.equal(cfg.pps.length, 1);
    assert.equal(cfg.sps[0]![0]! & 0x1f, 7);
    assert.equal(cfg.pps[0]![0]! & 0x1f, 8);
  });

  test(`${f.name}: AAC LC ${f.sampleRate} Hz stereo`, () => {
    const { audio } = load(f.name);
    const asc = parseAacConfig(audio[0]!.data.subarray(2));
    assert.equal(asc.objectType, 2);
    assert.equal(asc.profileName, 'LC');
    assert.equal(asc.sampleRate, f.sampleRate);
    assert.equal(asc.channels, 2);
  });

  test(`${f.name}: ${f.keyframes} keyframes, one every 2 s`, () => {
    const { video } = load(f.name);
    const keys = video.filter((t) => parseVideoTag(t.data).keyframe).map((t) => t.timestamp);
    assert.equal(keys.length, f.keyframes);
    for (let i = 1; i < keys.length; i++) assert.equal(keys[i]! - keys[i - 1]!, f.gopMs);
  });

  test(`${f.name}: composition times are ${f.bframes ? 'non-zero' : 'all zero'}`, () => {
    const { video } = load(f.name);
    const cts = video.map((t) => parseVideoTag(t.data).compositionTime);
    if (f.bframes) {
      assert.ok(cts.filter((c) => c > 0).length > f.frames / 2);
      assert.ok(cts.every((c) => c >= 0 && c < 1000));
    } else {
      assert.ok(cts.every((c) => c === 0));
    }
  });

  test(`${f.name}: describeStream gives the API's video and audio objects`, () => {
    const { video, audio, script } = load(f.name);
    assert.ok(script.length > 0);
    const d = describeStream(video[0]!.data, audio[0]!.data);
    assert.deepEqual(d, {
      video: { codec: 'H264', profile: f.avc.profileName, level: f.avc.levelName, width: f.avc.width, height: f.avc.height },
      audio: { codec: 'AAC', sample_rate: f.sampleRate, channel: 2, profile: 'LC' },
    });
  });
}

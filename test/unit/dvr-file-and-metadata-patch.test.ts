import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildPatchableMetadata, encodeDouble, numberOffset } from '../../src/net/flv/flv-metadata-patch.ts';
import { DvrFile } from '../../src/actors/dvr/dvr-file.ts';
import { blockBytesOf, runFileOps, type PoolMemory } from '../../src/actors/files/file-ops.ts';
import { BlockPool, createBlockPool } from '../../src/runtime/block-pool.ts';
import { releaseBlockBytes } from '../../src/runtime/block-bytes.ts';
import { encodeTag } from '../../src/net/flv/flv-tag.ts';
import { readFlvFile } from '../../src/net/flv/flv-reader.ts';
import { normalizeMetadata } from '../../src/net/rtmp/commands.ts';
import { isSluiceError } from '../../src/errors.ts';

test('AMF0 doubles as bytes, both ways', () => {
  const table: [number, number[]][] = [
    [0, [0, 0, 0, 0, 0, 0, 0, 0]],
    [1, [0x3f, 0xf0, 0, 0, 0, 0, 0, 0]],
    [20.5, [0x40, 0x34, 0x80, 0, 0, 0, 0, 0]],
  ];
  for (const [value, bytes] of table) {
    assert.deepEqual([...encodeDouble(value)], bytes);
    assert.equal(new DataView(Uint8Array.from(bytes).buffer).getFloat64(0), value);
  }
});

test('metadata puts duration and filesize first, at offsets that patch in place', () => {
  const m = buildPatchableMetadata({ width: 1280, height: 720, duration: 99, encoder: 'x' });
  // "onMetaData" (13 bytes) + ECMA array header (5) + key "duration" (10) + number marker (1)
  assert.equal(m.durationOffset, 29);
  assert.equal(m.filesizeOffset, 29 + 8 + 10 + 1);
  const patched = Uint8Array.from(m.payload);
  patched.set(encodeDouble(12.5), m.durationOffset);
  patched.set(encodeDouble(4096), m.filesizeOffset);
  const meta = normalizeMetadata(patched)!;
  assert.deepEqual(Object.keys(meta), ['duration', 'filesize', 'width', 'height', 'encoder']);
  assert.equal(meta.duration, 12.5);
  assert.equal(meta.filesize, 4096);
  assert.equal(meta.width, 1280);
});

test('the patch offsets hold whatever else the metadata carries', () => {
  fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.double({ noNaN: true }), fc.string(), fc.boolean())), (props) => {
    const m = buildPatchableMetadata(props);
    const patched = Uint8Array.from(m.payload);
    patched.set(encodeDouble(7), m.durationOffset);
    patched.set(encodeDouble(8), m.filesizeOffset);
    const meta = normalizeMetadata(patched)!;
    assert.equal(meta.duration, 7);
    assert.equal(meta.filesize, 8);
  }));
});

test('numberOffset refuses metadata without the number', () => {
  assert.throws(() => numberOffset(new Uint8Array([2, 0, 1, 0x41]), 'duration'), (e) => isSluiceError(e, 'FLV_ENCODE'));
});

// Small blocks, so tags and batches run across block boundaries.
function smallPool(blocks = 1024): { pool: BlockPool; memory: PoolMemory } {
  const pool = new BlockPool(createBlockPool(4096, 4096 * blocks), 0);
  return { pool, memory: { data: pool.bytes, blockSize: pool.blockSize } };
}

/** Runs a batch as the file-work pool would, then gives its blocks back as file-work.ts does. */
function run(pool: BlockPool, memory: PoolMemory, ops: ReturnType<DvrFile['takeOps']>) {
  const failure = runFileOps(ops, memory);
  for (const bytes of blockBytesOf(ops)) releaseBlockBytes(pool, bytes);
  return failure;
}

test('a DVR file: header, patched metadata, sequence headers at 0, tags rebased to 0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dvr-unit-'));
  const { pool, memory } = smallPool();
  try {
    const path = join(dir, 'a/b/rec.flv');
    const f = new DvrFile(path, { width: 320 }, { audio: true, video: true }, pool);
    const avcHeader = encodeTag(9, 5000, Uint8Array.of(0x17, 0, 0, 0, 0, 1, 2, 3));
    f.writeTag(avcHeader, 0, true);
    f.writeTag(encodeTag(9, 5000, Uint8Array.of(0x17, 1, 0, 0, 0, 9)), 5000, false);
    f.writeTag(encodeTag(8, 5010, Uint8Array.of(0xaf, 1, 7)), 5010, false);
    // a batch of its own, as the DVR tick hands it out
    assert.equal(run(pool, memory, f.takeOps()), null);
    // a tag over many blocks, its payload a pattern that must arrive whole
    const big = new Uint8Array(1.5 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    big[0] = 0x27;
    big[1] = 1;
    f.writeTag(encodeTag(9, 7500, big), 7500, false);
    const { ops, info } = f.close();
    assert.equal(run(pool, memory, ops), null);
    assert.equal(pool.inUse, 0, 'every block back once the batches are written');
    assert.equal(info.duration, 2.5);
    assert.equal(info.size, statSync(path).size);
    const file = readFlvFile(new Uint8Array(readFileSync(path)), { maxTagSize: 4 * 1024 * 1024 });
    assert.deepEqual(file.header, { version: 1, audio: true, video: true, dataOffset: 9 });
    assert.deepEqual(file.tags.map((t) => [t.type, t.timestamp]), [[18, 0], [9, 0], [9, 0], [8, 10], [9, 2500]]);
    const meta = normalizeMetadata(file.tags[0]!.data)!;
    assert.equal(meta.duration, 2.5);
    assert.equal(meta.filesize, info.size);
    assert.equal(meta.width, 320);
    assert.equal(file.trailingBytes, 0);
    assert.deepEqual(file.tags[4]!.data, big);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a DVR file that cannot be created fails with its path (the Dvr stops recording)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dvr-unit-'));
  try {
    // A file where a folder should be: mkdir fails with ENOTDIR.
    writeFileSync(join(dir, 'blocker'), '');
    const path = join(dir, 'blocker/live/x.flv');
    const { pool, memory } = smallPool();
    const failure = run(pool, memory, new DvrFile(path, null, { audio: true, video: true }, pool).takeOps());
    assert.equal(failure?.path, path);
    assert.match(failure?.message ?? '', /ENOTDIR|EEXIST/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a DVR file the media pool has no room for throws DVR_MEMORY and keeps no block', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dvr-unit-'));
  const { pool } = smallPool(4);
  try {
    const f = new DvrFile(join(dir, 'x.flv'), null, { audio: true, video: true }, pool);
    assert.throws(() => f.writeTag(encodeTag(9, 0, new Uint8Array(5 * 4096)), 0, false), (e) => isSluiceError(e, 'DVR_MEMORY'));
    f.discard();
    assert.equal(pool.inUse, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFileOps } from '../../src/actors/files/file-ops.ts';

function inTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'file-ops-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('write makes the folders and leaves no temporary file; write-at creates, then patches in place', () => {
  inTempDir((dir) => {
    const seg = join(dir, 'a/b/seg-0.ts');
    const rec = join(dir, 'dvr/rec.flv');
    assert.equal(runFileOps([
      { op: 'write', path: seg, data: Uint8Array.of(1, 2, 3) },
      { op: 'write-at', path: rec, at: 0, data: Uint8Array.of(9, 9, 9, 9), create: true },
      { op: 'write-at', path: rec, at: 4, data: Uint8Array.of(5, 6) },
      { op: 'write-at', path: rec, at: 1, data: Uint8Array.of(0) },
    ]), null);
    assert.deepEqual([...readFileSync(seg)], [1, 2, 3]);
    assert.equal(existsSync(`${seg}.tmp`), false);
    assert.deepEqual([...readFileSync(rec)], [9, 0, 9, 9, 5, 6]);
  });
});

test('the first failure ends the job and names its path: a playlist is not written after its segment failed', () => {
  inTempDir((dir) => {
    writeFileSync(join(dir, 'blocker'), '');
    const seg = join(dir, 'blocker/seg-0.ts');
    const m3u8 = join(dir, 'live.m3u8');
    const failure = runFileOps([{ op: 'write', path: seg, data: 'x' }, { op: 'write', path: m3u8, data: '#EXTM3U\n' }]);
    assert.equal(failure?.path, seg);
    assert.match(failure?.message ?? '', /ENOTDIR|EEXIST/);
    assert.equal(existsSync(m3u8), false);
  });
});

test('dispose removes the files only while the playlist is still the one the stream left', () => {
  inTempDir((dir) => {
    const m3u8 = join(dir, 'live.m3u8');
    const seg = join(dir, 'seg-0.ts');
    writeFileSync(seg, 'x');
    writeFileSync(m3u8, 'republished');
    assert.equal(runFileOps([{ op: 'dispose', playlist: m3u8, text: 'ended', files: [seg] }]), null);
    assert.ok(existsSync(seg) && existsSync(m3u8), 'a republish owns them');
    writeFileSync(m3u8, 'ended');
    assert.equal(runFileOps([{ op: 'dispose', playlist: m3u8, text: 'ended', files: [seg] }]), null);
    assert.ok(!existsSync(seg) && !existsSync(m3u8), 'removed');
  });
});

test('remove takes a whole folder, and a path already gone is fine', () => {
  inTempDir((dir) => {
    writeFileSync(join(dir, 'x'), 'x');
    assert.equal(runFileOps([{ op: 'remove', path: dir }, { op: 'remove', path: join(dir, 'never') }]), null);
    assert.equal(existsSync(dir), false);
  });
});

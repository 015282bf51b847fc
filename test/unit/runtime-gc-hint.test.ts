import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestCollection } from '../../src/runtime/gc-hint.ts';

const rssMb = () => process.memoryUsage().rss / 1e6;

test('requestCollection gives dropped SharedArrayBuffers back to the OS soon after', async () => {
  let rings: SharedArrayBuffer[] | null = [];
  for (let i = 0; i < 8; i++) {
    const sab = new SharedArrayBuffer(8 << 20);
    new Uint8Array(sab).fill(1);
    rings.push(sab);
  }
  const held = rssMb();
  rings = null;
  requestCollection();
  requestCollection(); // coalesced with the first
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(held - rssMb() > 40, `RSS ${held.toFixed(0)} MB -> ${rssMb().toFixed(0)} MB after the collection`);
});

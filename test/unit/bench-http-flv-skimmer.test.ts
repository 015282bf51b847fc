// The bench load client's HTTP-FLV skimmer: response head, chunked framing and FLV tag
// headers, from bytes to (type, timestamp, size), however the bytes are cut.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HttpFlvSkimmer, type FlvSkimmerOwner } from '../../bench/load-client/http-flv-skimmer.ts';

interface Seen {
  status: number;
  tags: [number, number, number][];
  ended: boolean;
  error: string;
}

class Recorder implements FlvSkimmerOwner {
  status = 0;
  tags: [number, number, number][] = [];
  ended = false;
  onHead(status: number): void {
    this.status = status;
  }
  onTag(type: number, ts: number, size: number): void {
    this.tags.push([type, ts, size]);
  }
  onEnd(): void {
    this.ended = true;
  }
}

/** Feeds the bytes in pieces cut at `cuts` (sorted offsets). */
function skim(bytes: Buffer, cuts: number[] = []): Seen {
  const r = new Recorder();
  const s = new HttpFlvSkimmer(r);
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    // Each piece sits at a different offset of a larger buffer, as reads do.
    const read = Buffer.alloc(c - from + 7, 0xee);
    bytes.copy(read, 3, from, c);
    s.push(read, 3, 3 + c - from);
    from = c;
  }
  return { status: r.status, tags: r.tags, ended: r.ended, error: s.error };
}

function tag(type: number, ts: number, body: number[]): Buffer {
  const b = Buffer.alloc(11 + body.length + 4);
  b[0] = type;
  b.writeUIntBE(body.length, 1, 3);
  b.writeUIntBE(ts & 0xffffff, 4, 3);
  b[7] = Math.floor(ts / 0x1000000) & 0xff;
  Buffer.from(body).copy(b, 11);
  b.writeUInt32BE(11 + body.length, 11 + body.length);
  return b;
}

const FLV_HEADER = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n';

/** The FLV body cut into HTTP chunks of the given sizes (the rest in one chunk), then the last chunk. */
function chunked(flv: Buffer, sizes: number[], ext = ''): Buffer {
  const parts: Buffer[] = [Buffer.from(HEAD, 'latin1')];
  let o = 0;
  for (const n of [...sizes, flv.length]) {
    const take = Math.min(n, flv.length - o);
    if (take <= 0) continue;
    parts.push(Buffer.from(`${take.toString(16)}${ext}\r\n`), flv.subarray(o, o + take), Buffer.from('\r\n'));
    o += take;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

const FLV = Buffer.concat([
  FLV_HEADER,
  tag(18, 0, [2, 0, 10, 111, 110, 77, 101, 116, 97, 68, 97, 116, 97]),
  tag(9, 0, [0x17, 0, 0, 0, 0, 1, 2, 3]),
  tag(8, 0, [0xaf, 0, 0x12, 0x10]),
  tag(9, 40, [0x17, 1, 0, 0, 0, ...new Array<number>(300).fill(7)]),
  tag(8, 23, [0xaf, 1, 9, 9, 9]),
  tag(9, 0x12345678, [0x27, 1, 0, 0, 0]),
]);
const EXPECTED: [number, number, number][] = [[18, 0, 13], [9, 0, 8], [8, 0, 4], [9, 40, 305], [8, 23, 5], [9, 0x12345678, 5]];

test('a chunked HTTP-FLV response gives its status, every tag (type, timestamp with its high byte, size) and its end', () => {
  for (const sizes of [[], [13], [5, 11, 20], [1, 1, 1, 2, 3, 5, 8], [1000]]) {
    assert.deepEqual(skim(chunked(FLV, sizes)), { status: 200, tags: EXPECTED, ended: true, error: '' }, `chunks ${sizes.join(',')}`);
  }
});

test('chunk extensions and upper-case hex sizes are accepted', () => {
  const bytes = chunked(FLV, [255, 16], ';name=value');
  assert.deepEqual(skim(bytes).tags, EXPECTED);
  const upper = Buffer.from(bytes.toString('latin1').replace('ff;', 'FF;'), 'latin1');
  assert.deepEqual(skim(upper).tags, EXPECTED);
});

test('the same tags when the bytes come one at a time or cut at every offset', () => {
  const bytes = chunked(FLV, [7, 30, 3]);
  const oneByOne = skim(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1));
  assert.deepEqual(oneByOne, { status: 200, tags: EXPECTED, ended: true, error: '' });
  for (let c = 1; c < bytes.length; c++) assert.deepEqual(skim(bytes, [c]).tags, EXPECTED, `cut at ${c}`);
});

test('a response without chunked framing is read as plain FLV until the close', () => {
  const head = 'HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nConnection: close\r\n\r\n';
  const bytes = Buffer.concat([Buffer.from(head), FLV]);
  assert.deepEqual(skim(bytes, [50, 51, 100]), { status: 200, tags: EXPECTED, ended: false, error: '' });
});

test('broken responses set an error instead of throwing', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['404', Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'), /HTTP 404/],
    ['not HTTP', Buffer.from('RTMP\r\n\r\n'), /not an HTTP/],
    ['bad size', Buffer.from(`${HEAD}zz\r\n`), /bad chunk size byte/],
    ['empty size', Buffer.from(`${HEAD}\r\n`), /bad chunk size line/],
    ['no CRLF after data', Buffer.concat([Buffer.from(`${HEAD}d\r\n`), FLV_HEADER, Buffer.from('xx')]), /not followed by CRLF/],
    ['bad tag type', chunked(Buffer.concat([FLV_HEADER, Buffer.alloc(15, 0x41)]), []), /bad FLV tag type 65/],
    ['head too long', Buffer.from(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(9000)}\r\n\r\n`), /head too long/],
  ];
  for (const [name, bytes, err] of cases) assert.match(skim(bytes).error, err, name);
});

test('any FLV tags in any chunking and any read cuts give the same tags (property)', () => {
  const tagArb = fc.record({ type: fc.constantFrom(8, 9, 18), ts: fc.integer({ min: 0, max: 2 ** 32 - 1 }), size: fc.integer({ min: 0, max: 600 }) });
  fc.assert(
    fc.property(fc.array(tagArb, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 8 }), (tags, sizes, cutSeeds) => {
      const flv = Buffer.concat([FLV_HEADER, ...tags.map((t) => tag(t.type, t.ts, new Array<number>(t.size).fill(t.type)))]);
      const bytes = chunked(flv, sizes);
      const cuts = [...new Set(cutSeeds.map((s) => 1 + (s % (bytes.length - 1))))].sort((a, b) => a - b);
      const seen = skim(bytes, cuts);
      assert.equal(seen.error, '');
      assert.equal(seen.ended, true);
      assert.deepEqual(seen.tags, tags.map((t) => [t.type, t.ts, t.size]));
    }),
  );
});

test('random bytes after a 200 head either parse or set an error, never throw (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (body, isChunked) => {
      const head = isChunked ? HEAD : 'HTTP/1.1 200 OK\r\n\r\n';
      const r = new Recorder();
      const s = new HttpFlvSkimmer(r);
      s.push(Buffer.concat([Buffer.from(head), body]), 0, head.length + body.length);
      assert.equal(typeof s.error, 'string');
    }),
  );
});

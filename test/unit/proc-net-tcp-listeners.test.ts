import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseProcNetTcp, canonicalAddress, addressesOverlap, ANY_V4, ANY_V6, TCP_LISTEN } from '../../src/process/proc-net-tcp.ts';

// Lines as Linux prints them on a little-endian machine (x86, arm64).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:079B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40123 1 0000000000000000 100 0 0 10 0
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 40124 1 0000000000000000 100 0 0 10 0
   2: 0100007F:079B 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 40999 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:07C1 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 51000 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:07C1 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 51001 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:079B 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 51002 1 0000000000000000 100 0 0 10 0
`;

test('parseProcNetTcp: address, port, state and inode of each socket line (IPv4)', () => {
  assert.deepEqual(parseProcNetTcp(TCP, true), [
    { address: '127.0.0.1', port: 1947, state: TCP_LISTEN, inode: 40123 },
    { address: '0.0.0.0', port: 8080, state: TCP_LISTEN, inode: 40124 },
    { address: '127.0.0.1', port: 1947, state: 1, inode: 40999 },
  ]);
});

test('parseProcNetTcp: IPv6 words in machine order; v4-mapped addresses read as IPv4', () => {
  assert.deepEqual(parseProcNetTcp(TCP6, true), [
    { address: ANY_V6, port: 1985, state: TCP_LISTEN, inode: 51000 },
    { address: '0000:0000:0000:0000:0000:0000:0000:0001', port: 1985, state: TCP_LISTEN, inode: 51001 },
    { address: '127.0.0.1', port: 1947, state: TCP_LISTEN, inode: 51002 },
  ]);
  // A big-endian machine prints the same address with its bytes in order.
  assert.equal(parseProcNetTcp('   0: 7F000001:079B 00000000:0000 0A 0:0 0:0 0 0 0 77', false)[0]?.address, '127.0.0.1');
});

test('parseProcNetTcp skips what it cannot read, and never throws', () => {
  assert.deepEqual(parseProcNetTcp('', true), []);
  assert.deepEqual(parseProcNetTcp('garbage\n  0: zz:yy', true), []);
  fc.assert(fc.property(fc.string(), (s) => Array.isArray(parseProcNetTcp(s, true))));
});

test('canonicalAddress writes config hosts as the parser does', () => {
  const table: [string, string | null][] = [
    ['127.0.0.1', '127.0.0.1'],
    ['0.0.0.0', ANY_V4],
    ['::', ANY_V6],
    ['[::1]', '0000:0000:0000:0000:0000:0000:0000:0001'],
    ['fe80::1:2', 'fe80:0000:0000:0000:0000:0000:0001:0002'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['localhost', null],
    ['1::2::3', null],
  ];
  for (const [host, want] of table) assert.equal(canonicalAddress(host), want, host);
});

test('addressesOverlap: equal, or covered by a wildcard', () => {
  const table: [string | null, string | null, boolean][] = [
    ['127.0.0.1', '127.0.0.1', true],
    ['127.0.0.1', '127.0.0.2', false],
    [ANY_V4, '127.0.0.1', true],
    ['10.0.0.5', ANY_V4, true],
    [ANY_V4, '0000:0000:0000:0000:0000:0000:0000:0001', false],
    [ANY_V6, '127.0.0.1', true],
    [null, '127.0.0.1', true],
  ];
  for (const [a, b, want] of table) assert.equal(addressesOverlap(a, b), want, `${a} ${b}`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipMatches, securityAllows, referAllows } from '../../src/actors/worker/access-control.ts';
import type { SecurityConfig, ReferConfig } from '../../src/config/types.ts';

test('ipMatches: addresses, CIDR blocks, all, IPv4-mapped IPv6', () => {
  const cases: [string, string, boolean][] = [
    ['all', '10.0.0.1', true],
    ['127.0.0.1', '127.0.0.1', true],
    ['127.0.0.1', '127.0.0.2', false],
    ['10.0.0.0/8', '10.200.3.4', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.168.1.128/25', '192.168.1.200', true],
    ['192.168.1.128/25', '192.168.1.100', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['127.0.0.1', '::ffff:127.0.0.1', true],
    ['::1', '::1', true],
    ['fd00::/8', 'fd12:3456::1', true],
    ['fd00::/8', 'fe80::1', false],
    ['10.0.0.0/8', '::1', false],
  ];
  for (const [from, ip, want] of cases) assert.equal(ipMatches(from, ip), want, `${from} vs ${ip}`);
});

test('security: the first matching rule wins, none matching allows, method filters', () => {
  const sec: SecurityConfig = {
    enabled: true,
    rules: [
      { action: 'allow', method: 'publish', from: '127.0.0.1' },
      { action: 'deny', method: 'publish', from: 'all' },
      { action: 'deny', method: 'play', from: '10.0.0.0/8' },
    ],
  };
  assert.equal(securityAllows(sec, 'publish', '127.0.0.1'), true);
  assert.equal(securityAllows(sec, 'publish', '192.0.2.1'), false);
  assert.equal(securityAllows(sec, 'play', '10.1.1.1'), false);
  assert.equal(securityAllows(sec, 'play', '192.0.2.1'), true);
  assert.equal(securityAllows({ ...sec, enabled: false }, 'publish', '192.0.2.1'), true);
});

test('refer: pageUrl domains for all and per method', () => {
  const refer: ReferConfig = { enabled: true, all: [], publish: ['example.com'], play: ['player.example.org'] };
  assert.equal(referAllows(refer, 'publish', 'http://example.com/page'), true);
  assert.equal(referAllows(refer, 'publish', 'https://www.example.com/page'), true);
  assert.equal(referAllows(refer, 'publish', 'https://evil-example.com/'), false);
  assert.equal(referAllows(refer, 'publish', ''), false);
  assert.equal(referAllows(refer, 'play', 'https://player.example.org/x'), true);
  assert.equal(referAllows(refer, 'play', 'https://example.com/x'), false);
  assert.equal(referAllows({ ...refer, enabled: false }, 'play', ''), true);
  assert.equal(referAllows({ enabled: true, all: ['a.test'], publish: [], play: [] }, 'play', 'http://a.test/'), true);
  assert.equal(referAllows({ enabled: true, all: ['a.test'], publish: [], play: [] }, 'play', 'http://b.test/'), false);
});

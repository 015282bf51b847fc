import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandTemplate } from '../../src/config/template.ts';
import { TRANSCODE_OUTPUT } from '../../src/config/schema.ts';

const live = { vhost: 'live.example.com', app: 'live', stream: 'cam1' };
const dflt = { vhost: '__defaultVhost__', app: 'live', stream: 'cam1' };

test('template table', () => {
  const table: [string, Parameters<typeof expandTemplate>[1], string][] = [
    ['[app]/[stream].m3u8', live, 'live/cam1.m3u8'],
    ['[app]/[stream]-[seq].ts', { ...live, seq: 7 }, 'live/cam1-7.ts'],
    ['./objs/dvr/[app]/[stream].[timestamp].flv', { ...live, timestamp: 1700000000123 }, './objs/dvr/live/cam1.1700000000123.flv'],
    [TRANSCODE_OUTPUT, { ...live, port: 1935, engine: 'hd' }, 'rtmp://127.0.0.1:1935/live?vhost=live.example.com/cam1_hd'],
    ['[vhost]/[app]/[stream].flv', live, 'live.example.com/live/cam1.flv'],
    ['[stream]-[stream]', live, 'cam1-cam1'],
    ['[app]/[stream]-[seq].ts', live, 'live/cam1-[seq].ts'],
    ['[unknown]/[app]', live, '[unknown]/live'],
    ['[vhost]/[app]/[stream].flv', dflt, '__defaultVhost__/live/cam1.flv'],
  ];
  for (const [template, vars, expected] of table) assert.equal(expandTemplate(template, vars), expected, template);
});

test('in a mount, [vhost]/ is dropped for the default vhost only', () => {
  const mount = '[vhost]/[app]/[stream].flv';
  assert.equal(expandTemplate(mount, dflt, { dropDefaultVhost: true }), 'live/cam1.flv');
  assert.equal(expandTemplate(`/${mount}`, dflt, { dropDefaultVhost: true }), '/live/cam1.flv');
  assert.equal(expandTemplate(mount, live, { dropDefaultVhost: true }), 'live.example.com/live/cam1.flv');
});

test('values are inserted literally, never re-expanded', () => {
  assert.equal(expandTemplate('[app]/[stream]', { vhost: 'v', app: '[stream]', stream: 's' }), '[stream]/s');
});

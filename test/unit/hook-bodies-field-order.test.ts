// The hook bodies against the ones SRS 7 was seen to send, compared as JSON strings
// so that field order counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  connectBody, closeBody, publishBody, playBody, stopBody, dvrBody, hlsBody, type HookSubject,
} from '../../src/net/hooks/hook-bodies.ts';

const id = { serverId: 'vid-m2i766t', serviceId: '66g7kpl1' };
const pub: HookSubject = {
  clientId: '882548ir', ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live', stream: 'hk', param: '?token=abc',
  tcUrl: 'rtmp://127.0.0.1:19350/live', pageUrl: '', streamUrl: '/live/hk', streamId: 'vid-9902b4g',
};
const player: HookSubject = { ...pub, clientId: '390m1t08', param: '?ptoken=xyz' };

const table: { name: string; body: object; json: string }[] = [
  {
    name: 'on_connect',
    body: connectBody(id, pub),
    json: '{"server_id":"vid-m2i766t","service_id":"66g7kpl1","action":"on_connect","client_id":"882548ir","ip":"127.0.0.1","vhost":"__defaultVhost__","app":"live","stream":"hk","param":"?token=abc","tcUrl":"rtmp://127.0.0.1:19350/live","pageUrl":""}',
  },
  {
    name: 'on_close',
    body: closeBody(id, player, 507656, 3497),
    json: '{"server_id":"vid-m2i766t","service_id":"66g7kpl1","action":"on_close","client_id":"390m1t08","ip":"127.0.0.1","vhost":"__defaultVhost__","app":"live","send_bytes":507656,"recv_bytes":3497}',
  },
  {
    name: 'on_publish',
    body: publishBody(id, 'on_publish', pub),
    json: '{"server_id":"vid-m2i766t","service_id":"66g7kpl1","action":"on_publish","client_id":"882548ir","ip":"127.0.0.1","vhost":"__defaultVhost__","app":"live","tcUrl":"rtmp://127.0.0.1:19350/live","stream":"hk","param":"?token=abc","stream_url":"/live/hk","stream_id":"vid-9902b4g"}',
  },
  {
    name: 'on_unpublish',
    body: publishBody(id, 'on_unpublish', pub),
    json: '{"server_id":"vid-m2i766t","service_id":"66g7kpl1","action":"on_unpublish","client_id":"882548ir","ip":"127.0.0.1","vhost":"__defaultVhost__","app":"live","tcUrl":"rtmp://127.0.0.1:19350/live","stream":"hk","param":"?token=abc","stream_url":"/live/hk","stream_id":"vid-9902b4g"}',
  },
  {
    name: 'on_play',
    body: playBody(id, player),
    json: '{"server_id":"vid-m2i766t","service_id":"66g7kpl1","action":"on_play","client_id":"390m1t08","ip":"127.0.0.1","vhost":"__defaultVhost__","app":"live","stream":"hk","tcUrl":"rtmp://127.0.0.1:19350/live","param":"?ptoken=xyz","pageUrl":"","stream_url":"/live/hk","stream_id":"vid-9902b4g"}',
  },
  {
    name: 'on_stop',
    body: stopBody(id, player),
    json: '{"server_id":"vid-m2i766t","service_id":"66g7kpl1","action":"on_stop","client_id":"390m1t08","ip":"127.0.0.1","vhost":"__defaultVhost__","app":"live","tcUrl":"rtmp://127.0.0.1:19350/live","stream":"hk","param":"?ptoken=xyz","stream_url":"/live/hk","stream_id":"vid-9902b4g"}',
  },
  {
    name: 'on_dvr',
    body: dvrBody(id, pub, '/srv', '/srv/objs/live/hk.1795555762455.flv'),
    json: '{"server_id":"vid-m2i766t","service_id":"66g7kpl1","action":"on_dvr","client_id":"882548ir","ip":"127.0.0.1","vhost":"__defaultVhost__","app":"live","tcUrl":"rtmp://127.0.0.1:19350/live","stream":"hk","param":"?token=abc","cwd":"/srv","file":"/srv/objs/live/hk.1795555762455.flv","stream_url":"/live/hk","stream_id":"vid-9902b4g"}',
  },
  {
    name: 'on_hls',
    body: hlsBody(id, pub, { duration: 1.96, cwd: '/srv', file: '/srv/html/live/hk-0.ts', url: 'live/hk-0.ts', m3u8: '/srv/html/live/hk.m3u8', m3u8_url: 'live/hk.m3u8', seq_no: 0 }),
    json: '{"server_id":"vid-m2i766t","service_id":"66g7kpl1","action":"on_hls","client_id":"882548ir","ip":"127.0.0.1","vhost":"__defaultVhost__","app":"live","tcUrl":"rtmp://127.0.0.1:19350/live","stream":"hk","param":"?token=abc","duration":1.96,"cwd":"/srv","file":"/srv/html/live/hk-0.ts","url":"live/hk-0.ts","m3u8":"/srv/html/live/hk.m3u8","m3u8_url":"live/hk.m3u8","seq_no":0,"stream_url":"/live/hk","stream_id":"vid-9902b4g"}',
  },
];

for (const row of table) {
  test(`${row.name} body has SRS's fields in SRS's order`, () => {
    assert.equal(JSON.stringify(row.body), row.json);
  });
}

test('stream_id is left out when the stream is not known', () => {
  const { streamId: _, ...unknown } = player;
  assert.equal(
    JSON.stringify(stopBody(id, unknown)),
    '{"server_id":"vid-m2i766t","service_id":"66g7kpl1","action":"on_stop","client_id":"390m1t08","ip":"127.0.0.1","vhost":"__defaultVhost__","app":"live","tcUrl":"rtmp://127.0.0.1:19350/live","stream":"hk","param":"?ptoken=xyz","stream_url":"/live/hk"}',
  );
});

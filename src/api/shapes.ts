// The SRS shapes of /api/v1/streams, /clients and /vhosts,
// built from a gathered snapshot. Pure apart from the rate trackers it feeds.

import type { SluiceConfig, VhostConfig } from '../config/types.ts';
import { streamUrl } from '../net/rtmp/stream-url.ts';
import type { ClientRow, LiveStream, Snapshot } from './gather.ts';
import { RateTracker } from './rates.ts';
import { vhostId } from './identity.ts';

export interface Kbps {
  recv_30s: number;
  send_30s: number;
}

/** Per-stream and per-client send rates, remembered between answers. */
export class ApiRates {
  readonly streamSend = new RateTracker();
  readonly clientSend = new RateTracker();
  readonly clientRecv = new RateTracker();
}

export class ApiShapes {
  private readonly serverId: string;
  private readonly rates: ApiRates;

  constructor(serverId: string, rates: ApiRates) {
    this.serverId = serverId;
    this.rates = rates;
  }

  vhostId(name: string): string {
    return name ? vhostId(this.serverId, name) : '';
  }

  /** Every stream object, and the rates updated for the clients and streams seen. */
  streams(snap: Snapshot): Record<string, unknown>[] {
    const out = snap.streams.map((s) => this.stream(s, snap));
    this.rates.streamSend.retain(new Set(snap.streams.map((s) => s.entry.streamId)));
    return out;
  }

  stream(s: LiveStream, snap: Snapshot): Record<string, unknown> {
    const e = s.entry;
    const members = snap.clients.filter((c) => c.streamKey === e.key);
    const sendBytes = members.filter((c) => !c.publish).reduce((n, c) => n + c.sendBytes, 0);
    return {
      id: e.streamId,
      name: e.stream,
      vhost: this.vhostId(e.vhost),
      app: e.app,
      tcUrl: e.tcUrl,
      url: streamUrl(e),
      live_ms: snap.now,
      clients: members.length,
      frames: s.stats?.frames ?? 0,
      send_bytes: sendBytes,
      recv_bytes: s.stats?.recvBytes ?? 0,
      kbps: { recv_30s: s.stats?.kbpsRecv30s ?? 0, send_30s: this.rates.streamSend.kbps(e.streamId, sendBytes, snap.now) },
      publish: { active: true, cid: e.publisherId },
      video: s.stats?.video ?? null,
      audio: s.stats?.audio ?? null,
    };
  }

  clients(snap: Snapshot): Record<string, unknown>[] {
    const out = snap.clients.map((c) => this.client(c, snap));
    const ids = new Set(snap.clients.map((c) => c.id));
    this.rates.clientSend.retain(ids);
    this.rates.clientRecv.retain(ids);
    return out;
  }

  client(c: ClientRow, snap: Snapshot): Record<string, unknown> {
    const stream = c.streamKey ? snap.streams.find((s) => s.entry.key === c.streamKey) : undefined;
    const kbps: Kbps = {
      recv_30s: this.rates.clientRecv.kbps(c.id, c.recvBytes, snap.now),
      send_30s: this.rates.clientSend.kbps(c.id, c.sendBytes, snap.now),
    };
    return {
      id: c.id,
      vhost: this.vhostId(c.vhost),
      stream: stream?.entry.streamId ?? '',
      ip: c.ip,
      pageUrl: c.pageUrl,
      swfUrl: c.swfUrl,
      tcUrl: c.tcUrl,
      url: c.stream ? streamUrl(c) : '',
      name: c.type === 'flv-play' ? `${c.stream}.flv` : c.type === 'hls-play' ? `${c.stream}.m3u8` : c.stream,
      type: c.type,
      publish: c.publish,
      alive: Math.round(c.alive * 100) / 100,
      send_bytes: c.sendBytes,
      recv_bytes: c.recvBytes,
      kbps,
    };
  }

  vhosts(config: SluiceConfig, snap: Snapshot): Record<string, unknown>[] {
    return Object.entries(config.vhosts as Record<string, VhostConfig>).map(([name, v]) => this.vhost(name, v, snap));
  }

  vhost(name: string, v: VhostConfig, snap: Snapshot): Record<string, unknown> {
    const clients = snap.clients.filter((c) => c.vhost === name);
    const streams = snap.streams.filter((s) => s.entry.vhost === name);
    return {
      id: this.vhostId(name),
      name,
      enabled: v.enabled,
      clients: clients.length,
      streams: streams.length,
      send_bytes: clients.reduce((n, c) => n + c.sendBytes, 0),
      recv_bytes: clients.reduce((n, c) => n + c.recvBytes, 0),
      kbps: {
        recv_30s: streams.reduce((n, s) => n + (s.stats?.kbpsRecv30s ?? 0), 0),
        send_30s: clients.reduce((n, c) => n + this.rates.clientSend.kbps(c.id, c.sendBytes, snap.now), 0),
      },
      hls: { enabled: v.hls.enabled, fragment: v.hls.fragment },
    };
  }
}

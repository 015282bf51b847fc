// The ports each listener is on, for pages that must link to another listener (the
// players page's RTMP URL, the landing page's API, the console's players). Hosts are
// left out: a browser keeps the host name it reached the server by.
import type { SluiceConfig } from './types.ts';

export interface ListenerPorts {
  rtmp: number[];
  rtmps: number[];
  http: number[];
  api: number[];
}

export function listenerPorts(config: SluiceConfig): ListenerPorts {
  const ports = (list: readonly { port: number }[]) => list.map((a) => a.port);
  return {
    rtmp: ports(config.listen),
    rtmps: config.rtmps.enabled ? ports(config.rtmps.listen) : [],
    http: config.http_server.enabled ? ports(config.http_server.listen) : [],
    api: config.http_api.enabled ? ports(config.http_api.listen) : [],
  };
}

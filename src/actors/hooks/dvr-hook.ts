// The on_dvr hook of a closed recording, with SRS's body: fire and forget, as SRS runs
// it on an async worker; a failure is logged by callHook and never touches the stream.
// The hook URLs are read from the configuration in force when the file closes.

import { callHook, type HookEnvironment, type HookLog } from './hooks.ts';
import { dvrBody } from '../../net/hooks/hook-bodies.ts';
import { streamUrl } from '../../net/rtmp/stream-url.ts';

/** Who published the recorded stream: what the on_dvr body reports. */
export interface DvrSubject {
  vhost: string;
  app: string;
  stream: string;
  param: string;
  tcUrl: string;
  clientId: string;
  ip: string;
  streamId?: string;
}

export function notifyDvr(s: DvrSubject, file: string, log: HookLog, env: HookEnvironment): void {
  const hooks = env.config.vhosts[s.vhost]?.http_hooks;
  if (!hooks?.enabled || hooks.on_dvr.length === 0) return;
  const body = dvrBody(env.hookIdentity, {
    clientId: s.clientId, ip: s.ip, vhost: s.vhost, app: s.app, stream: s.stream, param: s.param,
    tcUrl: s.tcUrl, pageUrl: '', streamUrl: streamUrl(s), ...(s.streamId ? { streamId: s.streamId } : {}),
  }, process.cwd(), file);
  callHook('on_dvr', hooks.on_dvr, body, { log, counts: env.hookCounts }).catch((err: Error) => log.warn({ hook: 'on_dvr', err: err.message }, 'hook failed'));
}

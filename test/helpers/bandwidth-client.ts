// SRS's bandwidth test client (srs_lib_bandwidth.cpp), step by step, over our own RTMP
// client: it answers the server's play test, publishes at the limit the server gives,
// and resolves with the final report and what the connect `_result` said.
import { RtmpClient } from '../../src/io/rtmp-client.ts';
import type { ClientEvent } from '../../src/net/rtmp/client-events.ts';
import { BW, type BandcheckReport } from '../../src/actors/rtmp/bandcheck.ts';

export interface BandwidthRun {
  /** Resolves once connected (rejects when the connect is refused). */
  connected: Promise<RtmpClient>;
  /** The `data` of the connect `_result` (srs_* and sluice_* keys). */
  serverInfo: Promise<Record<string, unknown>>;
  report: Promise<BandcheckReport>;
}

export const REPORT_FIELDS = ['start_time', 'end_time', 'play_kbps', 'publish_kbps', 'play_bytes', 'publish_bytes', 'play_time', 'publish_time'] as const;

export function bandwidthTest(url: string): BandwidthRun {
  let client: RtmpClient | null = null;
  const pending: ClientEvent[] = [];
  let resolveReport!: (r: BandcheckReport) => void;
  let rejectReport!: (e: Error) => void;
  const report = new Promise<BandcheckReport>((res, rej) => {
    resolveReport = res;
    rejectReport = rej;
  });
  let resolveInfo!: (r: Record<string, unknown>) => void;
  const serverInfo = new Promise<Record<string, unknown>>((res) => (resolveInfo = res));
  const send = (name: string, data: Record<string, unknown> = {}): boolean => {
    const { bytes } = client!.session.call(name, false, data);
    return client!.socket.write(bytes);
  };
  let publishing = false;
  const publish = async (durationMs: number, kbps: number): Promise<void> => {
    publishing = true;
    const started = Date.now();
    const sentAtStart = client!.socket.bytesWritten;
    let items = 1;
    while (publishing && Date.now() - started < durationMs) {
      const data: Record<string, unknown> = {};
      for (let i = 0; i < items; i++) data[String(i)] = "SRS band check data from server's publishing......";
      items = Math.min(items + 2, 501);
      send(BW.Publishing, data);
      // hold to the server's limit, as the SRS client does
      while (((client!.socket.bytesWritten - sentAtStart) * 8) / Math.max(1, Date.now() - started) > kbps) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    if (publishing) send(BW.StopPublish);
  };
  const onEvent = (e: ClientEvent): void => {
    if (e.type === 'connected') {
      const data = (e.info as { data?: unknown } | null)?.data;
      resolveInfo(data && typeof data === 'object' ? (data as Record<string, unknown>) : {});
    }
    if (!client) {
      pending.push(e);
      return;
    }
    if (e.type !== 'command') return;
    const data = (e.args[0] ?? {}) as Record<string, number>;
    switch (e.name) {
      case BW.StartPlay:
        send(BW.StartingPlay);
        return;
      case BW.StopPlay:
        send(BW.StoppedPlay);
        return;
      case BW.StartPublish:
        send(BW.StartingPublish);
        void publish(Number(data.duration_ms), Number(data.limit_kbps));
        return;
      case BW.StopPublish:
        publishing = false;
        send(BW.StoppedPublish);
        return;
      case BW.Finished:
        send(BW.Final);
        resolveReport(data as unknown as BandcheckReport);
        return;
      default:
    }
  };
  const connected = RtmpClient.connect(url, { onEvent, timeoutMs: 5000 }).then((c) => {
    client = c;
    c.on('closed', (reason: string) => rejectReport(new Error(`closed before the report: ${reason}`)));
    for (const e of pending.splice(0)) onEvent(e);
    return c;
  });
  connected.catch((err: Error) => rejectReport(err));
  report.catch(() => {});
  return { connected, serverInfo, report };
}

// HTTP-FLV in the browser through mpegts.js (served from its npm package under vendor/).
// Live settings: no stash buffer (bytes go to the decoder as they come) and liveSync,
// which plays a little faster while behind, instead of jumping, to stay near the edge.
import { loadScript } from './load-script.js';

export async function startFlv(video, url, events) {
  await loadScript('vendor/mpegts.js');
  const mpegts = window.mpegts;
  if (!mpegts.getFeatureList().mseLivePlayback) throw new Error('this browser cannot play HTTP-FLV (no Media Source Extensions)');
  const player = mpegts.createPlayer(
    { type: 'flv', isLive: true, url },
    { enableWorker: false, enableStashBuffer: false, lazyLoad: false, liveSync: true, liveSyncMaxLatency: 2, liveSyncTargetLatency: 1 },
  );
  let speedKBps = null;
  player.on(mpegts.Events.MEDIA_INFO, (info) => events.codecs([info.videoCodec, info.audioCodec].filter(Boolean).join(', ')));
  // speed is the download rate over the last second, in KiB/s.
  player.on(mpegts.Events.STATISTICS_INFO, (s) => { speedKBps = s.speed; });
  player.on(mpegts.Events.ERROR, (type, detail) => events.failed(`${type}: ${detail}`));
  player.on(mpegts.Events.LOADING_COMPLETE, () => events.failed('the stream ended'));
  player.attachMediaElement(video);
  player.load();
  const started = player.play();
  if (started) started.catch(() => {}); // autoplay refused: the controls are there

  return {
    kbps: () => (speedKBps === null ? null : (speedKBps * 1024 * 8) / 1000),
    // How far the playhead is behind the newest media received.
    latency() {
      const b = video.buffered;
      return b.length ? Math.max(0, b.end(b.length - 1) - video.currentTime) : null;
    },
    stop() {
      player.pause();
      player.unload();
      player.detachMediaElement();
      player.destroy();
    },
  };
}

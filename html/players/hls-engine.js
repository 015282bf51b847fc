// HLS in the browser: hls.js (served from its npm package under vendor/) where Media
// Source Extensions exist, else the browser's own HLS (Safari on iPhone).
import { loadScript } from './load-script.js';

export async function startHls(video, url, events) {
  await loadScript('vendor/hls.min.js');
  const Hls = window.Hls;
  if (!Hls.isSupported()) {
    if (video.canPlayType('application/vnd.apple.mpegurl')) return startNative(video, url, events);
    throw new Error('this browser cannot play HLS');
  }
  const hls = new Hls({ liveDurationInfinity: true });
  let kbps = null;
  hls.on(Hls.Events.BUFFER_CODECS, (_e, data) => {
    events.codecs([data.video?.codec, data.audio?.codec, data.audiovideo?.codec].filter(Boolean).join(', '));
  });
  // The rate of the stream itself: bytes of each segment over its duration.
  hls.on(Hls.Events.FRAG_LOADED, (_e, data) => {
    const bytes = data.frag.stats?.loaded || data.payload?.byteLength || 0;
    if (data.frag.duration > 0 && bytes > 0) kbps = (bytes * 8) / data.frag.duration / 1000;
  });
  hls.on(Hls.Events.ERROR, (_e, data) => {
    if (data.fatal) events.failed(`${data.type}: ${data.details}`);
  });
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    video.play().catch(() => {}); // autoplay refused: the controls are there
  });
  hls.loadSource(url);
  hls.attachMedia(video);
  return {
    kbps: () => kbps,
    // hls.js's estimate of the playhead's distance from the live edge.
    latency: () => (Number.isFinite(hls.latency) && hls.latency > 0 ? hls.latency : null),
    stop: () => hls.destroy(),
  };
}

function startNative(video, url, events) {
  video.src = url;
  video.play().catch(() => {});
  const onError = () => events.failed('the browser could not play the playlist');
  video.addEventListener('error', onError);
  return {
    kbps: () => null,
    latency() {
      const s = video.seekable;
      return s.length ? Math.max(0, s.end(s.length - 1) - video.currentTime) : null;
    },
    stop() {
      video.removeEventListener('error', onError);
      video.removeAttribute('src');
      video.load();
    },
  };
}

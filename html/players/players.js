// The players page: /players/?app=APP&stream=STREAM&type=flv|hls[&vhost=V]
// plays the stream at once, muted, and shows what is playing. Without a stream it shows
// a small form. Names from the query are only ever set as text, never as markup.
// The HTTP server picks the vhost by the Host name, so the HTTP-FLV and HLS URLs stay on
// the host this page was opened by; `vhost` goes into the RTMP URL as `?vhost=`.
import { startFlv } from './flv-engine.js';
import { startHls } from './hls-engine.js';

const RETRY_MS = 2000;
const DEFAULT_VHOST = '__defaultVhost__';
const $ = (id) => document.getElementById(id);

const params = new URLSearchParams(location.search);
const app = params.get('app') || 'live';
const stream = params.get('stream') || '';
const type = params.get('type') === 'hls' ? 'hls' : 'flv';
const vhost = params.get('vhost') || '';

/** `live/sub` stays a path; each segment is escaped. */
function pathOf(name) {
  return name.split('/').map(encodeURIComponent).join('/');
}

function pageUrl(t) {
  const q = new URLSearchParams({ app, stream, type: t });
  if (vhost) q.set('vhost', vhost);
  return `?${q}`;
}

function showForm() {
  const form = $('choose');
  form.hidden = false;
  form.elements.app.value = app;
  form.elements.stream.value = stream;
  form.elements.type.value = type;
  form.elements.vhost.value = vhost;
}

/** The RTMP URL needs the RTMP port, which only the server knows. */
async function fillRtmpUrl() {
  try {
    const res = await fetch('ports.json', { cache: 'no-store' });
    const ports = await res.json();
    const port = ports.rtmp?.[0];
    if (!port) return;
    const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;
    const query = vhost && vhost !== DEFAULT_VHOST ? `?vhost=${encodeURIComponent(vhost)}` : '';
    $('url-rtmp').value = `rtmp://${host}${port === 1935 ? '' : `:${port}`}/${pathOf(app)}/${encodeURIComponent(stream)}${query}`;
  } catch {
    $('url-rtmp').value = '(unknown: ports.json did not answer)';
  }
}

function copyField(id) {
  const input = $(id);
  const done = () => {
    const btn = document.querySelector(`[data-copy="${id}"]`);
    btn.textContent = 'Copied';
    setTimeout(() => { btn.textContent = 'Copy'; }, 1500);
  };
  // The clipboard API needs a secure context; plain http on a LAN address falls back.
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, () => {});
  } else {
    input.select();
    if (document.execCommand('copy')) done();
  }
}

function fmt(n, digits, unit) {
  return n === null || n === undefined || !Number.isFinite(n) ? '-' : `${n.toFixed(digits)} ${unit}`;
}

function play() {
  const video = $('video');
  video.muted = true; // autoplay is allowed only when muted
  const mediaUrl = `${location.origin}/${pathOf(app)}/${encodeURIComponent(stream)}.${type === 'hls' ? 'm3u8' : 'flv'}`;
  $('url-media').value = mediaUrl;
  $('url-media-label').textContent = type === 'hls' ? 'HLS' : 'FLV';
  $('stat-type').textContent = type === 'hls' ? 'HLS (hls.js)' : 'HTTP-FLV (mpegts.js)';
  const other = type === 'hls' ? 'flv' : 'hls';
  $('other-type').href = pageUrl(other);
  $('other-type').textContent = `Play as ${other === 'hls' ? 'HLS' : 'HTTP-FLV'}`;

  // Each attempt has a generation: events and late results of an abandoned attempt are
  // ignored (and its engine stopped), so a retry never leaves two players running.
  let engine = null;
  let retry = null;
  let generation = 0;
  const status = (text) => { $('status').textContent = text; };
  const restart = (why) => {
    generation++;
    if (engine) engine.stop();
    engine = null;
    status(`${why}; retrying...`);
    clearTimeout(retry);
    retry = setTimeout(start, RETRY_MS);
  };
  const start = () => {
    const gen = ++generation;
    const events = {
      codecs: (text) => { if (gen === generation) $('stat-codecs').textContent = text || '-'; },
      failed: (why) => { if (gen === generation) restart(why); },
    };
    status('Connecting...');
    (type === 'hls' ? startHls : startFlv)(video, mediaUrl, events).then(
      (e) => { if (gen === generation) engine = e; else e.stop(); },
      (err) => { if (gen === generation) restart(err.message); },
    );
  };
  video.addEventListener('playing', () => status(''));
  video.addEventListener('waiting', () => status('Buffering...'));
  start();

  setInterval(() => {
    $('stat-size').textContent = video.videoWidth ? `${video.videoWidth}x${video.videoHeight}` : '-';
    $('stat-kbps').textContent = fmt(engine?.kbps(), 0, 'kbit/s');
    $('stat-latency').textContent = fmt(engine?.latency(), 1, 's');
  }, 1000);
}

document.addEventListener('click', (ev) => {
  const id = ev.target instanceof Element ? ev.target.getAttribute('data-copy') : null;
  if (id) copyField(id);
});

if (!stream) {
  showForm();
} else {
  const label = `${vhost && vhost !== DEFAULT_VHOST ? `${vhost} ` : ''}${app}/${stream}`;
  $('title').textContent = label;
  document.title = `${label} - Sluice player`;
  $('stage').hidden = false;
  fillRtmpUrl();
  play();
}

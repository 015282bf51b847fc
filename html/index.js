// The landing page of `npm start`: lists the live streams with links to their players,
// and links to the console. The API is another listener (port from /players/ports.json);
// its CORS headers let this page read it. Stream names are set as text, never markup.
const REFRESH_MS = 5000;
const DEFAULT_VHOST = '__defaultVhost__';
const host = location.hostname.includes(':') ? `[${location.hostname}]` : location.hostname;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function playerLink(s, vhostName, type, text) {
  const q = new URLSearchParams({ app: s.app, stream: s.name, type });
  if (vhostName && vhostName !== DEFAULT_VHOST) q.set('vhost', vhostName);
  return el('a', { href: `/players/?${q}`, class: `play-${type}` }, text);
}

function describe(s) {
  const parts = [];
  if (s.video) parts.push(`${s.video.codec} ${s.video.width}x${s.video.height}`);
  if (s.audio) parts.push(s.audio.codec);
  if (s.kbps?.recv_30s) parts.push(`${s.kbps.recv_30s} kbit/s`);
  return parts.join(', ');
}

async function listStreams(apiBase) {
  const note = document.getElementById('streams-note');
  let streams;
  let vhosts;
  try {
    const [st, vh] = await Promise.all([fetch(`${apiBase}/api/v1/streams/?count=1000`), fetch(`${apiBase}/api/v1/vhosts/`)]);
    if (st.status === 401 || vh.status === 401) {
      note.textContent = 'The API needs a token: the console lists the streams once signed in.';
      return;
    }
    streams = (await st.json()).streams ?? [];
    vhosts = new Map(((await vh.json()).vhosts ?? []).map((v) => [v.id, v]));
  } catch {
    note.textContent = 'The HTTP API does not answer.';
    return;
  }
  document.getElementById('streams').replaceChildren(...streams.map((s) => {
    const vhost = vhosts.get(s.vhost);
    const links = el('span', { class: 'stream-links' }, playerLink(s, vhost?.name, 'flv', 'HTTP-FLV'));
    if (vhost?.hls?.enabled) links.append(playerLink(s, vhost.name, 'hls', 'HLS'));
    return el('li', { 'data-stream': `${s.app}/${s.name}` },
      el('span', { class: 'stream-name' }, `${s.app}/${s.name}`),
      el('span', { class: 'stream-info' }, describe(s)),
      links);
  }));
  note.textContent = streams.length ? '' : 'No stream is being published right now.';
}

async function main() {
  let ports = null;
  try {
    ports = await (await fetch('/players/ports.json', { cache: 'no-store' })).json();
  } catch {
    // Served by something other than Sluice's HTTP server: leave the defaults.
  }
  const rtmpPort = ports?.rtmp?.[0] ?? 1935;
  document.getElementById('publish-example').textContent =
    `ffmpeg -re -i video.flv -c copy -f flv rtmp://${host}${rtmpPort === 1935 ? '' : `:${rtmpPort}`}/live/livestream`;
  const apiPort = ports?.api?.[0];
  const consoleLink = document.getElementById('console-link');
  if (!apiPort) {
    consoleLink.hidden = true;
    document.getElementById('streams-note').textContent = 'The HTTP API is off (http_api.enabled), so streams cannot be listed here.';
    return;
  }
  const apiBase = `${location.protocol}//${host}:${apiPort}`;
  consoleLink.href = `${apiBase}/console/`;
  const loop = async () => {
    await listStreams(apiBase);
    setTimeout(loop, REFRESH_MS);
  };
  loop();
}

main();

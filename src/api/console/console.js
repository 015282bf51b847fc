// The web console: polls the API every 2 s and redraws. Kicking takes two
// clicks (the button arms for a few seconds), so a stray tap on a phone kicks nobody.
import { api } from './api.js';
import { record } from './chart.js';
import { renderClients, renderStreams, renderSummary, renderVhosts } from './sections.js';

const REFRESH_MS = 2000;
const ARM_MS = 4000;

const armed = new Map(); // client id -> time the arming ends
let last = null; // the latest answers, to redraw at once after a click

function draw() {
  const { summary, vhosts, streams, clients } = last;
  const now = Date.now();
  for (const [id, until] of armed) if (until < now) armed.delete(id);
  const vhostsById = new Map(vhosts.map((v) => [v.id, v]));
  const streamsById = new Map(streams.map((s) => [s.id, s]));
  const httpPort = summary.ports?.http?.[0];
  renderSummary(summary);
  renderVhosts(vhosts, streams);
  renderStreams(streams, clients, vhostsById, httpPort);
  renderClients(clients, streamsById, armed);
  const home = document.getElementById('home');
  home.hidden = !httpPort;
  if (httpPort) home.href = `${location.protocol}//${location.hostname}:${httpPort}/`;
}

async function refresh() {
  // One after the other rather than at once: if the API wants a token, the first call
  // asks for it and the others then go through with it.
  const summary = (await api('/api/v1/summaries')).data;
  const [vh, st, cl] = await Promise.all([
    api('/api/v1/vhosts/'),
    api('/api/v1/streams/?count=1000'),
    api('/api/v1/clients/?count=1000'),
  ]);
  last = { summary, vhosts: vh.vhosts, streams: st.streams, clients: cl.clients };
  record(last.streams);
  draw();
}

function updated(ok, text) {
  const el = document.getElementById('updated');
  el.textContent = text;
  el.classList.toggle('bad', !ok);
}

async function tick() {
  try {
    await refresh();
    updated(true, `Updated ${new Date().toLocaleTimeString()}`);
  } catch (err) {
    updated(false, `API unreachable: ${err.message}`);
  } finally {
    setTimeout(tick, REFRESH_MS);
  }
}

document.getElementById('clients').addEventListener('click', async (ev) => {
  const btn = ev.target instanceof Element ? ev.target.closest('button[data-kick]') : null;
  if (!btn) return;
  const id = btn.getAttribute('data-kick');
  if (!armed.has(id)) {
    armed.set(id, Date.now() + ARM_MS);
    if (last) draw();
    setTimeout(() => { if (last) draw(); }, ARM_MS + 50);
    return;
  }
  armed.delete(id);
  btn.disabled = true;
  try {
    await api(`/api/v1/clients/${encodeURIComponent(id)}`, 'DELETE');
    updated(true, `Kicked ${id}`);
  } catch (err) {
    updated(false, `Kick failed: ${err.message}`);
  }
});

tick();

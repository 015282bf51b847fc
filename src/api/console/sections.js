// The console's sections, each drawn from one refresh's API answers.
import { el, row, fill } from './dom.js';
import { chart, rates } from './chart.js';
import { duration, kbps, kbytes, ms, percent } from './format.js';

const DEFAULT_VHOST = '__defaultVhost__';

function card(label, value, sub) {
  return el('div', { class: 'card' }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value), sub ? el('div', { class: 'sub' }, sub) : null);
}

export function renderSummary(data) {
  const { self, system } = data;
  document.getElementById('version').textContent = `v${self.version} - pid ${self.pid}`;
  document.getElementById('summary').replaceChildren(
    card('Uptime', duration(self.srs_uptime), `since ${new Date(data.now_ms - self.srs_uptime * 1000).toLocaleString()}`),
    card('CPU', percent(self.cpu_percent), `machine ${percent(system.cpu_percent)} of ${system.cpus} cores`),
    card('Memory', kbytes(self.mem_kbyte), `${percent(self.mem_percent)} of ${kbytes(system.mem_ram_kbyte)}`),
    card('Connections', String(system.conn_srs), 'RTMP and HTTP'),
    card('Load', Number(system.load_1m).toFixed(2), `5m ${Number(system.load_5m).toFixed(2)}, 15m ${Number(system.load_15m).toFixed(2)}`),
    card('Workers', String(data.workers?.length ?? '-'), 'threads'),
  );
  fill('workers', (data.workers ?? []).map((w) => row([
    ['Worker', el('span', { class: 'name' }, `#${w.worker}`, w.alive ? '' : ' (restarting)')],
    ['Event-loop lag', ms(w.event_loop_lag_ms), 'num'],
    ['Heap', kbytes(w.heap_used_kbyte), 'num'],
    ['Actors', w.actors ?? '-', 'num'],
    ['Mailboxes', w.mailbox_depth ?? '-', 'num'],
  ])));
}

/** A vhost's rates are the sum of its streams' measured rates. */
export function renderVhosts(vhosts, streams) {
  fill('vhosts', vhosts.map((v) => {
    let rin = 0;
    let rout = 0;
    for (const s of streams) {
      if (s.vhost !== v.id) continue;
      const r = rates(s);
      rin += r.in;
      rout += r.out;
    }
    return row([
      ['Name', el('span', { class: 'name' }, v.name)],
      ['Enabled', v.enabled ? 'yes' : 'no'],
      ['Streams', v.streams, 'num'],
      ['Clients', v.clients, 'num'],
      ['In', kbps(rin), 'num'],
      ['Out', kbps(rout), 'num'],
      ['HLS', v.hls?.enabled ? `on, ${v.hls.fragment} s` : 'off'],
    ]);
  }));
}

/** The players page is on the HTTP server: same host name, its own port. */
function playerLinks(s, vhost, httpPort) {
  if (!httpPort) return null;
  const base = `${location.protocol}//${location.hostname}:${httpPort}/players/`;
  const link = (type, text) => {
    const q = new URLSearchParams({ app: s.app, stream: s.name, type });
    if (vhost && vhost.name !== DEFAULT_VHOST) q.set('vhost', vhost.name);
    return el('a', { href: `${base}?${q}`, target: '_blank', rel: 'noopener', class: `play-${type}` }, text);
  };
  return el('span', { class: 'links' }, link('flv', 'FLV'), vhost?.hls?.enabled ? link('hls', 'HLS') : null);
}

function videoText(v) {
  if (!v) return '-';
  return `${v.codec}${v.profile ? ` ${v.profile}` : ''} ${v.width}x${v.height}`;
}

function audioText(a) {
  if (!a) return '-';
  return `${a.codec}${a.profile ? ` ${a.profile}` : ''} ${a.sample_rate / 1000} kHz`;
}

export function renderStreams(streams, clients, vhostsById, httpPort) {
  document.getElementById('streams-count').textContent = `(${streams.length})`;
  fill('streams', streams.map((s) => {
    const vhost = vhostsById.get(s.vhost);
    const publisher = clients.find((c) => c.id === s.publish?.cid);
    const players = clients.filter((c) => c.stream === s.id && !c.publish).length;
    const rate = rates(s);
    return row([
      ['Stream', el('div', {}, el('div', { class: 'name' }, `${s.app}/${s.name}`), playerLinks(s, vhost, httpPort))],
      ['Vhost', vhost?.name ?? s.vhost],
      ['Video', videoText(s.video)],
      ['Audio', audioText(s.audio)],
      ['In', kbps(rate.in), 'num'],
      ['Out', kbps(rate.out), 'num'],
      ['Publisher', publisher ? el('span', { class: 'mono' }, `${publisher.ip} ${publisher.id}`) : (s.publish?.active ? s.publish.cid : 'none')],
      ['Players', players, 'num'],
      ['Bitrate', chart(s.id)],
    ], { 'data-stream': `${s.app}/${s.name}` });
  }), 'streams-empty');
}

export function renderClients(clients, streamsById, armed) {
  document.getElementById('clients-count').textContent = `(${clients.length})`;
  fill('clients', clients.map((c) => {
    const s = streamsById.get(c.stream);
    const isArmed = armed.has(c.id);
    return row([
      ['Id', el('span', { class: 'mono' }, c.id)],
      ['Type', c.type],
      ['Stream', s ? `${s.app}/${s.name}` : c.url || '-'],
      ['IP', c.ip],
      ['Alive', duration(c.alive), 'num'],
      ['In', kbps(c.kbps.recv_30s), 'num'],
      ['Out', kbps(c.kbps.send_30s), 'num'],
      ['', el('button', { type: 'button', class: isArmed ? 'kick armed' : 'kick', 'data-kick': c.id, title: 'Disconnect this client' }, isArmed ? 'Sure? Kick' : 'Kick')],
    ], { 'data-client': c.id, 'data-type': c.type });
  }), 'clients-empty');
}

// Each stream's kbit/s in and out, measured here from the byte counters of successive
// refreshes (the API's `recv_30s` moves once per 30 s window, too slowly for a live
// view), and a small SVG line chart of the last two minutes. SVG, not canvas, stays
// sharp on phone screens.
const POINTS = 60; // two minutes at one refresh every 2 s
const W = 120;
const H = 32;
const NS = 'http://www.w3.org/2000/svg';

const history = new Map(); // stream id -> { t, recv, send, points: [{ in, out }] }

/** Adds this refresh's counters and forgets streams that are gone. */
export function record(streams) {
  const seen = new Set();
  for (const s of streams) {
    seen.add(s.id);
    const t = s.live_ms; // SRS's live_ms is the time of the answer
    const h = history.get(s.id);
    if (!h) {
      history.set(s.id, { t, recv: s.recv_bytes, send: s.send_bytes, points: [] });
      continue;
    }
    const dt = t - h.t;
    if (dt <= 0) continue;
    // A counter that went down (a player left and took its bytes along) reads as 0.
    const point = {
      in: Math.max(0, ((s.recv_bytes - h.recv) * 8) / dt),
      out: Math.max(0, ((s.send_bytes - h.send) * 8) / dt),
    };
    h.points.push(point);
    if (h.points.length > POINTS) h.points.shift();
    Object.assign(h, { t, recv: s.recv_bytes, send: s.send_bytes });
  }
  for (const id of history.keys()) if (!seen.has(id)) history.delete(id);
}

/** The latest measured rates of a stream, or the API's 30 s rates before a second refresh. */
export function rates(s) {
  const p = history.get(s.id)?.points.at(-1);
  return p ?? { in: s.kbps?.recv_30s ?? 0, out: s.kbps?.send_30s ?? 0 };
}

// Until two minutes are recorded the points spread over the whole width.
function line(points, key, max) {
  const step = W / Math.max(1, points.length - 1);
  return points.map((p, i) => `${(i * step).toFixed(1)},${(H - 1 - (p[key] / max) * (H - 2)).toFixed(1)}`).join(' ');
}

export function chart(id) {
  const points = history.get(id)?.points ?? [];
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  // A fifth of headroom, so a steady rate draws a line inside the chart, not on its edge.
  const max = 1.2 * Math.max(1, ...points.map((p) => Math.max(p.in, p.out)));
  const title = document.createElementNS(NS, 'title');
  title.textContent = `kbit/s in (green) and out (blue), top of the chart ${Math.round(max)} kbit/s`;
  svg.append(title);
  for (const key of ['in', 'out']) {
    const pl = document.createElementNS(NS, 'polyline');
    pl.setAttribute('class', key);
    pl.setAttribute('fill', 'none');
    pl.setAttribute('stroke-width', '1.5');
    pl.setAttribute('vector-effect', 'non-scaling-stroke');
    pl.setAttribute('points', points.length > 1 ? line(points, key, max) : '');
    svg.append(pl);
  }
  return svg;
}

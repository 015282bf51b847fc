// The subcommands of `sluice ctl`: which API request each makes, and what it prints for
// people (aligned tables) or for scripts (`--json`: the API's objects as they came).
// A new subcommand (its own file, typed by command.ts) is one more entry in COMMANDS.
import { type ApiClient, CtlError } from './api-client.ts';
import type { CtlCommand } from './command.ts';
import { formatBytes, formatDuration, formatPairs, formatTable, type Column } from './table.ts';

type Row = Record<string, any>;

// Streams and clients come in pages (SRS: count defaults to 10); ctl wants them all.
const ALL = '?start=0&count=1000000';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function listOf(body: Record<string, unknown>, key: string): Row[] {
  const v = body[key];
  if (!Array.isArray(v)) throw new CtlError(`the API answered without "${key}": is it a Sluice API?`);
  return v as Row[];
}

/** Each vhost's name by id: streams and clients name their vhost by id. */
async function vhostNames(client: ApiClient): Promise<Map<string, string>> {
  const vhosts = listOf(await client.ok('GET', '/api/v1/vhosts/'), 'vhosts');
  return new Map(vhosts.map((v) => [String(v.id), String(v.name)]));
}

const kbps = (k: Row | undefined, which: 'recv_30s' | 'send_30s') => (typeof k?.[which] === 'number' ? k[which] as number : 0);

function codecText(r: Row): string {
  const v = r.video ? `${r.video.codec} ${r.video.width}x${r.video.height}` : '';
  const a = r.audio ? `${r.audio.codec} ${r.audio.sample_rate / 1000}k${r.audio.channel === 2 ? ' stereo' : r.audio.channel === 1 ? ' mono' : ''}` : '';
  return [v, a].filter(Boolean).join(' + ') || '-';
}

const summaries: CtlCommand = {
  synopsis: 'summaries',
  summary: 'the server: version, uptime, CPU, memory, connections',
  arity: 0,
  async run({ api, json: asJson }) {
    const client = api();
    const body = await client.ok('GET', '/api/v1/summaries');
    const data = body.data as Row | undefined;
    if (!data?.self || !data.system) throw new CtlError('the API answered summaries without data: is it a Sluice API?');
    if (asJson) return json(data);
    const { self, system } = data;
    return formatPairs([
      ['server', String(body.server ?? '')],
      ['version', self.version],
      ['pid', self.pid],
      ['uptime', formatDuration(self.srs_uptime)],
      ['cpu', `${self.cpu_percent}% (system ${system.cpu_percent}% of ${system.cpus} cpus)`],
      ['memory', `${formatBytes(self.mem_kbyte * 1024)} (${self.mem_percent}% of ${formatBytes(system.mem_ram_kbyte * 1024)})`],
      ['load', `${round(system.load_1m)} ${round(system.load_5m)} ${round(system.load_15m)}`],
      ['connections', system.conn_srs],
      ['received', formatBytes(system.srs_recv_bytes)],
      ['sent', formatBytes(system.srs_send_bytes)],
    ]);
  },
};

const round = (n: number) => (Math.round(n * 100) / 100).toFixed(2);

const VHOST_COLUMNS: Column<Row>[] = [
  { title: 'NAME', value: (r) => r.name },
  { title: 'ID', value: (r) => r.id },
  { title: 'ENABLED', value: (r) => (r.enabled ? 'yes' : 'no') },
  { title: 'STREAMS', value: (r) => r.streams },
  { title: 'CLIENTS', value: (r) => r.clients },
  { title: 'IN KBPS', value: (r) => kbps(r.kbps, 'recv_30s') },
  { title: 'OUT KBPS', value: (r) => kbps(r.kbps, 'send_30s') },
  { title: 'HLS', value: (r) => (r.hls?.enabled ? 'on' : 'off') },
];

const vhosts: CtlCommand = {
  synopsis: 'vhosts',
  summary: 'the configured vhosts, with their streams and clients',
  arity: 0,
  async run({ api, json: asJson }) {
    const client = api();
    const list = listOf(await client.ok('GET', '/api/v1/vhosts/'), 'vhosts');
    return asJson ? json(list) : formatTable(VHOST_COLUMNS, list);
  },
};

const streams: CtlCommand = {
  synopsis: 'streams',
  summary: 'the live streams: codecs, kbps in/out, publisher, players',
  arity: 0,
  async run({ api, json: asJson }) {
    const client = api();
    const list = listOf(await client.ok('GET', `/api/v1/streams/${ALL}`), 'streams');
    if (asJson) return json(list);
    if (list.length === 0) return 'no live streams\n';
    const names = await vhostNames(client);
    return formatTable<Row>([
      { title: 'ID', value: (r) => r.id },
      { title: 'VHOST', value: (r) => names.get(r.vhost) ?? r.vhost },
      { title: 'STREAM', value: (r) => `${r.app}/${r.name}` },
      { title: 'CODECS', value: codecText },
      { title: 'CLIENTS', value: (r) => r.clients },
      { title: 'IN KBPS', value: (r) => kbps(r.kbps, 'recv_30s') },
      { title: 'OUT KBPS', value: (r) => kbps(r.kbps, 'send_30s') },
      { title: 'RECEIVED', value: (r) => formatBytes(r.recv_bytes), right: true },
      { title: 'PUBLISHER', value: (r) => r.publish?.cid ?? '-' },
    ], list);
  },
};

const clients: CtlCommand = {
  synopsis: 'clients',
  summary: 'the connected clients: publishers and players',
  arity: 0,
  async run({ api, json: asJson }) {
    const client = api();
    const list = listOf(await client.ok('GET', `/api/v1/clients/${ALL}`), 'clients');
    if (asJson) return json(list);
    if (list.length === 0) return 'no clients\n';
    return formatTable<Row>([
      { title: 'ID', value: (r) => r.id },
      { title: 'TYPE', value: (r) => r.type },
      { title: 'IP', value: (r) => r.ip },
      { title: 'URL', value: (r) => r.url || '-' },
      { title: 'ALIVE', value: (r) => formatDuration(r.alive), right: true },
      { title: 'SENT', value: (r) => formatBytes(r.send_bytes), right: true },
      { title: 'RECEIVED', value: (r) => formatBytes(r.recv_bytes), right: true },
      { title: 'IN KBPS', value: (r) => kbps(r.kbps, 'recv_30s') },
      { title: 'OUT KBPS', value: (r) => kbps(r.kbps, 'send_30s') },
    ], list);
  },
};

const kick: CtlCommand = {
  synopsis: 'kick ID',
  summary: 'disconnect client ID (a publisher\'s stream ends)',
  arity: 1,
  async run({ api, args, json: asJson }) {
    const client = api();
    const id = args[0]!;
    const a = await client.request('DELETE', `/api/v1/clients/${encodeURIComponent(id)}`);
    if (a.status === 404) throw new CtlError(`no client with id ${id}`);
    if (a.body.code !== 0) throw new CtlError(`kick ${id} failed: HTTP ${a.status}, code ${String(a.body.code)}`);
    return asJson ? json({ code: 0, kicked: id }) : `kicked ${id}\n`;
  },
};

const reload: CtlCommand = {
  synopsis: 'reload',
  summary: 're-read the server\'s configuration (as SIGHUP)',
  arity: 0,
  async run({ api, json: asJson }) {
    const client = api();
    const a = await client.request('POST', '/api/v1/raw?rpc=reload');
    if (a.body.code !== 0) throw new CtlError('reload refused: the configuration does not validate (the server log names the keys); the old one stays');
    return asJson ? json({ code: 0, reloaded: true }) : 'configuration reloaded\n';
  },
};

export const COMMANDS: Readonly<Record<string, CtlCommand>> = { summaries, vhosts, streams, clients, kick, reload };

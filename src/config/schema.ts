// The one JSON Schema (draft-07, compiled by ajv with useDefaults) that is the truth
// for the configuration: every key, its default, its type and range.
// Every object node carries `default: {}` so that ajv, filling a missing object, goes
// on to fill that object's children too. `errorText` is our own annotation keyword:
// the human message for nodes whose failure ajv can only describe branch by branch.

export const DEFAULT_VHOST = '__defaultVhost__';

export interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  enum?: readonly (string | number)[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
  format?: string;
  errorText?: string;
}

function obj(properties: Record<string, SchemaNode>, required?: string[]): SchemaNode {
  const node: SchemaNode = { type: 'object', additionalProperties: false, properties };
  if (required) node.required = required;
  else node.default = {};
  return node;
}

const bool = (def: boolean): SchemaNode => ({ type: 'boolean', default: def });

function int(def: number | undefined, minimum: number, maximum?: number): SchemaNode {
  const node: SchemaNode = { type: 'integer', minimum };
  if (maximum !== undefined) node.maximum = maximum;
  if (def !== undefined) node.default = def;
  return node;
}

const positive = (def: number): SchemaNode => ({ type: 'number', exclusiveMinimum: 0, default: def });
const atLeastZero = (def: number): SchemaNode => ({ type: 'number', minimum: 0, default: def });

function str(def: string | undefined, opts: { nonEmpty?: boolean; format?: string } = {}): SchemaNode {
  const node: SchemaNode = { type: 'string' };
  if (opts.nonEmpty) node.minLength = 1;
  if (opts.format) node.format = opts.format;
  if (def !== undefined) node.default = def;
  return node;
}

const oneOf = (values: readonly string[], def: string | undefined): SchemaNode =>
  def === undefined ? { type: 'string', enum: values } : { type: 'string', enum: values, default: def };

const list = (items: SchemaNode): SchemaNode => ({ type: 'array', items, default: [] });

const port: SchemaNode = { type: 'integer', minimum: 1, maximum: 65535 };
const hostPort: SchemaNode = { type: 'string', format: 'host-port' };

function listen(def: number): SchemaNode {
  return {
    default: def,
    errorText: 'must be a port (1 to 65535), a "host:port" string, or a list of them',
    anyOf: [port, hostPort, { type: 'array', minItems: 1, items: { anyOf: [port, hostPort] } }],
  };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const HOOK_EVENTS = [
  'on_connect', 'on_close', 'on_publish', 'on_unpublish', 'on_play', 'on_stop', 'on_dvr', 'on_hls',
] as const;

export const TRANSCODE_OUTPUT = 'rtmp://127.0.0.1:[port]/[app]?vhost=[vhost]/[stream]_[engine]';
// An ingest has no incoming app/stream: its engines publish to live/<ingest id>.
export const INGEST_OUTPUT = 'rtmp://127.0.0.1:[port]/live?vhost=[vhost]/[stream]';

function engine(defaultOutput: string): SchemaNode {
  return obj({
    name: str(undefined, { nonEmpty: true }),
    enabled: bool(true),
    vcodec: str('libx264', { nonEmpty: true }),
    vbitrate: int(1500, 1),
    vfps: positive(25),
    vwidth: int(768, 0, 16384),
    vheight: int(320, 0, 16384),
    vprofile: str('main'),
    vpreset: str('medium'),
    acodec: str('aac', { nonEmpty: true }),
    abitrate: int(70, 1),
    asample_rate: int(44100, 8000, 192000),
    achannels: int(2, 1, 8),
    output: str(defaultOutput, { nonEmpty: true }),
  }, ['name']);
}

const hooks: Record<string, SchemaNode> = { enabled: bool(false) };
for (const event of HOOK_EVENTS) hooks[event] = list(str(undefined, { format: 'http-url' }));

export const vhostSchema: SchemaNode = obj({
  enabled: bool(true),
  gop_cache: bool(true),
  queue_length: positive(10),
  time_jitter: oneOf(['full', 'zero', 'off'], 'full'),
  mw_latency_ms: int(350, 0, 10000),
  publish: obj({
    first_packet_timeout_ms: int(20000, 1),
    normal_timeout_ms: int(5000, 1),
  }),
  refer: obj({
    enabled: bool(false),
    all: list(str(undefined, { nonEmpty: true })),
    publish: list(str(undefined, { nonEmpty: true })),
    play: list(str(undefined, { nonEmpty: true })),
  }),
  security: obj({
    enabled: bool(false),
    rules: list(obj({
      action: oneOf(['allow', 'deny'], undefined),
      method: oneOf(['publish', 'play', 'all'], undefined),
      from: str(undefined, { format: 'rule-source' }),
    }, ['action', 'method', 'from'])),
  }),
  auth: obj({
    enabled: bool(false),
    secret: str(''),
    publish: bool(true),
    play: bool(false),
  }),
  hls: obj({
    enabled: bool(true),
    path: str('./html', { nonEmpty: true }),
    fragment: positive(10),
    window: positive(60),
    m3u8_file: str('[app]/[stream].m3u8', { nonEmpty: true }),
    ts_file: str('[app]/[stream]-[seq].ts', { nonEmpty: true }),
    cleanup: bool(true),
    dispose: atLeastZero(0),
    variant: oneOf(['mpegts', 'fmp4', 'low_latency'], 'mpegts'),
    part_ms: int(200, 100, 2000),
  }),
  http_remux: obj({
    enabled: bool(true),
    mount: str('[vhost]/[app]/[stream].flv', { nonEmpty: true }),
  }),
  forward: obj({
    enabled: bool(false),
    destination: list(hostPort),
  }),
  cluster: obj({
    mode: oneOf(['local', 'remote'], 'local'),
    origin: list(str(undefined, { format: 'host-optional-port' })),
  }),
  http_hooks: obj(hooks),
  dvr: obj({
    enabled: bool(false),
    plan: oneOf(['session', 'segment'], 'session'),
    path: str('./objs/dvr/[app]/[stream].[timestamp].flv', { nonEmpty: true }),
    duration: positive(30),
    wait_keyframe: bool(true),
  }),
  transcode: obj({
    enabled: bool(false),
    ffmpeg: str('ffmpeg', { nonEmpty: true }),
    engines: list(engine(TRANSCODE_OUTPUT)),
  }),
  ingest: list(obj({
    id: str(undefined, { nonEmpty: true }),
    enabled: bool(true),
    input: obj({
      type: oneOf(['file', 'stream'], 'file'),
      url: str(undefined, { nonEmpty: true }),
    }, ['url']),
    ffmpeg: str('ffmpeg', { nonEmpty: true }),
    engines: list(engine(INGEST_OUTPUT)),
  }, ['id', 'input'])),
  bandcheck: obj({
    enabled: bool(false),
    key: str(''),
    interval: positive(30),
    limit_kbps: int(4000, 1),
  }),
});

// The root is the document itself: it is never missing, so it has no default.
const { default: _rootDefault, ...root } = obj({
  listen: listen(1935),
  workers: {
    default: 'auto',
    errorText: 'must be "auto" or an integer from 1 to 256',
    anyOf: [{ const: 'auto' }, int(undefined, 1, 256)],
  },
  max_connections: int(1000, 1),
  chunk_size: int(60000, 128, 65536),
  media: obj({
    block_size: int(65536, 4096, 4194304),
    max_memory: {
      default: 'auto',
      errorText: 'must be "auto" or a number of bytes of at least 1048576',
      anyOf: [{ const: 'auto' }, int(undefined, 1048576)],
    },
  }),
  pid: str('./objs/sluice.pid', { nonEmpty: true }),
  log: obj({
    level: oneOf(LOG_LEVELS, 'info'),
    file: { type: ['string', 'null'], minLength: 1, default: null, errorText: 'must be a file path or null' },
  }),
  rtmps: obj({
    enabled: bool(false),
    listen: listen(1936),
    cert: str(''),
    key: str(''),
  }),
  http_api: obj({
    enabled: bool(true),
    listen: listen(1985),
    // An empty token leaves the API open (as SRS does), with a warning when
    // it listens beyond loopback.
    auth: obj({
      token: str(''),
      metrics: bool(false),
    }),
  }),
  http_server: obj({
    enabled: bool(true),
    listen: listen(8080),
    dir: str('./html', { nonEmpty: true }),
  }),
  // Origins sharing one stream namespace through Redis (off when redis is "").
  cluster: obj({
    redis: { type: 'string', default: '', format: 'redis-url', errorText: 'must be "" or a redis:// (rediss://) URL' },
    key_prefix: str('sluice:'),
    ttl: { type: 'number', minimum: 1, maximum: 3600, default: 10 },
    advertise: { type: 'string', default: '', format: 'host-port-or-empty', errorText: 'must be "" or a "host:port" string' },
  }),
  vhosts: {
    type: 'object',
    default: { [DEFAULT_VHOST]: {} },
    additionalProperties: vhostSchema,
  },
});

export const configSchema: SchemaNode = root;

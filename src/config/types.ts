// The resolved configuration: what the schema yields with every default filled in,
// after normalisation (listen lists parsed, `workers: auto` turned into a number).
// Written by hand to match schema.ts; test/unit/config-defaults.test.ts holds a
// typed literal of the defaults so that a drift between the two fails the build.

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type HookEvent =
  | 'on_connect' | 'on_close' | 'on_publish' | 'on_unpublish'
  | 'on_play' | 'on_stop' | 'on_dvr' | 'on_hls';

/** One address to listen on; `host` is '0.0.0.0' when the config gave a bare port. */
export interface ListenAddress {
  host: string;
  port: number;
}

export interface LogConfig {
  level: LogLevel;
  /** null: JSON lines on stdout. */
  file: string | null;
}

export interface RtmpsConfig {
  enabled: boolean;
  listen: ListenAddress[];
  cert: string;
  key: string;
}

export interface HttpApiAuthConfig {
  /** Empty: no token asked. Otherwise every /api/ request needs `Authorization: Bearer <token>`. */
  token: string;
  /** Whether /metrics needs the token too. */
  metrics: boolean;
}

export interface HttpApiConfig {
  enabled: boolean;
  listen: ListenAddress[];
  auth: HttpApiAuthConfig;
}

export interface HttpServerConfig {
  enabled: boolean;
  listen: ListenAddress[];
  dir: string;
}

export interface PublishConfig {
  first_packet_timeout_ms: number;
  normal_timeout_ms: number;
}

export interface ReferConfig {
  enabled: boolean;
  all: string[];
  publish: string[];
  play: string[];
}

export interface SecurityRule {
  action: 'allow' | 'deny';
  method: 'publish' | 'play' | 'all';
  /** An IP, a CIDR block, or 'all'. */
  from: string;
}

export interface SecurityConfig {
  enabled: boolean;
  rules: SecurityRule[];
}

/** Publish and play tokens: HS256 JWTs carried as `token=` in the query. */
export interface AuthConfig {
  enabled: boolean;
  /** The HS256 key; must not be empty when enabled. */
  secret: string;
  /** Publishes need a token. */
  publish: boolean;
  /** Plays (RTMP, HTTP-FLV, HLS) need a token. */
  play: boolean;
}

export interface HlsConfig {
  enabled: boolean;
  path: string;
  fragment: number;
  window: number;
  m3u8_file: string;
  ts_file: string;
  cleanup: boolean;
  dispose: number;
  /**
   * mpegts: .ts segments. fmp4: CMAF (init + .m4s, names derived from ts_file/m3u8_file,
   * src/net/hls/fmp4-names.ts). low_latency: fmp4 plus LL-HLS parts, served from memory.
   */
  variant: 'mpegts' | 'fmp4' | 'low_latency';
  /** LL-HLS part target, ms (100..2000). */
  part_ms: number;
}

export interface HttpRemuxConfig {
  enabled: boolean;
  mount: string;
}

export interface ForwardConfig {
  enabled: boolean;
  /** "host:port" strings. */
  destination: string[];
}

export interface ClusterConfig {
  mode: 'local' | 'remote';
  /** "host[:port]" strings; the port defaults to 1935. */
  origin: string[];
}

export type HttpHooksConfig = { enabled: boolean } & Record<HookEvent, string[]>;

export interface DvrConfig {
  enabled: boolean;
  plan: 'session' | 'segment';
  path: string;
  duration: number;
  wait_keyframe: boolean;
}

export interface TranscodeEngine {
  name: string;
  enabled: boolean;
  vcodec: string;
  vbitrate: number;
  vfps: number;
  /** 0 keeps the source size. */
  vwidth: number;
  vheight: number;
  vprofile: string;
  vpreset: string;
  acodec: string;
  abitrate: number;
  asample_rate: number;
  achannels: number;
  output: string;
}

export interface TranscodeConfig {
  enabled: boolean;
  ffmpeg: string;
  engines: TranscodeEngine[];
}

export interface IngestConfig {
  id: string;
  enabled: boolean;
  input: { type: 'file' | 'stream'; url: string };
  ffmpeg: string;
  engines: TranscodeEngine[];
}

export interface BandcheckConfig {
  enabled: boolean;
  key: string;
  interval: number;
  limit_kbps: number;
}

export interface VhostConfig {
  enabled: boolean;
  gop_cache: boolean;
  queue_length: number;
  time_jitter: 'full' | 'zero' | 'off';
  mw_latency_ms: number;
  publish: PublishConfig;
  refer: ReferConfig;
  security: SecurityConfig;
  auth: AuthConfig;
  hls: HlsConfig;
  http_remux: HttpRemuxConfig;
  forward: ForwardConfig;
  cluster: ClusterConfig;
  http_hooks: HttpHooksConfig;
  dvr: DvrConfig;
  transcode: TranscodeConfig;
  ingest: IngestConfig[];
  bandcheck: BandcheckConfig;
}

/** The process-wide pool of media blocks. */
export interface MediaConfig {
  block_size: number;
  /** Bytes for all media blocks (`auto` resolved to a quarter of the RAM). */
  max_memory: number;
}

export interface SluiceConfig {
  listen: ListenAddress[];
  workers: number;
  max_connections: number;
  chunk_size: number;
  media: MediaConfig;
  pid: string;
  log: LogConfig;
  rtmps: RtmpsConfig;
  http_api: HttpApiConfig;
  http_server: HttpServerConfig;
  cluster: ClusterDirectoryConfig;
  vhosts: Record<string, VhostConfig>;
}

/** Top-level `cluster` (origins sharing streams via Redis), not the per-vhost edge `cluster`. */
export interface ClusterDirectoryConfig {
  /** "" = off; else redis://host:port/db. */
  redis: string;
  key_prefix: string;
  /** Seconds a stream's key lives unless refreshed (every ttl/3). */
  ttl: number;
  /** "host:port" others pull RTMP from; "" = the first RTMP listen. */
  advertise: string;
}

/** As the schema leaves it (defaults filled), before normalisation. */
export type RawListen = number | string | (number | string)[];

export type ValidatedConfig =
  & Omit<SluiceConfig, 'listen' | 'workers' | 'media' | 'rtmps' | 'http_api' | 'http_server'>
  & {
    listen: RawListen;
    workers: 'auto' | number;
    media: Omit<MediaConfig, 'max_memory'> & { max_memory: 'auto' | number };
    rtmps: Omit<RtmpsConfig, 'listen'> & { listen: RawListen };
    http_api: Omit<HttpApiConfig, 'listen'> & { listen: RawListen };
    http_server: Omit<HttpServerConfig, 'listen'> & { listen: RawListen };
  };

/** Values given on the command line; they win over the file. */
export interface ConfigOverrides {
  workers?: string | number;
  logLevel?: string;
}

export type ConfigResult = { config: SluiceConfig } | { errors: string[] };

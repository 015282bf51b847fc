// The config loader on random text: parseConfig must return errors or a config, and
// never throw (a bad reload must be reported, not crash the server), so here even a
// SluiceError counts as a crash.
import { parseConfig } from '../../../src/config/load.ts';
import type { FuzzTarget } from './fuzz-target.ts';

export const target: FuzzTarget = {
  name: 'config',
  description: "parseConfig(text, 'fuzz'): errors or a config, never a throw",
  coverage: ['/src/config/', '/node_modules/yaml/'],
  maxLen: 16384,
  dictionary: ['\n', '  ', ': ', '- ', '---\n', '...\n', '&a ', '*a', '<<: ', '!!binary ', '!!set', '!!omap', '!!map', '!!str',
    '!!int', '!!float', '!!null', '? ', '{', '}', '[', ']', ',', '"', "'", '|', '>', '#', '%YAML 1.1\n', '%TAG ! tag:x,2000:\n',
    '0x10', '1e999', '.inf', '.nan', '~', 'null', 'true', 'yes', '__proto__', 'constructor',
    'workers', 'listen', 'vhosts', 'live', 'http_server', 'http_api', 'rtmp', 'rtmps', 'hls', 'http_remux', 'log', 'level',
    'enabled', 'dvr', 'forward', 'hooks', 'security', 'refer', 'max_connections', 'chunk_size', 'on_publish', 'transcode',
    'ingest', 'dir', 'gop_cache', 'mount', 'http_hooks', 'cleanup', 'time_jitter', 'queue_length', '__defaultVhost__', 'fragment', 'window', 'allow', 'deny', 'publish', 'play', 'all', '1935', '127.0.0.1:8080'],
  fuzz(data) {
    let result: { errors?: unknown; config?: unknown };
    try {
      result = parseConfig(data.toString('utf8'), 'fuzz');
    } catch (err) {
      throw new Error(`parseConfig threw: ${String(err)}`, { cause: err });
    }
    if (result.errors === undefined && result.config === undefined) throw new Error('parseConfig returned neither errors nor a config');
  },
};

// sluice: the live-streaming server as a library. An embedder validates a config (from
// a file, YAML text or a plain object), starts a server with it and holds the handle:
//
//   import { startServer, validateConfig } from 'sluice';
//   const res = validateConfig({ listen: '127.0.0.1:1935', vhosts: { __defaultVhost__: {} } });
//   if ('errors' in res) throw new Error(res.errors.join('\n'));
//   const server = await startServer(res.config);
//   ...
//   await server.stop();
//
// The actor runtime alone is `sluice/runtime`.
export { startServer } from './server.ts';
export type { RunningServer, ServerOptions } from './server.ts';
export { loadConfigFile, parseConfig, validateConfig } from './config/load.ts';
export type * from './config/types.ts';
export { SluiceError, isSluiceError, SERVER_ERROR_CODES } from './errors.ts';
export type { ErrorCode } from './errors.ts';

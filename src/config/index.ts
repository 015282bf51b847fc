// The config module's public face: load, validate, expand templates, diff on reload.
export { loadConfigFile, parseConfig, validateConfig } from './load.ts';
export { normalizeConfig, normalizeListen, resolveWorkers, ANY_HOST } from './normalize.ts';
export { expandTemplate } from './template.ts';
export type { TemplateVars, TemplateOptions } from './template.ts';
export { diffConfig } from './reload-diff.ts';
export type { ConfigDiff, VhostChange } from './reload-diff.ts';
export { configSchema, vhostSchema, DEFAULT_VHOST, LOG_LEVELS, HOOK_EVENTS, TRANSCODE_OUTPUT, INGEST_OUTPUT } from './schema.ts';
export type { SchemaNode } from './schema.ts';
export type * from './types.ts';

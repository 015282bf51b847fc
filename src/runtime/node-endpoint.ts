// comlink's Node adapter, re-exported with its real shape: the package ships it as UMD
// whose module.exports is the function, while its typings describe an ES default export.
import type { Endpoint } from 'comlink';
import adapter from 'comlink/dist/umd/node-adapter.js';

export interface NodePort {
  postMessage(message: any, transfer?: any[]): void;
  on(type: string, listener: (...args: any[]) => void): unknown;
  off(type: string, listener: (...args: any[]) => void): unknown;
  start?: () => void;
}

export const nodeEndpoint = adapter as unknown as (port: NodePort) => Endpoint;

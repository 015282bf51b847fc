// How the server names itself on the wire (RTMP connect data, metadata, HTTP headers).
import pkg from '../../../package.json' with { type: 'json' };

export const SERVER_VERSION: string = pkg.version;
export const SERVER_NAME = `Sluice/${pkg.version}`;

/** SRS-style connection ids: 8 characters of [0-9a-z], unique within the process. */
let counter = Math.floor(Math.random() * 0x7fffffff);
export function newClientId(): string {
  counter = (counter + 0x9e3779b1) >>> 0;
  const rnd = Math.floor(Math.random() * 36 ** 3);
  return (counter.toString(36) + rnd.toString(36)).padStart(8, '0').slice(-8);
}

// Entry point of a worker thread: import the modules (which register actor kinds and
// control functions), join the mesh, expose the control API, then say ready.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { expose } from 'comlink';
import { createControlApi } from './control.ts';
import { createLogger } from './logger.ts';
import { nodeEndpoint } from './node-endpoint.ts';
import { setThreadInfo } from './registry.ts';
import { ThreadRuntime } from './thread-runtime.ts';
import type { AdminMessage } from './wire.ts';

/** What the main thread hands a worker at creation (ports are transferred). */
export interface WorkerBoot {
  worker: number;
  workerCount: number;
  idBase: number;
  modules: string[];
  logLevel: string;
  logFile: string | null;
  userData: unknown;
  control: MessagePort;
  peers: { worker: number; port: MessagePort }[];
}

const boot = workerData as WorkerBoot;
setThreadInfo(boot.worker, boot.userData, Math.floor(boot.idBase / 2 ** 32));
const logger = createLogger({ level: boot.logLevel, file: boot.logFile }).child({ worker: boot.worker });
const rt = new ThreadRuntime({
  worker: boot.worker,
  workerCount: boot.workerCount,
  idBase: boot.idBase,
  logger,
  workerData: boot.userData,
});
for (const p of boot.peers) rt.addPeer(p.worker, p.port);
parentPort!.on('message', (m: AdminMessage) => {
  if (m.type === 'mesh/peer') rt.addPeer(m.worker, m.port);
  else if (m.type === 'mesh/down') rt.peerDown(m.worker);
});
// The directory and other built-ins register their kinds on import, as user modules do.
await import('./directory.ts');
for (const url of boot.modules) await import(url);
rt.start();
expose(createControlApi(rt), nodeEndpoint(boot.control));
parentPort!.postMessage({ type: 'ready' });

// The main thread's handle on one worker slot: creates the thread with its ports, wraps
// its control API with comlink, bounds every control call in time, logs why the thread
// crashed, and turns its exit into a rejection of pending control calls.
import { MessageChannel, Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import { wrap, releaseProxy, type Remote } from 'comlink';
import type { Logger } from 'pino';
import { SluiceError } from './errors.ts';
import type { ControlApi } from './control.ts';
import { nodeEndpoint } from './node-endpoint.ts';
import type { WorkerBoot } from './worker-main.ts';

// `.ts` when run from the sources, `.js` from the compiled package (dist/): the worker
// script has the same extension as this module.
const WORKER_URL = new URL(`./worker-main${import.meta.url.slice(import.meta.url.lastIndexOf('.'))}`, import.meta.url);
/** Ids of a worker's actors start at generation * 2^32, so refs to a dead incarnation miss. */
const ID_SPACE = 2 ** 32;

export interface WorkerSpawnSpec {
  worker: number;
  workerCount: number;
  generation: number;
  modules: string[];
  logLevel: string;
  logFile: string | null;
  userData: unknown;
  /** Ports to every other live thread, made by the caller (the mesh). */
  peers: { worker: number; port: MessagePort }[];
  /** V8 heap limits of the worker (Node's Worker resourceLimits). */
  resourceLimits?: ResourceLimits;
  /** The main thread's logger: a crash of the thread is reported here. */
  logger: Logger;
  /** How long a control call may wait for the thread's answer. */
  controlTimeoutMs: number;
}

export class WorkerHost {
  readonly worker: number;
  readonly generation: number;
  readonly thread: Worker;
  readonly control: Remote<ControlApi>;
  readonly ready: Promise<void>;
  /** The thread said ready: its modules are loaded and it answers control calls. */
  started = false;
  exited = false;
  private readonly controlTimeoutMs: number;
  private readonly controlPort: MessagePort;
  private readonly pending = new Set<(err: Error) => void>();

  constructor(spec: WorkerSpawnSpec, onExit: (host: WorkerHost, code: number) => void) {
    this.worker = spec.worker;
    this.generation = spec.generation;
    this.controlTimeoutMs = spec.controlTimeoutMs;
    const { port1, port2 } = new MessageChannel();
    this.controlPort = port1;
    const boot: WorkerBoot = {
      worker: spec.worker,
      workerCount: spec.workerCount,
      idBase: spec.generation * ID_SPACE,
      modules: spec.modules,
      logLevel: spec.logLevel,
      logFile: spec.logFile,
      userData: spec.userData,
      control: port2,
      peers: spec.peers,
    };
    this.thread = new Worker(WORKER_URL, {
      workerData: boot,
      transferList: [port2, ...spec.peers.map((p) => p.port)],
      ...(spec.resourceLimits ? { resourceLimits: spec.resourceLimits } : {}),
    });
    this.control = wrap<ControlApi>(nodeEndpoint(port1));
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: { type?: string }): void => {
        if (m?.type !== 'ready') return;
        this.thread.off('message', onMessage);
        this.started = true;
        resolve();
      };
      this.thread.on('message', onMessage);
      this.thread.once('exit', (code) => reject(new SluiceError('WORKER_DIED', `worker ${spec.worker} exited with ${code} while starting`)));
    });
    this.ready.catch(() => {});
    // An uncaught exception ends the thread: say why here, once; the exit that follows is
    // what the restart acts on.
    this.thread.once('error', (err) => {
      spec.logger.error({ worker: spec.worker, generation: spec.generation, err }, 'worker crashed');
    });
    this.thread.once('exit', (code) => {
      this.exited = true;
      const err = new SluiceError('WORKER_DIED', `worker ${spec.worker} exited with ${code}`);
      for (const fail of this.pending) fail(err);
      this.pending.clear();
      this.release();
      onExit(this, code);
    });
  }

  /**
   * Runs a control call, rejecting with WORKER_DIED if the thread exits before answering
   * and with CONTROL_TIMEOUT if it does not answer within the control timeout (a thread
   * stuck in a loop never would). `what` names the call in that error.
   */
  run<T>(what: string, call: (api: Remote<ControlApi>) => Promise<T>): Promise<T> {
    if (this.exited) return Promise.reject(new SluiceError('WORKER_DIED', `worker ${this.worker}`));
    return new Promise<T>((resolve, reject) => {
      const fail = (err: Error): void => {
        this.pending.delete(fail);
        clearTimeout(timer);
        reject(err);
      };
      const timer = setTimeout(
        () => fail(new SluiceError('CONTROL_TIMEOUT', `worker ${this.worker}: ${what} after ${this.controlTimeoutMs} ms`)),
        this.controlTimeoutMs,
      );
      this.pending.add(fail);
      call(this.control).then(
        (v) => {
          this.pending.delete(fail);
          clearTimeout(timer);
          resolve(v);
        },
        fail,
      );
    });
  }

  post(msg: unknown, transfer: MessagePort[] = []): void {
    if (!this.exited) this.thread.postMessage(msg, transfer);
  }

  release(): void {
    try {
      this.control[releaseProxy]();
    } catch {
      // the port may already be closed
    }
    this.controlPort.close();
  }
}

// The runtime's one error class and its registry of codes. Codes are stable strings
// (logs, tests and APIs match on them, so a shipped code is never renamed) and the
// registry is open: an embedder, and the media server itself, add their own domains with
// registerErrorCodes() in a module every thread imports, and a SluiceError thrown on one
// thread is rebuilt as a SluiceError with the same code on the thread that receives it.

const RUNTIME_ERROR_CODES = {
  ACTOR_ASK_TIMEOUT: 'an ask got no reply in time',
  ACTOR_NOT_FOUND: 'no actor with that ref',
  ACTOR_UNKNOWN_KIND: 'no actor kind registered under that name',
  ACTOR_STOPPED: 'the actor stopped before it replied',
  WORKER_DIED: 'the worker thread hosting the actor died',
  CONTROL_UNKNOWN: 'no control function registered under that name',
  CONTROL_TIMEOUT: 'a control call got no answer from its worker in time',
  RUNTIME_STATE: 'the actor system is not running',
  ERROR_CODE: 'an error code cannot be registered',
  RING_RECORD_TOO_LARGE: 'a record does not fit in the ring',
  RING_READER_SLOTS: 'no free reader slot in the ring',
  RING_OPTIONS: 'invalid ring options or handle',
  RING_CLOSED: 'the ring is closed',
  RING_STATE: 'ring call out of order (commit without beginRecord)',
  POOL_OPTIONS: 'invalid block pool options',
  POOL_STATE: 'a pool block was released more often than it was held',
  POOL_FULL: 'no free block in the media pool (media.max_memory)',
  CHAIN_OPTIONS: 'invalid chain options',
  CHAIN_READER_SLOTS: 'no free reader slot in the chain',
  CHAIN_CLOSED: 'the chain is closed',
  CHAIN_STATE: 'chain call out of order (commit without begin, or a record not filled)',
} as const;

type RuntimeErrorCodes = typeof RUNTIME_ERROR_CODES;

/**
 * The codes SluiceError accepts, by type. TypeScript embedders that register codes add
 * them here by declaration merging:
 * `declare module 'sluice/runtime' { interface ErrorCodeRegistry { PAY_DECLINED: string } }`.
 */
export interface ErrorCodeRegistry extends RuntimeErrorCodes {}

export type ErrorCode = keyof ErrorCodeRegistry & string;

/** Upper-case words joined by underscores, like every code the runtime ships. */
const CODE_FORM = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

const texts = new Map<string, string>(Object.entries(RUNTIME_ERROR_CODES));

/**
 * Adds codes and their general text to this thread's registry. Call it at import of a
 * module that every thread loads (ActorSystemOptions.modules), so a worker's error is
 * rebuilt as a SluiceError on the main thread and the other way round. Registering a
 * code again with the same text is harmless; giving it another meaning is refused.
 */
export function registerErrorCodes(codes: Readonly<Record<string, string>>): void {
  for (const [code, text] of Object.entries(codes)) {
    if (!CODE_FORM.test(code)) throw new SluiceError('ERROR_CODE', `"${code}" is not UPPER_SNAKE_CASE`);
    const known = texts.get(code);
    if (known !== undefined && known !== text) throw new SluiceError('ERROR_CODE', `${code} already means "${known}"`);
  }
  for (const [code, text] of Object.entries(codes)) texts.set(code, text);
}

/** The general text of a registered code; undefined for a code this thread does not know. */
export function errorCodeText(code: string): string | undefined {
  return texts.get(code);
}

export class SluiceError extends Error {
  readonly code: ErrorCode;
  /** The specific part of the message, without the code's general text (for one-line reports). */
  readonly detail: string;
  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const text = texts.get(code) ?? code;
    super(detail ? `${text}: ${detail}` : text, options);
    this.code = code;
    this.detail = detail ?? text;
    this.name = 'SluiceError';
  }
}

export function isSluiceError(err: unknown, code?: ErrorCode): err is SluiceError {
  return err instanceof SluiceError && (code === undefined || err.code === code);
}

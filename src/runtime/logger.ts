// One pino factory for every thread. Workers write to fd 1 (or the file) themselves with a
// synchronous destination, so log lines never queue behind the main thread's event loop.
import { pino, type Logger } from 'pino';

export interface LoggerOptions {
  level?: string;
  /** A file path, or null/undefined for stdout. */
  file?: string | null;
}

export function createLogger(o: LoggerOptions = {}): Logger {
  const dest = pino.destination({ dest: o.file ?? 1, sync: true, mkdir: o.file != null });
  return pino({ level: o.level ?? 'info' }, dest);
}

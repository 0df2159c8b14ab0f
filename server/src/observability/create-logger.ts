/**
 * Structured JSON logs (pino). Every HTTP request gets a child logger carrying its request id, so
 * a query can be followed from the access log to the engine's messages.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** `level: 'silent'` for tests; `destination` lets tests capture lines. */
export interface LoggerOptions {
  readonly level: string;
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, base: { service: 'semantic-layer' }, timestamp: pino.stdTimeFunctions.isoTime };
  return options.destination ? pino(base, options.destination as pino.DestinationStream) : pino(base);
}

import type { LogFields, Logger } from '../core/ports';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** @default 'info' */
  level?: LogLevel;
  /** `json`: one JSON object per line (CloudWatch Logs Insights reads it); `pretty`: for a terminal. @default 'json' */
  format?: 'json' | 'pretty';
  /** Fields added to every line, e.g. `{ handler: 'connect' }`. */
  base?: LogFields;
  write?: (line: string) => void;
}

export function parseLogLevel(value: string | undefined): LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value ?? '') ? (value as LogLevel) : 'info';
}

/** A small structured logger: the Lambdas need only levels and fields, and every byte counts at cold start. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const format = options.format ?? 'json';
  const base = options.base ?? {};
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const all = { ...base, ...fields };
    if (format === 'json') {
      write(JSON.stringify({ level, time: new Date().toISOString(), message, ...all }));
    } else {
      const details = Object.entries(all)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(' ');
      write(`${level.toUpperCase().padEnd(5)} ${message}${details ? `  ${details}` : ''}`);
    }
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
  };
}

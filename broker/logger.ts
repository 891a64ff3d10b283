export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Lines on stderr with a timestamp and level; below the threshold a call costs one comparison. */
export function createLogger(level: LogLevel = 'info'): Logger {
  const min = ORDER[level] ?? ORDER.info;
  const line = (lvl: LogLevel) => (msg: string) => {
    if (ORDER[lvl] >= min) process.stderr.write(`${new Date().toISOString()} [${lvl}] ${msg}\n`);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/** What `--log-level` and `LOG_LEVEL` accept. */
export const LOG_LEVELS = Object.keys(ORDER) as LogLevel[];

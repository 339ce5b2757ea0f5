/** A small JSON-lines logger (pino's shape), so the worker bundle stays dependency-light. */
const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export function createLogger(level: LogLevel, base: Record<string, unknown>): Logger {
  const write = (at: number) => (fields: Record<string, unknown>, msg: string) => {
    if (at < LEVELS[level]) return;
    process.stdout.write(`${JSON.stringify({ level: at, time: Date.now(), ...base, ...fields, msg })}\n`);
  };
  return { info: write(LEVELS.info), warn: write(LEVELS.warn), error: write(LEVELS.error) };
}

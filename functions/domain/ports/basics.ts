export interface IdGenerator {
  next(at: Date): string;
}

/** The little the use cases need from a logger. */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

// The shape codegen generates as src/generated/state.ts
// (docs/design.md#d4-typescript-handler-contracts), for the runtime tests.

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  warning(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  trace(message: string, fields?: Record<string, unknown>): void;
}

export interface State {
  readonly logger: Logger;
  readonly traceId: string;
  readonly handlerName: string;
  triggerEvent(event: string, payload: unknown): void;
  setPayload(event: string, payload: unknown): void;
  send(connectionId: string, message: unknown): void;
  broadcast(message: unknown, options?: { to?: string }): void;
}

export class HttpError extends Error {
  override name = "HttpError";
  readonly status: number;
  readonly details?: unknown;
  constructor(status: number, message: string, options?: { details?: unknown; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    if (options?.details !== undefined) this.details = options.details;
  }
}

export class NonRetriableError extends Error {
  override name = "NonRetriableError";
}

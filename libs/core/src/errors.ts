import { printable } from './printable';

/**
 * Domain errors carry a code, never an HTTP status: the API's exception filter maps codes to statuses,
 * the worker maps them to retry decisions.
 */
export enum ErrorCode {
  InvalidInput = 'invalid-input',
  UnsupportedUrl = 'unsupported-url',
  NotFound = 'not-found',
  AlreadyExists = 'already-exists',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  /** the platform says the account or post does not exist */
  SourceNotFound = 'source-not-found',
  /** the platform says it existed and is gone (410, deleted) */
  SourceGone = 'source-gone',
  SourceRateLimited = 'source-rate-limited',
  SourceAuthRequired = 'source-auth-required',
  /** the source answered, but not with something we can read */
  SourceInvalidResponse = 'source-invalid-response',
  /** network trouble, timeouts, 5xx: try again later */
  SourceUnavailable = 'source-unavailable',
  /** refused by the guarded HTTP client: private address, too large, too many redirects */
  SourceRefused = 'source-refused',
  /** the poll cursor stored on the account is not one its connector wrote */
  SourceInvalidCursor = 'source-invalid-cursor',
  /** a platform paid per read: this account used its monthly read budget; polling resumes next month */
  SourceReadBudgetExhausted = 'source-read-budget-exhausted',
  /**
   * refused by this process for its own load, not by the source (more response bytes arriving at once than
   * VERBATIM_HTTP_BYTES_IN_FLIGHT, a parse thread kept off the cores): tried again soon, and never counted
   * against the source
   */
  LocalOverload = 'local-overload',
}

/** A message is made printable (see `printable`): it often quotes what a source or a client sent. */
export class VerbatimError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(printable(message));
    this.name = new.target.name;
  }
}

/** An error from a platform or the way to it. `retryAt` is set when the platform said when to come back. */
export class SourceError extends VerbatimError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly httpStatus: number | null = null,
    readonly retryAt: Date | null = null,
  ) {
    super(code, message, { httpStatus, retryAt: retryAt?.toISOString() ?? null });
  }
}

/** How long a caller refused for our own load is asked to wait (an API answer's Retry-After, a poll's least delay). */
export const LOCAL_OVERLOAD_RETRY_MS = 5000;

/** A refusal for this process's own load (`LocalOverload`), to be tried again in LOCAL_OVERLOAD_RETRY_MS or later. */
export function localOverload(message: string): SourceError {
  return new SourceError(
    ErrorCode.LocalOverload,
    message,
    null,
    new Date(Date.now() + LOCAL_OVERLOAD_RETRY_MS),
  );
}

/** Whether an error is a refusal for this process's own load (see `localOverload`). */
export function isLocalOverload(error: unknown): error is SourceError {
  return error instanceof SourceError && error.code === ErrorCode.LocalOverload;
}

/**
 * The message of a failure the source answers for, kept as the detail of an answer that says nothing (`unknown`).
 * A refusal for our own load is thrown on: the source was not asked, so the caller puts the work off instead. So
 * is anything that is not a SourceError (a bug).
 */
export function sourceFailureMessage(error: unknown): string {
  if (isLocalOverload(error) || !(error instanceof SourceError)) throw error;
  return error.message;
}

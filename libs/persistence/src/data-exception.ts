import { QueryFailedError } from 'typeorm';

/**
 * PostgreSQL error class 22 (data exception): a value the database cannot hold, such as a NUL character
 * or an out-of-range number. Retrying cannot help; it is the input that must change.
 */
export function isDataException(error: unknown): error is QueryFailedError {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

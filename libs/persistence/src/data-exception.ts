import { QueryFailedError } from 'typeorm';

/**
 * PostgreSQL refused a value for what it is, not because of the database's state: class 22 (data exception,
 * such as a NUL character or an out-of-range number) or class 54 (program limit exceeded, such as an index
 * row or a tsvector too large). Retrying cannot help; it is the input that must change.
 */
export function isDataException(error: unknown): error is QueryFailedError {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('54'));
}

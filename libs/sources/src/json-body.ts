import { type z } from 'zod';
import { ErrorCode, SourceError } from '@app/core';

/** Thrown for anything that is not the shape the platform documents. */
export function invalid(what: string, detail: string): SourceError {
  return new SourceError(ErrorCode.SourceInvalidResponse, `${what}: ${detail}`);
}

/** A body's JSON; a body that is not JSON is SourceInvalidResponse. */
export function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid(what, 'the response is not JSON');
  }
}

/** Parses a body against a schema; a body that is not JSON or not the shape is SourceInvalidResponse. */
export function parseBody<Schema extends z.ZodTypeAny>(
  body: Buffer,
  schema: Schema,
  what: string,
): z.output<Schema> {
  const parsed = schema.safeParse(parseJson(body, what));
  if (parsed.success) return parsed.data as z.output<Schema>;
  const issue = parsed.error.issues[0];
  throw invalid(what, `${issue.path.join('.') || 'body'} ${issue.message}`.slice(0, 300));
}

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

/** A body's JSON checked against a schema; not the shape is SourceInvalidResponse naming the first problem. */
export function checkShape<Schema extends z.ZodTypeAny>(
  json: unknown,
  schema: Schema,
  what: string,
): z.output<Schema> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data as z.output<Schema>;
  const issue = parsed.error.issues[0];
  throw invalid(what, `${issue.path.join('.') || 'body'} ${issue.message}`.slice(0, 300));
}

import { type z } from 'zod';
import { ErrorCode, parseBoundedJson, SourceError } from '@app/core';

/** Thrown for anything that is not the shape the platform documents. */
export function invalid(what: string, detail: string): SourceError {
  return new SourceError(ErrorCode.SourceInvalidResponse, `${what}: ${detail}`);
}

/**
 * Source JSON nested deeper than this is refused. The platforms' documented shapes nest a few dozen levels at
 * most; a hostile body can nest thousands deep, which JSON.parse reads about a hundred times slower than flat
 * data of the same size (256 KB of nested arrays: ~50 ms in the event loop), which overflows the stack of zod's
 * checks of recursive shapes, and which a parse thread cannot send back.
 */
export const MAX_JSON_BODY_DEPTH = 128;

/**
 * A body's JSON; a body that is not JSON, or nested deeper than MAX_JSON_BODY_DEPTH, is SourceInvalidResponse.
 * The depth is read off the text first, so a deep body is refused before it is parsed.
 */
export function parseJson(body: Buffer, what: string): unknown {
  const read = parseBoundedJson(body.toString('utf8'), MAX_JSON_BODY_DEPTH);
  if (read.kind === 'value') return read.value;
  throw invalid(
    what,
    read.kind === 'too-deep' ? 'the response is nested too deeply' : 'the response is not JSON',
  );
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

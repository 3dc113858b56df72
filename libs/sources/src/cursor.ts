import { type z } from 'zod';
import { ErrorCode, SourceError } from '@app/core';

/**
 * Builds a connector's `readCursor` from its schema. A cursor that does not match (written by another
 * version, edited by hand, damaged) is a source failure the account shows, never a crash of the poll.
 */
export function cursorReader<Schema extends z.ZodTypeAny>(
  platform: string,
  schema: Schema,
): (stored: unknown) => z.output<Schema> {
  return (stored) => {
    const parsed = schema.safeParse(stored ?? {});
    if (parsed.success) return parsed.data as z.output<Schema>;
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'cursor'}: ${issue.message}`)
      .join('; ');
    throw new SourceError(
      ErrorCode.SourceInvalidCursor,
      `the stored ${platform} poll cursor is not valid (${problems}); it will be reset and the account read again from the start`,
    );
  };
}

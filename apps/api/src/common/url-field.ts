import { applyDecorators } from '@nestjs/common';
import { IsString, MaxLength, ValidateBy } from 'class-validator';

/** A C0 control character or DEL: no URL as written holds one, and PostgreSQL's text cannot hold NUL. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * A URL field of a request body: a string of at most 2,048 characters without control characters. Refused here,
 * a NUL or a line break is a 400 naming the field instead of the database's refusal of what it cannot store.
 */
export function UrlField(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MaxLength(2048),
    ValidateBy({
      name: 'urlWithoutControlCharacters',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !hasControlCharacter(value),
        defaultMessage: () =>
          'holds a control character (such as \\u0000 or a line break), which no URL has; send the URL as written',
      },
    }),
  );
}

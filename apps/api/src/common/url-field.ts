import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, ValidateBy } from 'class-validator';
import { MAX_URL_CHARS, hasControlCharacter, trimUrlText } from '@app/core';

/**
 * A URL, its surrounding white space and controls dropped, refused when one is left inside: a NUL or a line break
 * within a URL is a 400 naming the field, where the database refused the NUL with its own message and kept the rest.
 */
export function WithoutControlCharacters(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? trimUrlText(value) : value)),
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

/** A URL field of a request body: a string of at most MAX_URL_CHARS characters, see WithoutControlCharacters. */
export function UrlField(): PropertyDecorator {
  return applyDecorators(IsString(), MaxLength(MAX_URL_CHARS), WithoutControlCharacters());
}

import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, ValidateBy } from 'class-validator';

/** A C0 control character or DEL: no URL as written holds one, and PostgreSQL's text cannot hold NUL. */
function isControl(code: number): boolean {
  return code < 0x20 || code === 0x7f;
}

/**
 * `text` without the C0 controls and spaces around it, which a URL parser drops too (WHATWG URL): a URL pasted
 * with its line break still works.
 */
function trimmedUrl(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (isControl(text.charCodeAt(start)) || text.charCodeAt(start) === 0x20)) start++;
  while (end > start && (isControl(text.charCodeAt(end - 1)) || text.charCodeAt(end - 1) === 0x20)) end--;
  return text.slice(start, end);
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return true;
  return false;
}

/**
 * A URL, its surrounding white space and controls dropped, refused when one is left inside: a NUL or a line break
 * within a URL is a 400 naming the field, where the database refused the NUL with its own message and kept the rest.
 */
export function WithoutControlCharacters(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? trimmedUrl(value) : value)),
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

/** A URL field of a request body: a string of at most 2,048 characters, see WithoutControlCharacters. */
export function UrlField(): PropertyDecorator {
  return applyDecorators(IsString(), MaxLength(2048), WithoutControlCharacters());
}

import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt } from 'class-validator';

/**
 * Decimal digits, with a minus sign allowed so that -5 is told the field's lower bound rather than that it is no
 * whole number.
 */
const DECIMAL_INTEGER = /^-?[0-9]+$/;

/**
 * The number a query parameter's text says when it is written in decimal digits and is a safe integer; any other
 * text stays text, which IsInt then refuses. `Number()` alone would read "1e2", "1.0", "+5", " 5" and "0x10" as
 * whole numbers too, and round 9007199254740993 to a neighbour.
 */
export function decimalInteger(value: unknown): unknown {
  if (typeof value !== 'string' || !DECIMAL_INTEGER.test(value)) return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

/** A whole-number query parameter: decimal digits, or 400 `<field>: must be a whole number`. Bounds are the field's own. */
export function WholeNumberQuery(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => decimalInteger(value), { toClassOnly: true }),
    IsInt({ message: '$property: must be a whole number' }),
  );
}

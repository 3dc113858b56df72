import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

const LARGEST = Number.MAX_SAFE_INTEGER;

/**
 * A log position or tree size from the query string: decimal digits only, at most 2^53 - 1. `Number()`
 * would accept "0x10", "1e3" and " 7 ", and round 9007199254740993 to a neighbour that then reaches the
 * proof code; anything that is not plain digits of a safe integer stays a string, which IsInt refuses.
 */
function LogNumber(minimum: 0 | 1): PropertyDecorator {
  const message = `must be a whole number from ${minimum} to ${LARGEST}, in decimal digits`;
  return applyDecorators(
    ApiProperty({ type: 'integer', minimum, maximum: LARGEST }),
    Transform(({ value }: { value: unknown }) => safeDecimalInteger(value)),
    IsInt({ message }),
    Min(minimum, { message }),
    Max(LARGEST, { message }),
  );
}

function safeDecimalInteger(value: unknown): unknown {
  if (typeof value !== 'string' || !/^[0-9]{1,16}$/.test(value)) return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

export class InclusionQuery {
  @LogNumber(0) index!: number;
  @LogNumber(1) size!: number;
}

export class ConsistencyQuery {
  @LogNumber(1) from!: number;
  @LogNumber(1) to!: number;
}

export class EntriesQuery {
  @LogNumber(0) start!: number;
  @LogNumber(1) end!: number;
}

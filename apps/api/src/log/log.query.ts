import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { decimalInteger } from '../common/whole-number-query';

const LARGEST = Number.MAX_SAFE_INTEGER;

/**
 * A log position or tree size from the query string: decimal digits only, at most 2^53 - 1 (a rounded neighbour
 * would reach the proof code); anything else stays a string, which IsInt refuses.
 */
function LogNumber(minimum: 0 | 1): PropertyDecorator {
  const message = `must be a whole number from ${minimum} to ${LARGEST}, in decimal digits`;
  return applyDecorators(
    ApiProperty({ type: 'integer', minimum, maximum: LARGEST }),
    Transform(({ value }: { value: unknown }) => decimalInteger(value)),
    IsInt({ message }),
    Min(minimum, { message }),
    Max(LARGEST, { message }),
  );
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

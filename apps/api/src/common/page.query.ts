import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, Max, Min } from 'class-validator';
import { WholeNumberQuery } from './whole-number-query';

/** The paging of a list walked newest first by `seq`: the previous page's `nextCursor`, and a page size. */
export class SeqPageQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/, { message: 'cursor: must be the nextCursor value of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @WholeNumberQuery()
  @Min(1)
  @Max(200)
  limit?: number;
}

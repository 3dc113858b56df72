import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, Max, Min } from 'class-validator';
import { ACCOUNT_CURSOR, type AccountTracking } from '@app/persistence';
import { WholeNumberQuery } from '../common/whole-number-query';

/** Accounts a page holds when `limit` is left out: all of them on a small install. */
export const ACCOUNTS_PAGE = 200;
export const ACCOUNTS_PAGE_MAX = 1000;

/** `GET /api/v1/accounts`: which accounts, and the paging (oldest first). */
export class ListAccountsQuery {
  @ApiPropertyOptional({
    enum: ['true', 'false', 'all'],
    default: 'true',
    description:
      'true: the accounts being tracked; false: the others (no longer tracked, or known from a capture); all: both',
  })
  @IsOptional()
  @IsIn(['true', 'false', 'all'], { message: 'tracking: must be true, false or all' })
  tracking?: AccountTracking;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(ACCOUNT_CURSOR, { message: 'cursor: must be the nextCursor value of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', default: ACCOUNTS_PAGE, minimum: 1, maximum: ACCOUNTS_PAGE_MAX })
  @IsOptional()
  @WholeNumberQuery()
  @Min(1)
  @Max(ACCOUNTS_PAGE_MAX)
  limit?: number;
}

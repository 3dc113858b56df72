import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, NotContains } from 'class-validator';

export class ListQuotedStatementsQuery {
  @ApiPropertyOptional({
    description:
      'the claimed handle, with or without @ (any case): DmytroKuleba, user@host, name.bsky.social',
  })
  @IsOptional()
  @Matches(/^@?[A-Za-z0-9_][A-Za-z0-9_.:@%-]{0,299}$/, {
    message: 'handle: must be a handle such as DmytroKuleba, user@mastodon.social or name.bsky.social',
  })
  handle?: string;

  @ApiPropertyOptional({ description: 'x, bluesky, mastodon or telegram' })
  @IsOptional()
  @Matches(/^(?:x|bluesky|mastodon|telegram)$/, {
    message: 'platform: must be one of x, bluesky, mastodon, telegram',
  })
  platform?: string;

  @ApiPropertyOptional({
    description:
      'search the quoted text, with the statement search syntax: words, "a phrase", prefix*, -excluded, a OR b',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @NotContains('\u0000', { message: 'q: must not contain NUL characters' })
  q?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/, { message: 'cursor: must be the nextCursor value of a previous page' })
  cursor?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit: must be a whole number' })
  @Min(1)
  @Max(200)
  limit?: number;
}

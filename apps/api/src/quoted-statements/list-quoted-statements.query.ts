import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, NotContains } from 'class-validator';
import { SeqPageQuery } from '../common/page.query';

export class ListQuotedStatementsQuery extends SeqPageQuery {
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
}

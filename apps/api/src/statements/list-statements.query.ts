import { STATEMENT_STATUSES } from '@app/core';
import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  NotContains,
} from 'class-validator';
import { SeqPageQuery } from '../common/page.query';

export class ListStatementsQuery extends SeqPageQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() accountId?: string;

  @ApiPropertyOptional({
    description:
      'full-text search: words (any form: "министра" finds "министр"), "a phrase", prefix* (3+ letters), ' +
      '-excluded, a OR b; case and accents never count',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @NotContains('\u0000', { message: 'q: must not contain NUL characters' })
  q?: string;

  @ApiPropertyOptional({ description: "the platform's name, e.g. mastodon, x, telegram, feed" })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{0,31}$/, {
    message: 'platform: must be a platform name such as mastodon or feed',
  })
  platform?: string;

  @ApiPropertyOptional({
    description: "the statement's language, ISO 639-1 (en, uk, ru, …); with q, word forms of that language",
  })
  @IsOptional()
  @Matches(/^[a-z]{2,3}$/, { message: 'language: must be a lower-case ISO 639-1 code such as en or uk' })
  language?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'with q: add each item a snippet, escaped HTML with <mark> around the matches',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'withSnippets: must be true or false' })
  withSnippets?: 'true' | 'false';

  @ApiPropertyOptional({ description: 'authored at or after (RFC 3339)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ description: 'authored before (RFC 3339)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;

  @ApiPropertyOptional({
    enum: STATEMENT_STATUSES,
    description:
      'deleted: confirmed gone; missing: not found once, not confirmed yet; unavailable: the account went away',
  })
  @IsOptional()
  @IsIn(STATEMENT_STATUSES)
  status?: string;
}

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

/**
 * RFC 3339 (a date, or a time with its zone), years 0001 to 9999: ISO 8601's other forms (2026-W01, 20260101,
 * -2027-01-01) pass a strict ISO 8601 check but JavaScript cannot read them, or reads a year BC as AD.
 */
const TIMESTAMP = /^(?!0000)\d{4}-\d{2}-\d{2}([Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2}))?$/;
const timestampMessage = (field: string) =>
  `${field}: a date such as 2022-02-27, or an RFC 3339 time with its zone such as 2022-02-27T08:00:00Z`;

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

  @ApiPropertyOptional({
    description:
      "the platform's name, e.g. mastodon, x, bluesky, telegram, feed, web; one this archive does not read is a 400",
  })
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
  @Matches(TIMESTAMP, { message: timestampMessage('since') })
  // a calendar date that exists: 2022-02-30 matches the shape and is refused here
  @IsISO8601({ strict: true }, { message: timestampMessage('since') })
  since?: string;

  @ApiPropertyOptional({ description: 'authored before (RFC 3339)' })
  @IsOptional()
  @Matches(TIMESTAMP, { message: timestampMessage('until') })
  // a calendar date that exists: 2022-02-30 matches the shape and is refused here
  @IsISO8601({ strict: true }, { message: timestampMessage('until') })
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

import { ErrorCode, STATEMENT_STATUSES, VerbatimError } from '@app/core';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, NotContains } from 'class-validator';
import { LANGUAGES } from './i18n';

/** An empty form field means "any": the browser sends `account=` for an unchosen select. */
const emptyIsAbsent = () =>
  Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value), { toClassOnly: true });

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A language tag as a person may type it (EN, en-GB, pt-BR) is the primary language subtag, lower case: the
 * archive keeps statements' languages as ISO 639 codes (en, pt), and `language=EN` would otherwise match nothing.
 */
const primaryLanguage = () =>
  Transform(
    ({ value }: { value: unknown }) =>
      value === '' ? undefined : typeof value === 'string' ? value.toLowerCase().split('-')[0] : value,
    { toClassOnly: true },
  );

/** The reading room's search form and the language switch, as the browser sends them. */
export class SearchParams {
  @emptyIsAbsent()
  @IsOptional()
  @IsString()
  @MaxLength(500, { message: 'q: the search text is longer than 500 characters; shorten it' })
  @NotContains('\u0000', { message: 'q: must not contain NUL characters' })
  q?: string;

  @emptyIsAbsent()
  @IsOptional()
  @IsUUID('all', { message: 'account: choose an account from the list (an account id)' })
  account?: string;

  @emptyIsAbsent()
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,32}$/, {
    message: 'platform: a platform name such as mastodon, telegram, x or feed',
  })
  platform?: string;

  @emptyIsAbsent()
  @IsOptional()
  @Matches(DATE, { message: 'since: a date as YYYY-MM-DD' })
  since?: string;

  @emptyIsAbsent()
  @IsOptional()
  @Matches(DATE, { message: 'until: a date as YYYY-MM-DD' })
  until?: string;

  @emptyIsAbsent()
  @IsOptional()
  @IsIn(STATEMENT_STATUSES, { message: `status: one of ${STATEMENT_STATUSES.join(', ')}` })
  status?: string;

  @primaryLanguage()
  @IsOptional()
  @Matches(/^[a-z]{2,3}$/, { message: 'language: a language code such as uk, en or pt-BR' })
  language?: string;

  @emptyIsAbsent()
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/, { message: 'cursor: use the "Next page" link; this cursor is not one it made' })
  cursor?: string;

  @emptyIsAbsent()
  @IsOptional()
  @IsIn(LANGUAGES, { message: `lang: one of ${LANGUAGES.join(', ')}` })
  lang?: string;
}

/** Only the language switch and the page cursor: the home and account pages. */
export class PageParams {
  @emptyIsAbsent()
  @IsOptional()
  @IsIn(LANGUAGES, { message: `lang: one of ${LANGUAGES.join(', ')}` })
  lang?: string;

  @emptyIsAbsent()
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/, { message: 'cursor: use the "Next page" link; this cursor is not one it made' })
  cursor?: string;
}

/** A statement page: the page parameters, and which version it shows (a memento's link names one). */
export class StatementPageParams extends PageParams {
  @emptyIsAbsent()
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,8}$/, { message: 'version: a version number of this statement (1, 2, …)' })
  version?: string;
}

/** A calendar date that exists (2026-02-30 does not), as midnight UTC, or an error message. */
export function parseDay(value: string, field: string): Date {
  const date = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
    throw new VerbatimError(ErrorCode.InvalidInput, `${field}: ${value} is not a calendar date`);
  return date;
}

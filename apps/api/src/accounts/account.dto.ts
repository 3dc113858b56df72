import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max } from 'class-validator';
import { type AccountPage, type AccountView } from '@app/persistence';
import { UrlField } from '../common/url-field';

const POLL_INTERVAL_DESCRIPTION = 'seconds; at least VERBATIM_MIN_POLL_INTERVAL_SECONDS (30 by default)';

export class TrackAccountDto {
  @ApiProperty({
    example: 'https://mastodon.social/@Mfa_russia',
    description:
      'an X account, Mastodon profile, Bluesky account, public Telegram channel, RSS/Atom feed or web page (a press-release list)',
  })
  @UrlField()
  url!: string;

  @ApiPropertyOptional({ example: 300, description: POLL_INTERVAL_DESCRIPTION })
  @IsOptional()
  @IsInt()
  // the lower bound is the configured one, checked by refusePollIntervalBelowMinimum
  @Max(7 * 24 * 3600)
  pollIntervalSeconds?: number;
}

export class UpdateAccountDto {
  @ApiPropertyOptional({ example: 600, description: POLL_INTERVAL_DESCRIPTION })
  @IsOptional()
  @IsInt()
  // the lower bound is the configured one, checked by refusePollIntervalBelowMinimum
  @Max(7 * 24 * 3600)
  pollIntervalSeconds?: number;

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  paused?: boolean;
}

class AccountReads {
  @ApiProperty({ example: '2026-05', description: 'the calendar month (UTC) counted' })
  month!: string;

  @ApiProperty({ type: 'integer', example: 0, description: 'reads this account used in that month' })
  used!: number;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: null,
    description: "the platform's monthly read budget, for platforms paid per read (X); null for the others",
  })
  budget!: number | null;
}

const TIME = { type: String, format: 'date-time', nullable: true } as const;

/** An account as the API answers it (`AccountView`); the OpenAPI document shows this schema. */
export class AccountResponse implements AccountView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'mastodon' }) platform!: string;
  @ApiProperty({ example: 'Mfa_russia@mastodon.social' }) handle!: string;
  @ApiProperty({ type: String, nullable: true }) displayName!: string | null;
  @ApiProperty({ description: "the account's profile" }) url!: string;
  @ApiProperty({ description: 'what polls read' }) sourceUrl!: string;
  @ApiProperty() tracking!: boolean;
  @ApiProperty() paused!: boolean;
  @ApiProperty({ type: 'integer', example: 300 }) pollIntervalSeconds!: number;
  @ApiProperty({ ...TIME, description: 'null while paused or not tracked' }) nextPollAt!: string | null;
  @ApiProperty(TIME) lastPolledAt!: string | null;
  @ApiProperty({ enum: ['never', 'ok', 'unchanged', 'failed'] }) lastPollStatus!: string;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null }) lastErrorCode!: string | null;
  @ApiProperty({ type: 'integer', example: 0 }) consecutiveFailures!: number;

  @ApiProperty({
    ...TIME,
    description: "since when polls are put off for this archive's own load (local-overload); null otherwise",
  })
  deferredSince!: string | null;

  @ApiProperty({
    ...TIME,
    example: null,
    description:
      'since when rechecks find the account itself unavailable (its posts cannot be read: suspended, gone, private, behind a login, withheld); null while it answers',
  })
  unavailableSince!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['account-suspended', 'account-gone', 'private', 'login-wall', 'withheld'],
    example: null,
    description: 'why, as the platform showed it; null while the account answers',
  })
  unavailableReason!: string | null;

  @ApiProperty({ type: AccountReads }) reads!: AccountReads;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: string;
}

export class AccountPageResponse implements AccountPage {
  @ApiProperty({ type: [AccountResponse] }) items!: AccountResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'pass as cursor= for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

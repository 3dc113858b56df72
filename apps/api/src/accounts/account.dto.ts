import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max } from 'class-validator';
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

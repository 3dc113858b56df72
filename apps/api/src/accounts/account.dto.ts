import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { UrlField } from '../common/url-field';

export class TrackAccountDto {
  @ApiProperty({
    example: 'https://mastodon.social/@Mfa_russia',
    description:
      'an X account, Mastodon profile, Bluesky account, public Telegram channel, RSS/Atom feed or web page (a press-release list)',
  })
  @UrlField()
  url!: string;

  @ApiPropertyOptional({ example: 300 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 3600)
  pollIntervalSeconds?: number;
}

export class UpdateAccountDto {
  @ApiPropertyOptional({ example: 600 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 3600)
  pollIntervalSeconds?: number;

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  paused?: boolean;
}

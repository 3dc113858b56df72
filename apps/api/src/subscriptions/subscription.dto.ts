import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  NotContains,
} from 'class-validator';
import { SUBSCRIBABLE_EVENTS } from '@app/alerts';
import { EachKeywordMatchesSomething } from '../common/keyword-to-match';
import { UrlField } from '../common/url-field';

const EVENTS_MESSAGE = `events: each must be one of ${SUBSCRIBABLE_EVENTS.join(', ')}`;

export class CreateSubscriptionDto {
  @ApiProperty({ example: 'https://newsroom.example.org/hooks/verbatim' })
  @UrlField()
  url!: string;

  @ApiProperty({
    enum: SUBSCRIBABLE_EVENTS,
    isArray: true,
    example: ['statement.created', 'statement.deleted'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SUBSCRIBABLE_EVENTS.length)
  @IsIn(SUBSCRIBABLE_EVENTS, { each: true, message: EVENTS_MESSAGE })
  events!: string[];

  @ApiPropertyOptional({ description: 'only these accounts (ids from /api/v1/accounts)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID(undefined, { each: true })
  accountIds?: string[];

  @ApiPropertyOptional({
    description: 'only statements containing one of these words or phrases (case and accents ignored)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @EachKeywordMatchesSomething()
  @MaxLength(200, { each: true })
  @NotContains('\u0000', { each: true, message: 'keywords: must not contain NUL characters' })
  keywords?: string[];
}

export class UpdateSubscriptionDto {
  @ApiPropertyOptional() @IsOptional() @UrlField() url?: string;

  @ApiPropertyOptional({ enum: SUBSCRIBABLE_EVENTS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SUBSCRIBABLE_EVENTS.length)
  @IsIn(SUBSCRIBABLE_EVENTS, { each: true, message: EVENTS_MESSAGE })
  events?: string[];

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID(undefined, { each: true })
  accountIds?: string[] | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @EachKeywordMatchesSomething()
  @MaxLength(200, { each: true })
  @NotContains('\u0000', { each: true, message: 'keywords: must not contain NUL characters' })
  keywords?: string[] | null;

  @ApiPropertyOptional({ description: 'false pauses deliveries; true resumes them (and clears a disable)' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

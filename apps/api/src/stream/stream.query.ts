import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, MaxLength } from 'class-validator';

export class StreamQuery {
  @ApiPropertyOptional({
    description: 'comma-separated event types, e.g. statement.created,statement.deleted',
  })
  @IsOptional()
  @Matches(/^[a-z]+\.[a-z]+(,[a-z]+\.[a-z]+)*$/, { message: 'events: comma-separated event types' })
  events?: string;

  @ApiPropertyOptional({ description: 'comma-separated account ids' })
  @IsOptional()
  @Matches(/^[0-9a-f-]{36}(,[0-9a-f-]{36})*$/i, { message: 'accountIds: comma-separated account ids' })
  accountIds?: string;

  @ApiPropertyOptional({ description: 'comma-separated keywords (case and accents ignored)' })
  @IsOptional()
  @MaxLength(2000)
  keywords?: string;

  @ApiPropertyOptional({ description: 'resume after this event id (the Last-Event-ID header wins)' })
  @IsOptional()
  @Matches(/^[0-9]{1,18}$/, { message: 'lastEventId: must be the id of an event this stream sent' })
  lastEventId?: string;
}

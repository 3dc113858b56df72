import { InjectQueue } from '@nestjs/bullmq';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue } from 'bullmq';
import { IsString, MaxLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import { CaptureRequestEntity } from '@app/persistence';
import { JobName, QueueName, jobIds } from '@app/queues';
import { ConnectorRegistry } from '@app/sources';

export class CaptureDto {
  @ApiProperty({ example: 'https://mastodon.social/@user/113208307425678901' })
  @IsString()
  @MaxLength(2048)
  url!: string;
}

@ApiTags('captures')
@Controller('api/v1/captures')
export class CapturesController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly connectors: ConnectorRegistry,
    @InjectQueue(QueueName.Capture) private readonly queue: Queue,
  ) {}

  /** Capture one post (or a feed's items) now. The request is kept in Postgres first, so it survives a flushed Redis. */
  @Post()
  @HttpCode(202)
  @ApiBearerAuth()
  async create(@Body() body: CaptureDto) {
    this.connectors.forCapture(body.url);
    const request = await this.db.getRepository(CaptureRequestEntity).save({ url: body.url });
    await this.queue
      .add(JobName.CaptureUrl, { requestId: request.id }, { jobId: jobIds.capture(request.id) })
      .catch(() => undefined); // the scheduler tick enqueues it again from Postgres
    return { jobId: request.id, state: request.state };
  }

  @Get(':jobId')
  async get(@Param('jobId', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) jobId: string) {
    const request = await this.db.getRepository(CaptureRequestEntity).findOneBy({ id: jobId });
    if (!request) throw new VerbatimError(ErrorCode.NotFound, `no capture ${jobId}`);
    return {
      jobId: request.id,
      url: request.url,
      state: request.state,
      statementId: request.statementIds[0] ?? null,
      statementIds: request.statementIds,
      attempts: request.attempts,
      errorCode: request.errorCode,
      error: request.error,
      createdAt: request.createdAt.toISOString(),
      finishedAt: request.finishedAt?.toISOString() ?? null,
    };
  }
}

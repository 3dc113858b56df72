import { InjectQueue } from '@nestjs/bullmq';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import { createCaptureRequest, findCaptureRequestView } from '@app/persistence';
import { JobName, QueueName, jobIds } from '@app/queues';
import { ConnectorRegistry } from '@app/sources';
import { UrlField } from '../common/url-field';

export class CaptureDto {
  @ApiProperty({ example: 'https://mastodon.social/@user/113208307425678901' })
  @UrlField()
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
    const request = await createCaptureRequest(this.db.manager, body.url);
    await this.queue
      .add(JobName.CaptureUrl, { requestId: request.id }, { jobId: jobIds.capture(request.id) })
      .catch(() => undefined); // the scheduler tick enqueues it again from Postgres
    return { jobId: request.id, state: request.state };
  }

  @Get(':jobId')
  async get(@Param('jobId', new ParseUUIDPipe({ errorHttpStatusCode: 400 })) jobId: string) {
    const request = await findCaptureRequestView(this.db.manager, jobId);
    if (!request) throw new VerbatimError(ErrorCode.NotFound, `no capture ${jobId}`);
    return request;
  }
}

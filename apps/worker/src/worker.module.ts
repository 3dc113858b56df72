import { Module } from '@nestjs/common';
import { AlertsModule } from '@app/alerts';
import { BlobsModule } from '@app/blobs';
import { CaptureModule, QuotationsModule } from '@app/capture';
import { QueuesModule } from '@app/queues';
import { LogModule } from '@app/log';
import { SourcesModule } from '@app/sources';
import { DeliverWebhooksProcessor } from './alerts/deliver-webhooks.processor';
import { SequenceEventsProcessor } from './alerts/sequence-events.processor';
import { CanaryChecksService } from './canary/canary-checks.service';
import { CaptureUrlProcessor } from './capture/capture-url.processor';
import { CaptureUrlUseCase } from './capture/capture-url.use-case';
import { PollAccountProcessor } from './poll/poll-account.processor';
import { PollAccountUseCase } from './poll/poll-account.use-case';
import { BlueskyPushService } from './push/bluesky-push.service';
import { AnchorCheckpointProcessor } from './log/anchor-checkpoint.processor';
import { IntegrateLogProcessor } from './log/integrate-log.processor';
import { DownloadMediaProcessor } from './media/download-media.processor';
import { DownloadMediaUseCase } from './media/download-media.use-case';
import { RecheckStatementsProcessor } from './recheck/recheck-statements.processor';
import { RecheckStatementsUseCase } from './recheck/recheck-statements.use-case';
import { SchedulerService } from './scheduler/scheduler.service';

/** The queue processors and the scheduler tick. Processors live only here, never in the API. */
@Module({
  imports: [
    QueuesModule,
    SourcesModule,
    LogModule,
    CaptureModule,
    QuotationsModule,
    AlertsModule,
    BlobsModule,
  ],
  providers: [
    SchedulerService,
    CanaryChecksService,
    PollAccountUseCase,
    PollAccountProcessor,
    CaptureUrlUseCase,
    CaptureUrlProcessor,
    IntegrateLogProcessor,
    AnchorCheckpointProcessor,
    SequenceEventsProcessor,
    DeliverWebhooksProcessor,
    RecheckStatementsUseCase,
    RecheckStatementsProcessor,
    DownloadMediaUseCase,
    DownloadMediaProcessor,
    BlueskyPushService,
  ],
  exports: [SchedulerService, BlueskyPushService],
})
export class WorkerModule {}

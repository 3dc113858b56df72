import { BlobsModule } from '@app/blobs';
import { Module } from '@nestjs/common';
import { QueuesModule } from '@app/queues';
import { LogModule } from '@app/log';
import { SourcesModule } from '@app/sources';
import { QuotationsModule } from '@app/capture';
import { AccountsController } from './accounts/accounts.controller';
import { TrackAccountUseCase } from './accounts/track-account.use-case';
import { ArtifactsController } from './artifacts/artifacts.controller';
import { VerifyScriptController } from './assets/verify-script.controller';
import { AccessPolicy } from './auth/access-policy';
import { TokenService } from './auth/token.service';
import { CapturesController } from './captures/captures.controller';
import { ExtractionsController } from './extractions/extractions.controller';
import { ExtractQuotesUseCase } from './extractions/extract-quotes.use-case';
import { EvidenceController } from './log/evidence.controller';
import { LogController } from './log/log.controller';
import { MementoController } from './memento/memento.controller';
import { WitnessController } from './log/witness.controller';
import { PlatformsController } from './platforms/platforms.controller';
import { QuotedStatementsController } from './quoted-statements/quoted-statements.controller';
import { StatementsController } from './statements/statements.controller';
import { WarcController } from './warc/warc.controller';
import { FeedsController } from './feeds/feeds.controller';
import { PagesModule } from './pages/pages.module';
import { OutboxListener } from './stream/outbox-listener';
import { StreamController } from './stream/stream.controller';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';

/** The REST API. It only produces jobs; processors live in the worker. */
@Module({
  imports: [QueuesModule, SourcesModule, LogModule, PagesModule, BlobsModule, QuotationsModule],
  controllers: [
    AccountsController,
    StatementsController,
    QuotedStatementsController,
    EvidenceController,
    ArtifactsController,
    CapturesController,
    ExtractionsController,
    LogController,
    WitnessController,
    SubscriptionsController,
    StreamController,
    FeedsController,
    PlatformsController,
    VerifyScriptController,
    MementoController,
    WarcController,
  ],
  // the token guard is registered by the composition root, for every role a process runs
  providers: [TokenService, TrackAccountUseCase, ExtractQuotesUseCase, AccessPolicy, OutboxListener],
})
export class ApiModule {}

import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { QueuesModule } from '@app/queues';
import { SourcesModule } from '@app/sources';
import { AccountsController } from './accounts/accounts.controller';
import { TrackAccountUseCase } from './accounts/track-account.use-case';
import { ArtifactsController } from './artifacts/artifacts.controller';
import { TokenGuard } from './auth/token.guard';
import { TokenService } from './auth/token.service';
import { CapturesController } from './captures/captures.controller';
import { StatementsController } from './statements/statements.controller';

/** The REST API. It only produces jobs; processors live in the worker. */
@Module({
  imports: [QueuesModule, SourcesModule],
  controllers: [AccountsController, StatementsController, ArtifactsController, CapturesController],
  providers: [TokenService, TrackAccountUseCase, { provide: APP_GUARD, useClass: TokenGuard }],
})
export class ApiModule {}

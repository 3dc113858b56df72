import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AccessPolicy, ApiModule, createValidationPipe, ErrorFilter, TokenGuard } from '@app/api';
import { ConfigModule, type VerbatimConfig } from '@app/config';
import { ObservabilityModule } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { WorkerModule } from '@app/worker';
import { createRootLogger, ROOT_LOGGER } from './logging';

export interface Roles {
  api: boolean;
  worker: boolean;
}

/**
 * One process, any roles: the API, the workers, or both (the single-machine install). Health and metrics
 * are served in every role.
 */
@Module({})
export class AppModule {
  static forRoot(config: VerbatimConfig, roles: Roles): DynamicModule {
    const logger = createRootLogger(config, roles);
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // requests are logged by `requestLogging` (see configureApp), not by nestjs-pino's middleware
        LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] }),
        PersistenceModule,
        ObservabilityModule,
        ...(roles.api ? [ApiModule] : []),
        ...(roles.worker ? [WorkerModule] : []),
      ],
      providers: [
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        // every role: a worker-only process serves /metrics too, and it is private when reads are
        AccessPolicy,
        { provide: APP_GUARD, useClass: TokenGuard },
      ],
    };
  }
}

import { Global, Module } from '@nestjs/common';
import { QueuesModule } from '@app/queues';
import { DatabaseProbe } from './database-probe';
import { HealthController } from './health.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({
  imports: [QueuesModule],
  controllers: [HealthController],
  providers: [MetricsService, DatabaseProbe],
  exports: [MetricsService],
})
export class ObservabilityModule {}

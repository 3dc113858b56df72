import { Global, Module } from '@nestjs/common';
import { QueuesModule } from '@app/queues';
import { HealthController } from './health.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({
  imports: [QueuesModule],
  controllers: [HealthController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class ObservabilityModule {}

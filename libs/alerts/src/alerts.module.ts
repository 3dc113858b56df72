import { Module } from '@nestjs/common';
import { QueuesModule } from '@app/queues';
import { SourcesModule } from '@app/sources';
import { OutboxSequencer } from './outbox-sequencer';
import { WebhookDeliverer } from './webhook-deliverer';

/** The outbox sequencer and the webhook deliverer, for the worker role. */
@Module({
  imports: [QueuesModule, SourcesModule],
  providers: [OutboxSequencer, WebhookDeliverer],
  exports: [OutboxSequencer, WebhookDeliverer],
})
export class AlertsModule {}

import { Module } from '@nestjs/common';
import { QueuesModule } from '@app/queues';
import { SourcesModule } from '@app/sources';
import { QuotationRecorder } from './quotation-recorder';

/** Quoted statements found in documents, for the API (articles sent to it) and the workers (pages captured). */
@Module({
  imports: [QueuesModule, SourcesModule],
  providers: [QuotationRecorder],
  exports: [QuotationRecorder],
})
export class QuotationsModule {}

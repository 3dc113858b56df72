import { Module } from '@nestjs/common';
import { QueuesModule } from '@app/queues';
import { CaptureWriter } from './capture-writer';

/** The capture writer, for whichever role finds posts: polls, on-demand captures, rechecks. */
@Module({
  imports: [QueuesModule],
  providers: [CaptureWriter],
  exports: [CaptureWriter],
})
export class CaptureModule {}

import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import {
  checkpointAt,
  collectCosignatures,
  LOG_KEY,
  readTsaTrustFile,
  timestampCheckpoint,
  type LogKey,
} from '@app/log';
import { MetricsService } from '@app/observability';
import { JobName, QueueName, type JobOf, WORKER_LOCKS } from '@app/queues';
import { GuardedHttpClient } from '@app/sources';

/**
 * Anchors a signed checkpoint outside the log: RFC 3161 tokens from every configured TSA and cosignatures
 * from every configured witness. Each anchor is stored once (unique per checkpoint and TSA or witness), so a
 * replayed job only fills in what is missing. One TSA or witness being down never blocks the others.
 */
@Processor(QueueName.Anchor, { concurrency: 2, ...WORKER_LOCKS })
export class AnchorCheckpointProcessor extends WorkerHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AnchorCheckpointProcessor.name);
  /** VERBATIM_TSA_TRUST_FILE's certificates, read when the workers start: a bad file stops the start */
  private readonly tsaTrust: string[] | undefined;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LOG_KEY) private readonly key: LogKey,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    private readonly http: GuardedHttpClient,
    private readonly metrics: MetricsService,
  ) {
    super();
    this.tsaTrust = readTsaTrustFile(config.log.tsaTrustFile);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job<JobOf<'anchor-checkpoint'>>): Promise<void> {
    if (job.name !== JobName.AnchorCheckpoint)
      throw new Error(`queue ${QueueName.Anchor} has no handler for job "${job.name}"`);
    const checkpoint = await checkpointAt(this.db.manager, job.data.size);
    if (!checkpoint) throw new Error(`checkpoint ${job.data.size} does not exist`);
    const [timestamps, cosignatures] = await Promise.all([
      timestampCheckpoint(this.db.manager, this.http, checkpoint, this.config.log.tsaUrls, this.tsaTrust),
      collectCosignatures(this.db, this.http, this.key, checkpoint, this.config.log.witnesses),
    ]);
    // an anchor stored by an earlier try of this job is not counted again
    for (const t of timestamps.filter((o) => o.status !== 'already-timestamped'))
      this.count('timestamp', t.tsa, t.status === 'failed');
    for (const c of cosignatures.filter((o) => o.status !== 'already-cosigned'))
      this.count('cosignature', c.url, c.status === 'failed');
    const failed = [...timestamps, ...cosignatures].filter((o) => o.status === 'failed');
    if (failed.length > 0)
      this.logger.warn(`checkpoint ${checkpoint.size}: ${failed.length} anchor(s) failed`);
  }

  private count(kind: 'timestamp' | 'cosignature', anchor: string, failed: boolean): void {
    this.metrics.checkpointAnchors.inc({ kind, anchor, outcome: failed ? 'failed' : 'anchored' });
  }
}

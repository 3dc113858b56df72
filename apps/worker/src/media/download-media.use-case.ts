import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { BLOB_STORE, type BlobStore } from '@app/blobs';
import { SourceError } from '@app/core';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { scheduleIntegration } from '@app/log';
import { findMediaToDownload, recordStoredMedia, recordUnstoredMedia } from '@app/persistence';
import { QueueName, type JobOf } from '@app/queues';
import { BodyTooLarge, GuardedHttpClient } from '@app/sources';
import { mediaTypeOf } from './media-type';

export interface MediaOutcome {
  stored: number;
  skipped: number;
  failed: number;
}

type Download =
  | { kind: 'stored'; sha256: string; size: number; mediaType: string }
  | { kind: 'skipped' | 'failed'; reason: string };

/**
 * Downloads the pending media items of one version into the blob store, one at a time, streamed through the
 * guarded HTTP client under VERBATIM_MEDIA_MAX_BYTES. Each outcome is recorded as it comes: a stored file
 * gets its artifact row and a `media` log entry; a file over the limit is `skipped` with the reason; a file
 * the source would not give is `failed` with the reason (after MEDIA_ATTEMPTS tries, each queued again by the
 * scheduler). Neither fails the job: only our own infrastructure
 * (database, disk) does, and the job is retried. Re-running the job finds nothing pending and does nothing.
 */
@Injectable()
export class DownloadMediaUseCase {
  private readonly logger = new Logger(DownloadMediaUseCase.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly http: GuardedHttpClient,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    @InjectQueue(QueueName.Log) private readonly logQueue: Queue,
  ) {}

  async execute(key: JobOf<'download-media'>): Promise<MediaOutcome> {
    const outcome: MediaOutcome = { stored: 0, skipped: 0, failed: 0 };
    const found = await findMediaToDownload(this.db.manager, key);
    if (!found) return outcome;
    for (const item of found.items) {
      const result = await this.download(item.url);
      if (result.kind === 'stored') {
        const recorded = await this.db.transaction((tx) =>
          recordStoredMedia(
            tx,
            {
              key,
              recordSha256: found.recordSha256,
              position: item.position,
              ...result,
              downloadedAt: new Date(),
            },
            this.config.log.origin,
          ),
        );
        if (recorded) outcome.stored++;
      } else {
        const state = await recordUnstoredMedia(
          this.db.manager,
          key,
          item.position,
          result.kind,
          result.reason,
        );
        this.logger.warn(
          `media ${item.url.slice(0, 300)} ${result.kind}${state === 'pending' ? ' (to be tried again)' : ''}: ${result.reason}`,
        );
        outcome[result.kind]++;
      }
    }
    if (outcome.stored > 0) {
      scheduleIntegration(this.logQueue, this.config.log.checkpointIntervalMs).catch((error: Error) =>
        this.logger.warn(`could not schedule log integration: ${error.message}`),
      );
    }
    return outcome;
  }

  private async download(url: string): Promise<Download> {
    const { maxBytes, timeoutMs } = this.config.media;
    try {
      return await this.http.download(url, { maxBytes, timeoutMs }, async (response): Promise<Download> => {
        if (response.status < 200 || response.status > 299) {
          response.body.destroy();
          return { kind: 'failed', reason: `${new URL(response.url).host} answered HTTP ${response.status}` };
        }
        const stored = await this.blobs.put(response.body);
        return { kind: 'stored', ...stored, mediaType: mediaTypeOf(response.headers['content-type']) };
      });
    } catch (error) {
      if (error instanceof BodyTooLarge) return { kind: 'skipped', reason: error.message };
      if (error instanceof SourceError) return { kind: 'failed', reason: error.message };
      throw error;
    }
  }
}

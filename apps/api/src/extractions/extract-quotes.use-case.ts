import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { recordExtraction } from '@app/capture';
import { scheduleIntegration } from '@app/log';
import { createCaptureRequest, findQuotedStatement, type QuotedStatementView } from '@app/persistence';
import { JobName, QueueName, jobIds } from '@app/queues';
import { ConnectorRegistry } from '@app/sources';
import { type ExtractionDto } from './extraction.dto';

export interface ExtractionResponse {
  format: 'text' | 'html';
  quotedStatements: (QuotedStatementView & { recorded: boolean; captureRequested: string | null })[];
}

/**
 * Records the quoted statements of an article, then asks for what follows: the log to integrate their
 * entries, and a capture of each post an embed named that we do not hold yet, so the claim can be compared
 * with the original.
 */
@Injectable()
export class ExtractQuotesUseCase {
  private readonly logger = new Logger(ExtractQuotesUseCase.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    private readonly connectors: ConnectorRegistry,
    @InjectQueue(QueueName.Log) private readonly logQueue: Queue,
    @InjectQueue(QueueName.Capture) private readonly captureQueue: Queue,
  ) {}

  async execute(body: ExtractionDto): Promise<ExtractionResponse> {
    const result = await recordExtraction(
      this.db,
      { document: body.text, format: body.format, sourceUrl: body.sourceUrl ?? null },
      this.config.log.origin,
    );
    if (result.quotes.some((q) => q.recorded)) {
      scheduleIntegration(this.logQueue, this.config.log.checkpointIntervalMs).catch((error: Error) =>
        this.logger.warn(`could not schedule log integration: ${error.message}`),
      );
    }
    const quotedStatements: ExtractionResponse['quotedStatements'] = [];
    for (const { quote, quotedStatementId, recorded } of result.quotes) {
      const view = (await findQuotedStatement(this.db.manager, quotedStatementId))!;
      const captureRequested =
        view.original === null && quote.postUrl !== null ? await this.requestCapture(quote.postUrl) : null;
      quotedStatements.push({ ...view, recorded, captureRequested });
    }
    return { format: result.format, quotedStatements };
  }

  /** Enqueues a capture of the post an embed named, when a connector takes its URL; its request id, or null. */
  private async requestCapture(url: string): Promise<string | null> {
    try {
      this.connectors.forCapture(url);
    } catch {
      return null; // no connector for it (or it is not configured): the quote stands without an original
    }
    const request = await createCaptureRequest(this.db.manager, url);
    await this.captureQueue
      .add(JobName.CaptureUrl, { requestId: request.id }, { jobId: jobIds.capture(request.id) })
      .catch(() => undefined); // the scheduler tick enqueues it again from Postgres
    return request.id;
  }
}

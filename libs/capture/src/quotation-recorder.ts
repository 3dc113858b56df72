import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { scheduleSequencing } from '@app/alerts';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { type QuoteDocumentFormat } from '@app/core';
import { scheduleIntegration } from '@app/log';
import { createCaptureRequest, findQuotedStatement, type QuotedStatementView } from '@app/persistence';
import { JobName, QueueName, jobIds } from '@app/queues';
import { ConnectorRegistry, decodeHtml } from '@app/sources';
import { type FoundPost } from './prepare-posts';
import { recordExtraction, type ExtractionInput } from './record-extraction';

/**
 * Largest captured page whose embeds are looked for (characters). The extractor builds a DOM on the worker's
 * event loop; real articles are far smaller, and a larger page is still captured, only not read for quotes.
 */
export const PAGE_QUOTE_SCAN_MAX_CHARS = 1_000_000;

export interface RecordedQuotations {
  format: QuoteDocumentFormat;
  quotedStatements: (QuotedStatementView & { recorded: boolean; captureRequested: string | null })[];
  /** distinct quoted statements in the document; over `limit`, only the first `limit` were recorded */
  found: number;
  limit: number;
  truncated: boolean;
}

/**
 * Records the quoted statements of a document, then asks for what follows: the log to integrate their
 * entries, the outbox to position their `statement.quoted` events, and a capture of each post an embed named that we do not hold yet, so the claim can be compared
 * with the original. The one place both an article sent to the API and a web page the workers captured go
 * through.
 */
@Injectable()
export class QuotationRecorder {
  private readonly logger = new Logger(QuotationRecorder.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    private readonly connectors: ConnectorRegistry,
    @InjectQueue(QueueName.Log) private readonly logQueue: Queue,
    @InjectQueue(QueueName.Capture) private readonly captureQueue: Queue,
    @InjectQueue(QueueName.Outbox) private readonly outboxQueue: Queue,
  ) {}

  async record(input: ExtractionInput): Promise<RecordedQuotations> {
    const result = await recordExtraction(
      this.db,
      { ...input, maxQuotes: input.maxQuotes ?? this.config.quotes.maxPerDocument },
      this.config.log.origin,
    );
    if (result.quotes.some((q) => q.recorded)) {
      scheduleIntegration(this.logQueue, this.config.log.checkpointIntervalMs).catch((error: Error) =>
        this.logger.warn(`could not schedule log integration: ${error.message}`),
      );
      // the statement.quoted events: subscribers hear of them once the outbox positions them
      scheduleSequencing(this.outboxQueue).catch((error: Error) =>
        this.logger.warn(`could not schedule event sequencing: ${error.message}`),
      );
    }
    const quotedStatements: RecordedQuotations['quotedStatements'] = [];
    for (const { quote, quotedStatementId, recorded } of result.quotes) {
      const view = (await findQuotedStatement(this.db.manager, quotedStatementId))!;
      const captureRequested =
        view.original === null && quote.postUrl !== null ? await this.requestCapture(quote.postUrl) : null;
      quotedStatements.push({ ...view, recorded, captureRequested });
    }
    return {
      format: result.format,
      quotedStatements,
      found: result.found,
      limit: result.limit,
      truncated: result.truncated,
    };
  }

  /**
   * The quoted statements of the web pages among captured posts, read from each page's raw HTML as it was
   * received (Readability, which strips embeds, never saw these bytes), with the page's URL as their
   * source. A page that cannot be read for quotes costs only its quotes: said in the log, never thrown.
   */
  async recordPagesOf(posts: FoundPost[]): Promise<void> {
    for (const post of posts) {
      if (post.content.platform !== 'web') continue;
      const page = post.artifacts.find((a) => a.role === 'page');
      if (!page) continue;
      const document = decodeHtml(page.bytes, page.mediaType);
      if (document.length > PAGE_QUOTE_SCAN_MAX_CHARS) {
        this.logger.warn(
          `${post.content.url}: not read for quoted statements (${document.length} characters, at most ${PAGE_QUOTE_SCAN_MAX_CHARS})`,
        );
        continue;
      }
      try {
        await this.record({ document, format: 'html', sourceUrl: post.content.url });
      } catch (error) {
        if (!(error instanceof RangeError) && !(error instanceof SyntaxError)) throw error;
        this.logger.warn(`${post.content.url}: not read for quoted statements: ${error.message}`);
      }
    }
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

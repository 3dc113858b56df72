import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { type QuoteDocumentFormat } from '@app/core';
import {
  createCaptureRequest,
  findQuotedStatement,
  isDataException,
  requestCaptureOnce,
  type QuotedStatementView,
} from '@app/persistence';
import { JobName, QueueName, jobIds } from '@app/queues';
import { ConnectorRegistry, decodeHtml } from '@app/sources';
import { type FoundPost } from './prepare-posts';
import { recordExtraction, type ExtractionInput } from './record-extraction';
import { requestLogAndEvents } from './writer-support';

/**
 * Largest captured page whose embeds are looked for (characters). The extractor builds a DOM on the worker's
 * event loop; real articles are far smaller, and a larger page is still captured, only not read for quotes.
 */
export const PAGE_QUOTE_SCAN_MAX_CHARS = 300_000;

/**
 * Captures a page the workers read may ask for: of embeds only (a plain link is not the page quoting a post),
 * at most this many per page, each URL once a day. A page cannot make the archive fetch a hundred hosts, or
 * spend an X read budget, on its own say.
 */
export const PAGE_CAPTURE_REQUESTS_MAX = 10;
/** A post asked for on the archive's own initiative is asked for again at most this often (seconds). */
const OWN_CAPTURE_REQUEST_EVERY_S = 86_400;

/** Who asked for the quotes: a person (the API: every named post is captured) or a worker reading a page. */
type CapturePolicy = { kind: 'asked' } | { kind: 'page'; max: number };

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

  async record(
    input: ExtractionInput,
    policy: CapturePolicy = { kind: 'asked' },
  ): Promise<RecordedQuotations> {
    const result = await recordExtraction(
      this.db,
      { ...input, maxQuotes: input.maxQuotes ?? this.config.quotes.maxPerDocument },
      this.config.log.origin,
    );
    // their log entries, and their statement.quoted events for subscribers
    if (result.quotes.some((q) => q.recorded))
      requestLogAndEvents(
        { log: this.logQueue, outbox: this.outboxQueue },
        this.config.log.checkpointIntervalMs,
        this.logger,
      );
    const quotedStatements: RecordedQuotations['quotedStatements'] = [];
    let requested = 0;
    for (const { quote, quotedStatementId, recorded } of result.quotes) {
      const view = (await findQuotedStatement(this.db.manager, quotedStatementId))!;
      const wanted =
        view.original === null &&
        quote.postUrl !== null &&
        (policy.kind === 'asked' || (quote.foundIn === 'embed' && requested < policy.max));
      const captureRequested = wanted ? await this.requestCapture(quote.postUrl!, policy) : null;
      if (captureRequested !== null) requested++;
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
        await this.record(
          { document, format: 'html', sourceUrl: post.content.url },
          { kind: 'page', max: PAGE_CAPTURE_REQUESTS_MAX },
        );
      } catch (error) {
        // what the page holds, not the infrastructure: a value the database refuses costs the page its quotes
        if (!isRefusedValue(error)) throw error;
        this.logger.warn(`${post.content.url}: not read for quoted statements: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Enqueues a capture of the post an embed named, when a connector takes its URL; its request id, or null.
   * Asked by a person, every time; on a worker's own initiative, once a day per URL.
   */
  private async requestCapture(url: string, policy: CapturePolicy): Promise<string | null> {
    try {
      this.connectors.forCapture(url);
    } catch {
      return null; // no connector for it (or it is not configured): the quote stands without an original
    }
    const request =
      policy.kind === 'asked'
        ? await createCaptureRequest(this.db.manager, url)
        : await requestCaptureOnce(this.db.manager, url, OWN_CAPTURE_REQUEST_EVERY_S);
    if ('created' in request && !request.created) return request.id;
    await this.captureQueue
      .add(JobName.CaptureUrl, { requestId: request.id }, { jobId: jobIds.capture(request.id) })
      .catch(() => undefined); // the scheduler tick enqueues it again from Postgres
    return request.id;
  }
}

/** A parse error, or a value PostgreSQL refuses (classes 22 and 54 data, 23 a constraint): the input's fault. */
function isRefusedValue(error: unknown): boolean {
  if (error instanceof RangeError || error instanceof SyntaxError || isDataException(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('23');
}

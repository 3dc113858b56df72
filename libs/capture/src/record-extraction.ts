import { type DataSource } from 'typeorm';
import {
  DEFAULT_MAX_QUOTES_PER_DOCUMENT,
  detectQuoteFormat,
  extractQuotes,
  withoutNulCharacters,
  type ExtractedQuote,
  type QuoteDocumentFormat,
} from '@app/core';
import { writeQuotations } from '@app/persistence';

/** A document to read quotes from: an article's text or HTML, and where it was published when known. */
export interface ExtractionInput {
  document: string;
  /** how to read it; by default HTML when it looks like markup, text otherwise */
  format?: QuoteDocumentFormat;
  sourceUrl: string | null;
  /**
   * At most this many quoted statements are recorded from the document (the first, in document order);
   * VERBATIM_MAX_QUOTES_PER_DOCUMENT, DEFAULT_MAX_QUOTES_PER_DOCUMENT when not given
   */
  maxQuotes?: number;
}

export interface RecordedQuote {
  quote: ExtractedQuote;
  quotedStatementId: string;
  quotationId: string;
  /** false: this document's claim was already recorded */
  recorded: boolean;
}

export interface ExtractionResult {
  format: QuoteDocumentFormat;
  quotes: RecordedQuote[];
  /** distinct quoted statements the document holds; more than `quotes` when it held over `limit` */
  found: number;
  limit: number;
  truncated: boolean;
}

const MEDIA_TYPES: Record<QuoteDocumentFormat, string> = {
  text: 'text/plain; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/**
 * Finds the quoted statements in a document and records them in one transaction, the document kept as the
 * artifact they were read from. Their log entries wait in log_pending: the sequencer's next run (or the
 * scheduler's tick) integrates them.
 */
export async function recordExtraction(
  db: DataSource,
  input: ExtractionInput,
  logOrigin: string,
): Promise<ExtractionResult> {
  const format = input.format ?? detectQuoteFormat(input.document);
  // PostgreSQL text cannot hold U+0000: the quotes carry U+FFFD instead (the document keeps the exact bytes)
  const extraction = extractQuotes(
    input.document,
    format,
    input.maxQuotes ?? DEFAULT_MAX_QUOTES_PER_DOCUMENT,
  );
  const quotes = extraction.quotes.map((q) => withoutNulCharacters(q));
  const written = await db.transaction((tx) =>
    writeQuotations(
      tx,
      {
        bytes: Buffer.from(input.document, 'utf8'),
        mediaType: MEDIA_TYPES[format],
        sourceUrl: input.sourceUrl,
      },
      quotes,
      logOrigin,
      new Date(),
    ),
  );
  return {
    format,
    quotes: quotes.map((quote, i) => ({ quote, ...written[i] })),
    found: extraction.found,
    limit: extraction.limit,
    truncated: extraction.truncated,
  };
}

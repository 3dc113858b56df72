import { type EntityManager } from 'typeorm';
import {
  ARTIFACT_ROLES,
  canonicalSha256,
  normalizeQuotedText,
  sha256Hex,
  type ExtractedQuote,
} from '@app/core';
import { buildLogEntry } from '@app/ledger';

/** The document quotes were read from, exactly as it was given to us. */
export interface QuoteSourceDocument {
  bytes: Buffer;
  /** text/plain or text/html, with its charset */
  mediaType: string;
  /** where the document was published, when the person who gave it said so */
  sourceUrl: string | null;
}

/** The claim one document makes about one quoted statement: hashed into its log entry. */
export interface QuotationRecord {
  kind: 'quotation';
  platform: string;
  handle: string;
  name: string | null;
  date: string | null;
  text: string;
  foundIn: 'text' | 'embed';
  postId: string | null;
  postUrl: string | null;
  sourceUrl: string | null;
  documentSha256: string;
}

export interface WrittenQuotation {
  quotedStatementId: string;
  /** false: this document's claim was recorded before (the same bytes extracted again) */
  recorded: boolean;
}

/**
 * Records the quotes found in one document, in the caller's transaction: the document as an artifact, one
 * quoted statement per handle and normalized text (found or created), and one quotation (this document's
 * claim) each, queued for the transparency log as a `quotation` entry. Extracting the same document again
 * writes nothing: quotations are unique per quoted statement and document.
 */
export async function writeQuotations(
  db: EntityManager,
  document: QuoteSourceDocument,
  quotes: ExtractedQuote[],
  logOrigin: string,
  extractedAt: Date,
): Promise<WrittenQuotation[]> {
  if (quotes.length === 0) return [];
  const documentSha256 = sha256Hex(document.bytes);
  await db.query(
    `INSERT INTO artifacts (sha256, media_type, size, bytes) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`,
    [documentSha256, document.mediaType, document.bytes.length, document.bytes],
  );
  const written: WrittenQuotation[] = [];
  for (const quote of quotes) {
    const quotedStatementId = await quotedStatementFor(db, quote);
    const record: QuotationRecord = {
      kind: 'quotation',
      platform: quote.platform,
      handle: quote.handle,
      name: quote.name,
      date: quote.date,
      text: quote.text,
      foundIn: quote.foundIn,
      postId: quote.postId,
      postUrl: quote.postUrl,
      sourceUrl: document.sourceUrl,
      documentSha256,
    };
    const recordSha256 = canonicalSha256(record);
    const inserted: { id: string }[] = await db.query(
      `INSERT INTO quotations (quoted_statement_id, document_sha256, source_url, found_in, quoted_text, claimed_handle,
         claimed_name, claimed_date, post_id, post_url, record, record_sha256, extracted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (quoted_statement_id, document_sha256) DO NOTHING RETURNING id`,
      [
        quotedStatementId,
        documentSha256,
        document.sourceUrl,
        quote.foundIn,
        quote.text,
        quote.handle,
        quote.name,
        quote.date,
        quote.postId,
        quote.postUrl,
        JSON.stringify(record),
        recordSha256,
        extractedAt,
      ],
    );
    if (inserted.length > 0) {
      const entry = buildLogEntry({
        type: 'quotation',
        statementId: quotedStatementId,
        recordSha256,
        artifacts: [
          {
            role: ARTIFACT_ROLES.sourceDocument,
            mediaType: document.mediaType,
            size: document.bytes.length,
            sha256: documentSha256,
          },
        ],
        capturedAt: extractedAt.toISOString(),
        origin: logOrigin,
      });
      await db.query(`INSERT INTO log_pending (entry, statement_id) VALUES ($1, $2)`, [
        Buffer.from(entry),
        quotedStatementId,
      ]);
    }
    written.push({ quotedStatementId, recorded: inserted.length > 0 });
  }
  return written;
}

/** The quoted statement of this handle and text, created when it is the first time anyone quoted it. */
async function quotedStatementFor(db: EntityManager, quote: ExtractedQuote): Promise<string> {
  const normalized = normalizeQuotedText(quote.text);
  const key = [quote.platform, quote.handle.toLowerCase(), sha256Hex(normalized)];
  const [created]: { id: string }[] = await db.query(
    `INSERT INTO quoted_statements (platform, handle, handle_key, text, normalized_text, text_sha256)
     VALUES ($1, $4, $2, $5, $6, $3)
     ON CONFLICT (platform, handle_key, text_sha256) DO NOTHING RETURNING id`,
    [...key, quote.handle, quote.text, normalized],
  );
  if (created) return created.id;
  const [held]: { id: string }[] = await db.query(
    `SELECT id FROM quoted_statements WHERE platform = $1 AND handle_key = $2 AND text_sha256 = $3`,
    key,
  );
  return held.id;
}

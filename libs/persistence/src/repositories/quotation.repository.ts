import { type EntityManager } from 'typeorm';
import {
  ARTIFACT_ROLES,
  canonicalSha256,
  normalizeQuotedText,
  sha256Hex,
  type ExtractedQuote,
} from '@app/core';
import { buildLogEntry } from '@app/ledger';
import { findOriginalStatement } from '../queries/quotation.queries';
import { insertArtifactsAlone } from './artifact-rows';

/** The document quotes were read from, exactly as it was given to us. */
export interface QuoteSourceDocument {
  bytes: Buffer;
  /** text/plain or text/html, with its charset */
  mediaType: string;
  /** where the document was published, when the person who gave it said so */
  sourceUrl: string | null;
}

/**
 * The claim one document makes about one quoted statement: hashed into its log entry. `text` null: the
 * document named the post and printed none of its words. `postAccount` and `postCid` are present only when
 * the document named them (records written before they existed keep their hashes).
 */
export interface QuotationRecord {
  kind: 'quotation';
  platform: string;
  handle: string;
  name: string | null;
  date: string | null;
  text: string | null;
  foundIn: 'text' | 'embed' | 'link';
  postId: string | null;
  postUrl: string | null;
  postAccount?: string;
  postCid?: string;
  sourceUrl: string | null;
  documentSha256: string;
}

export interface WrittenQuotation {
  quotedStatementId: string;
  /** the quotation (this document's claim) */
  quotationId: string;
  /** false: this document's claim was recorded before (the same bytes extracted again) */
  recorded: boolean;
}

/** The record a quote makes, exactly as hashed into its log entry. */
export function quotationRecord(
  quote: ExtractedQuote,
  document: { sourceUrl: string | null; sha256: string },
): QuotationRecord {
  return {
    kind: 'quotation',
    platform: quote.platform,
    handle: quote.handle,
    name: quote.name,
    date: quote.date,
    text: quote.text,
    foundIn: quote.foundIn,
    postId: quote.postId,
    postUrl: quote.postUrl,
    ...(quote.postAccount !== null ? { postAccount: quote.postAccount } : {}),
    ...(quote.postCid !== undefined ? { postCid: quote.postCid } : {}),
    sourceUrl: document.sourceUrl,
    documentSha256: document.sha256,
  };
}

/**
 * Records the quotes found in one document, in the caller's transaction: the document as an artifact, one
 * quoted statement per handle and normalized text (found or created), and one quotation (this document's
 * claim) each, queued for the transparency log as a `quotation` entry, and a `statement.quoted` event for
 * subscribers (its statement the captured original, when we hold it). Extracting the same document again
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
  await insertArtifactsAlone(db, [
    {
      sha256: documentSha256,
      mediaType: document.mediaType,
      size: document.bytes.length,
      bytes: document.bytes,
    },
  ]);
  const written: WrittenQuotation[] = [];
  for (const quote of quotes) {
    const quotedStatementId = await quotedStatementFor(db, quote);
    const record = quotationRecord(quote, { sourceUrl: document.sourceUrl, sha256: documentSha256 });
    const recordSha256 = canonicalSha256(record);
    const inserted: { id: string }[] = await db.query(
      `INSERT INTO quotations (quoted_statement_id, document_sha256, source_url, found_in, quoted_text, claimed_handle,
         claimed_name, claimed_date, post_id, post_url, record, record_sha256, extracted_at, post_account)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
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
        quote.postAccount,
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
      const original = await findOriginalStatement(db, quotedStatementId);
      await db.query(
        `INSERT INTO events (type, quotation_id, statement_id, account_id) VALUES ('statement.quoted', $1, $2, $3)`,
        [inserted[0].id, original?.id ?? null, original?.accountId ?? null],
      );
      written.push({ quotedStatementId, quotationId: inserted[0].id, recorded: true });
      continue;
    }
    const [held]: { id: string }[] = await db.query(
      `SELECT id FROM quotations WHERE quoted_statement_id = $1 AND document_sha256 = $2`,
      [quotedStatementId, documentSha256],
    );
    written.push({ quotedStatementId, quotationId: held.id, recorded: false });
  }
  return written;
}

/**
 * The quoted statement of this handle and text (of this post, for a link-only quote), created when it is
 * the first time anyone quoted it.
 */
async function quotedStatementFor(db: EntityManager, quote: ExtractedQuote): Promise<string> {
  if (quote.text === null) return linkOnlyStatementFor(db, quote);
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

/** A post named with none of its words: one quoted statement per post (account any case, post id). */
async function linkOnlyStatementFor(db: EntityManager, quote: ExtractedQuote): Promise<string> {
  const postKey = `${(quote.postAccount ?? quote.handle).toLowerCase()}/${quote.postId ?? ''}`;
  const [created]: { id: string }[] = await db.query(
    `INSERT INTO quoted_statements (platform, handle, handle_key, post_key) VALUES ($1, $2, $3, $4)
     ON CONFLICT (platform, post_key) WHERE text IS NULL DO NOTHING RETURNING id`,
    [quote.platform, quote.handle, quote.handle.toLowerCase(), postKey],
  );
  if (created) return created.id;
  const [held]: { id: string }[] = await db.query(
    `SELECT id FROM quoted_statements WHERE platform = $1 AND post_key = $2 AND text IS NULL`,
    [quote.platform, postKey],
  );
  return held.id;
}

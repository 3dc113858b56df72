import { type EntityManager } from 'typeorm';
import { normalizeQuotedText, sha256Hex } from '@app/core';
import { artifactUrl } from './artifact-url';

/** One document's claim about a quoted statement, and where it stands in the log. */
export interface QuotationSourceView {
  id: string;
  /** where the document was published, as whoever gave it to us said; null when nobody said */
  url: string | null;
  /** the document as it was given, kept as an artifact */
  document: { sha256: string; mediaType: string; size: number; url: string };
  foundIn: string;
  /** the text exactly as this document printed it */
  text: string;
  claimedHandle: string;
  claimedName: string | null;
  claimedDate: string | null;
  postId: string | null;
  postUrl: string | null;
  extractedAt: string;
  recordSha256: string;
  /** null while the quotation waits for the sequencer */
  leafIndex: number | null;
}

/** The captured statement a quote is of, and how we know. */
export interface QuotedOriginalView {
  id: string;
  url: string;
  /** `post-id`: an embed named the post; `text`: same handle, same text (white space aside) */
  matchedBy: 'post-id' | 'text';
}

/** A statement we only know from what others quoted: a claim, never a capture. */
export interface QuotedStatementView {
  id: string;
  kind: 'quoted';
  /** always `quoted`: weaker than any capture, as nobody here read it from the platform */
  evidenceLevel: 'quoted';
  platform: string;
  claimedAuthor: { handle: string; name: string | null };
  claimedDate: string | null;
  /** the text as the first source printed it */
  text: string;
  firstQuotedAt: string;
  sources: QuotationSourceView[];
  original: QuotedOriginalView | null;
}

/** A quoted statement seen from its captured original. */
export interface QuotedByView {
  id: string;
  sources: number;
  url: string;
}

interface QuotedRow {
  id: string;
  platform: string;
  handle: string;
  handle_key: string;
  text: string;
  normalized_text: string;
  created_at: Date;
}

interface QuotationRow {
  id: string;
  source_url: string | null;
  document_sha256: string;
  media_type: string;
  size: number;
  found_in: string;
  quoted_text: string;
  claimed_handle: string;
  claimed_name: string | null;
  claimed_date: string | null;
  post_id: string | null;
  post_url: string | null;
  extracted_at: Date;
  record_sha256: string;
  leaf_index: string | null;
}

export function quotedStatementUrl(id: string): string {
  return `/api/v1/statements/${id}`;
}

export async function findQuotedStatement(
  db: EntityManager,
  id: string,
): Promise<QuotedStatementView | null> {
  const [row]: QuotedRow[] = await db.query(
    `SELECT id, platform, handle, handle_key, text, normalized_text, created_at FROM quoted_statements WHERE id = $1`,
    [id],
  );
  if (!row) return null;
  const sources: QuotationRow[] = await db.query(
    `SELECT q.id, q.source_url, q.document_sha256, a.media_type, a.size, q.found_in, q.quoted_text, q.claimed_handle,
            q.claimed_name, to_char(q.claimed_date, 'YYYY-MM-DD') AS claimed_date, q.post_id, q.post_url,
            q.extracted_at, q.record_sha256, l.idx AS leaf_index
     FROM quotations q
     JOIN artifacts a ON a.sha256 = q.document_sha256
     LEFT JOIN log_entries l
       ON l.statement_id = q.quoted_statement_id AND convert_from(l.entry, 'UTF8')::jsonb->>'recordSha256' = q.record_sha256
     WHERE q.quoted_statement_id = $1 ORDER BY q.seq`,
    [id],
  );
  const named = sources.find((s) => s.claimed_name !== null);
  const dated = sources.find((s) => s.claimed_date !== null);
  return {
    id: row.id,
    kind: 'quoted',
    evidenceLevel: 'quoted',
    platform: row.platform,
    claimedAuthor: { handle: row.handle, name: named?.claimed_name ?? null },
    claimedDate: dated?.claimed_date ?? null,
    text: row.text,
    firstQuotedAt: row.created_at.toISOString(),
    sources: sources.map((s) => ({
      id: s.id,
      url: s.source_url,
      document: {
        sha256: s.document_sha256,
        mediaType: s.media_type,
        size: s.size,
        url: artifactUrl(s.document_sha256),
      },
      foundIn: s.found_in,
      text: s.quoted_text,
      claimedHandle: s.claimed_handle,
      claimedName: s.claimed_name,
      claimedDate: s.claimed_date,
      postId: s.post_id,
      postUrl: s.post_url,
      extractedAt: s.extracted_at.toISOString(),
      recordSha256: s.record_sha256,
      leafIndex: s.leaf_index === null ? null : Number(s.leaf_index),
    })),
    original: await findOriginal(
      db,
      row,
      sources.flatMap((s) => (s.post_id ? [s.post_id] : [])),
    ),
  };
}

/**
 * The captured statement a quote is of: the post an embed named, else a statement of the same handle on the
 * same platform whose latest text is the quoted text, white space aside. Found when read, so an original
 * captured after the quote links without changing anything.
 */
async function findOriginal(
  db: EntityManager,
  quoted: QuotedRow,
  postIds: string[],
): Promise<QuotedOriginalView | null> {
  // SQL narrows by white-space-folded text; the exact rule (normalizeQuotedText) decides
  const rows: { id: string; url: string; latest_text: string; by_post: boolean }[] = await db.query(
    `SELECT s.id, s.url, s.latest_text, s.external_id = ANY($3::text[]) AS by_post
     FROM statements s JOIN accounts a ON a.id = s.account_id
     WHERE a.platform = $1 AND lower(a.handle) = $2
       AND (s.external_id = ANY($3::text[]) OR btrim(regexp_replace(s.latest_text, '\\s+', ' ', 'g')) = $4)
     ORDER BY by_post DESC, s.first_captured_at LIMIT 10`,
    [quoted.platform, quoted.handle_key, postIds, quoted.normalized_text],
  );
  const match = rows.find((r) => r.by_post || normalizeQuotedText(r.latest_text) === quoted.normalized_text);
  return match ? { id: match.id, url: match.url, matchedBy: match.by_post ? 'post-id' : 'text' } : null;
}

/** The quoted statements that are quotes of this captured statement (by its post id or its latest text). */
export async function findQuotedBy(
  db: EntityManager,
  statement: { platform: string; handle: string; externalId: string; latestText: string },
): Promise<QuotedByView[]> {
  const rows: { id: string; sources: string }[] = await db.query(
    `SELECT qs.id, (SELECT count(*) FROM quotations q WHERE q.quoted_statement_id = qs.id) AS sources
     FROM quoted_statements qs
     WHERE qs.platform = $1 AND qs.handle_key = $2
       AND (qs.text_sha256 = $3
            OR EXISTS (SELECT 1 FROM quotations q WHERE q.quoted_statement_id = qs.id AND q.post_id = $4))
     ORDER BY qs.seq`,
    [
      statement.platform,
      statement.handle.toLowerCase(),
      sha256Hex(normalizeQuotedText(statement.latestText)),
      statement.externalId,
    ],
  );
  return rows.map((r) => ({ id: r.id, sources: Number(r.sources), url: quotedStatementUrl(r.id) }));
}

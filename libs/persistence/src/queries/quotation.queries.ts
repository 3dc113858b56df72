import { type EntityManager } from 'typeorm';
import { normalizeQuotedText, sha256Hex } from '@app/core';
import { artifactUrl } from './artifact-url';
import { parseSearchQuery, type SearchQuery } from './search-query';

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
  /** the account the post's address names (a Bluesky DID, a `user@host`…), when a post is named */
  postAccount: string | null;
  extractedAt: string;
  /** the quotation's evidence bundle (its log entry, proof, checkpoint and the document) */
  evidenceUrl: string;
  recordSha256: string;
  /** null while the quotation waits for the sequencer */
  leafIndex: number | null;
}

/** The captured statement a quote is of, and how we know. */
export interface QuotedOriginalView {
  id: string;
  url: string;
  /** its latest text as captured: the words a link-only quote stands for */
  text: string;
  /** `post-id`: an embed or a link named the post; `text`: same handle, same text (white space aside) */
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
  /**
   * the text as the first source printed it; null for a link-only quote (every source only named the post:
   * a link, a frame, a widget), whose words are the original's once captured (`original`)
   */
  text: string | null;
  linkOnly: boolean;
  firstQuotedAt: string;
  sources: QuotationSourceView[];
  original: QuotedOriginalView | null;
}

/** A quoted statement seen from its captured original. */
export interface QuotedByView {
  id: string;
  sources: number;
  url: string;
  claimedHandle: string;
  /** the text the first source printed; null when every source only linked the post */
  text: string | null;
  /** where the quoting documents were published (as whoever gave them said), the first ten */
  sourceUrls: string[];
}

interface QuotedRow {
  id: string;
  platform: string;
  handle: string;
  handle_key: string;
  text: string | null;
  normalized_text: string | null;
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
  post_account: string | null;
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
            q.post_account, q.extracted_at, q.record_sha256, l.idx AS leaf_index
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
    linkOnly: row.text === null,
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
      postAccount: s.post_account ?? (s.post_id === null ? null : s.claimed_handle),
      extractedAt: s.extracted_at.toISOString(),
      evidenceUrl: quotationEvidenceUrl(row.id, s.id),
      recordSha256: s.record_sha256,
      leafIndex: s.leaf_index === null ? null : Number(s.leaf_index),
    })),
    original: await findOriginal(db, row, postRefsOf(sources)),
  };
}

/** A post a source named: the account its address names and the platform's id for it. */
interface PostRef {
  account: string;
  id: string;
}

function postRefsOf(sources: Pick<QuotationRow, 'post_id' | 'post_account' | 'claimed_handle'>[]): PostRef[] {
  const refs = new Map<string, PostRef>();
  for (const s of sources) {
    if (s.post_id === null) continue;
    // quotations written before post_account existed are X embeds, whose status link named the handle
    const account = s.post_account ?? s.claimed_handle;
    refs.set(`${account.toLowerCase()}/${s.post_id}`, { account, id: s.post_id });
  }
  return [...refs.values()];
}

/**
 * The captured statement a post address names: same platform, the account by handle (any case) or by the
 * platform's id for it (a Bluesky DID), and the statement by its platform id. A Bluesky statement's id is its
 * at:// URI, built from the account's DID and the record key the address named.
 */
const STATEMENT_BY_POST = `
  SELECT s.id, s.url, s.account_id, s.latest_text FROM accounts a JOIN statements s ON s.account_id = a.id
  WHERE a.platform = $1 AND (lower(a.handle) = lower($2) OR a.external_id = $2)
    AND s.external_id = CASE WHEN a.platform = 'bluesky' THEN 'at://' || a.external_id || '/app.bsky.feed.post/' || $3
                             ELSE $3 END
  ORDER BY s.first_captured_at LIMIT 1`;

interface OriginalRow {
  id: string;
  url: string;
  account_id: string;
  latest_text: string;
}

/**
 * The captured statement a quote is of: the post an embed or a link named, else a statement of the same
 * handle on the same platform whose latest text is the quoted text, white space aside. Found when read, so
 * an original captured after the quote links without changing anything.
 */
async function findOriginalRow(
  db: EntityManager,
  quoted: Pick<QuotedRow, 'platform' | 'handle_key' | 'normalized_text'>,
  refs: PostRef[],
): Promise<(OriginalRow & { matchedBy: 'post-id' | 'text' }) | null> {
  const byPost = await findStatementByPost(db, quoted.platform, refs);
  if (byPost) return byPost;
  if (quoted.normalized_text === null) return null;
  // SQL narrows by white-space-folded text; the exact rule (normalizeQuotedText) decides
  const rows: OriginalRow[] = await db.query(
    `SELECT s.id, s.url, s.account_id, s.latest_text
     FROM statements s JOIN accounts a ON a.id = s.account_id
     WHERE a.platform = $1 AND lower(a.handle) = $2
       AND btrim(regexp_replace(s.latest_text, '\\s+', ' ', 'g')) = $3
     ORDER BY s.first_captured_at LIMIT 10`,
    [quoted.platform, quoted.handle_key, quoted.normalized_text],
  );
  const match = rows.find((r) => normalizeQuotedText(r.latest_text) === quoted.normalized_text);
  if (!match) return null;
  // each query reads what has committed when it starts: the post named may have been captured since the first
  // look, and a link by post id is the stronger one
  return (await findStatementByPost(db, quoted.platform, refs)) ?? { ...match, matchedBy: 'text' };
}

async function findStatementByPost(
  db: EntityManager,
  platform: string,
  refs: PostRef[],
): Promise<(OriginalRow & { matchedBy: 'post-id' }) | null> {
  // a quoted statement is quoted by a handful of documents; bounded all the same
  for (const ref of refs.slice(0, 20)) {
    const [row]: OriginalRow[] = await db.query(STATEMENT_BY_POST, [platform, ref.account, ref.id]);
    if (row) return { ...row, matchedBy: 'post-id' };
  }
  return null;
}

async function findOriginal(
  db: EntityManager,
  quoted: QuotedRow,
  refs: PostRef[],
): Promise<QuotedOriginalView | null> {
  const row = await findOriginalRow(db, quoted, refs);
  return row ? { id: row.id, url: row.url, text: row.latest_text, matchedBy: row.matchedBy } : null;
}

/** The captured original of a quoted statement, with its account (for events about it), or null. */
export async function findOriginalStatement(
  db: EntityManager,
  quotedStatementId: string,
): Promise<{ id: string; accountId: string } | null> {
  const [quoted]: QuotedRow[] = await db.query(
    `SELECT platform, handle_key, normalized_text FROM quoted_statements WHERE id = $1`,
    [quotedStatementId],
  );
  if (!quoted) return null;
  const sources: Pick<QuotationRow, 'post_id' | 'post_account' | 'claimed_handle'>[] = await db.query(
    `SELECT post_id, post_account, claimed_handle FROM quotations WHERE quoted_statement_id = $1 ORDER BY seq LIMIT 50`,
    [quotedStatementId],
  );
  const row = await findOriginalRow(db, quoted, postRefsOf(sources));
  return row ? { id: row.id, accountId: row.account_id } : null;
}

/** Quoted statements shown beside a captured statement at most: a page listing thousands helps no reader. */
export const QUOTED_BY_SHOWN = 100;

/**
 * The quoted statements that are quotes of this captured statement (the first QUOTED_BY_SHOWN): by its latest text (same handle), or by a
 * source that named its post (the account by handle or by the platform's id for it, a Bluesky DID).
 */
export async function findQuotedBy(
  db: EntityManager,
  statement: { platform: string; handle: string; accountId: string; externalId: string; latestText: string },
): Promise<QuotedByView[]> {
  // the id a post's address carries: a Bluesky record key is the last part of the statement's at:// URI
  const postId =
    statement.platform === 'bluesky' ? statement.externalId.split('/').pop()! : statement.externalId;
  const rows: { id: string; sources: string; handle: string; text: string | null; urls: string[] }[] =
    await db.query(
      `SELECT qs.id, qs.handle, qs.text, (SELECT count(*) FROM quotations q WHERE q.quoted_statement_id = qs.id) AS sources,
            ARRAY(SELECT q.source_url FROM quotations q WHERE q.quoted_statement_id = qs.id AND q.source_url IS NOT NULL
                  ORDER BY q.seq LIMIT 10) AS urls
     FROM quoted_statements qs
     WHERE qs.platform = $1
       AND ((qs.handle_key = $2 AND qs.text_sha256 = $3)
            OR qs.id IN (SELECT q.quoted_statement_id FROM quotations q
                         WHERE q.post_id = $4
                           AND lower(COALESCE(q.post_account, q.claimed_handle)) IN
                               ($2, (SELECT lower(external_id) FROM accounts WHERE id = $5))))
     ORDER BY qs.seq
     LIMIT ${QUOTED_BY_SHOWN}`,
      [
        statement.platform,
        statement.handle.toLowerCase(),
        sha256Hex(normalizeQuotedText(statement.latestText)),
        postId,
        statement.accountId,
      ],
    );
  return rows.map((r) => ({
    id: r.id,
    sources: Number(r.sources),
    url: quotedStatementUrl(r.id),
    claimedHandle: r.handle,
    text: r.text,
    sourceUrls: r.urls,
  }));
}

export function quotationEvidenceUrl(quotedStatementId: string, quotationId: string): string {
  return `/api/v1/quoted-statements/${quotedStatementId}/evidence?quotation=${quotationId}`;
}

/** A quoted statement in a list: what it claims, how many sources, and where to read it. */
export interface QuotedStatementSummaryView {
  id: string;
  platform: string;
  claimedAuthor: { handle: string; name: string | null };
  claimedDate: string | null;
  /** null for a link-only quote */
  text: string | null;
  linkOnly: boolean;
  sources: number;
  firstQuotedAt: string;
  url: string;
}

export interface QuotedStatementPage {
  items: QuotedStatementSummaryView[];
  /** pass as `cursor` for the next (older) page; null on the last */
  nextCursor: string | null;
}

export interface QuotedStatementFilter {
  /** the claimed handle, with or without its leading @, any case */
  handle?: string;
  platform?: string;
  /** the statement search's syntax, over the quoted text */
  q?: string;
  cursor?: string;
  limit: number;
}

/** A search matching fewer quoted statements than this collects them all; more, walks newest first. */
const COLLECT_MAX = 2_000;

/**
 * Quoted statements, newest first quoted first. `q` searches their text with the statement search's syntax
 * and word folding, over their own index: the statement search's plans and index are not touched.
 */
export async function listQuotedStatements(
  db: EntityManager,
  filter: QuotedStatementFilter,
): Promise<QuotedStatementPage> {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (filter.handle) where.push(`qs.handle_key = ${param(filter.handle.replace(/^@/, '').toLowerCase())}`);
  if (filter.platform) where.push(`qs.platform = ${param(filter.platform)}`);
  if (filter.cursor) where.push(`qs.seq < ${param(filter.cursor)}`);
  if (filter.q) {
    where.push(`qs.search @@ (${plainTsquery(parseSearchQuery(filter.q), param)})`);
  }
  const conditions = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  // PostgreSQL guesses a word it has no statistics for (a rare or absent one) as a mid-frequency one and walks
  // the newest quoted statements looking for it, through all of them when it is absent. Counting the matches
  // first, through the word index and at most COLLECT_MAX of them, says which way is short: few matches are
  // collected and sorted; many are found soon walking newest first.
  let collect = false;
  if (filter.q) {
    const [{ n }]: { n: number }[] = await db.query(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM quoted_statements qs ${conditions} LIMIT ${COLLECT_MAX}) m`,
      params,
    );
    collect = n < COLLECT_MAX;
  }
  const matches = `SELECT qs.id, qs.seq, qs.platform, qs.handle, qs.text, qs.created_at FROM quoted_statements qs ${conditions}`;
  const rows: (QuotedRow & { seq: string; sources: string; name: string | null; date: string | null })[] =
    await db.query(
      `WITH m AS ${collect ? 'MATERIALIZED' : 'NOT MATERIALIZED'} (${matches})
       SELECT m.*,
              (SELECT count(*) FROM quotations q WHERE q.quoted_statement_id = m.id) AS sources,
              (SELECT q.claimed_name FROM quotations q
                WHERE q.quoted_statement_id = m.id AND q.claimed_name IS NOT NULL ORDER BY q.seq LIMIT 1) AS name,
              (SELECT to_char(q.claimed_date, 'YYYY-MM-DD') FROM quotations q
                WHERE q.quoted_statement_id = m.id AND q.claimed_date IS NOT NULL ORDER BY q.seq LIMIT 1) AS date
       FROM m ORDER BY m.seq DESC LIMIT ${param(filter.limit + 1)}`,
      params,
    );
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      platform: r.platform,
      claimedAuthor: { handle: r.handle, name: r.name },
      claimedDate: r.date,
      text: r.text,
      linkOnly: r.text === null,
      sources: Number(r.sources),
      firstQuotedAt: r.created_at.toISOString(),
      url: quotedStatementUrl(r.id),
    })),
    nextCursor: rows.length > filter.limit ? page[page.length - 1].seq : null,
  };
}

/**
 * The search's tsquery over plain words only (`verbatim_simple`: case and accents folded, no stemming): a
 * quoted statement's language is unknown, so its vector holds its words as written, and the stemmed forms the
 * statement search also asks for could never match it (they would only cost time).
 */
function plainTsquery(query: SearchQuery, param: (value: unknown) => string): string {
  const term = (t: SearchQuery[number][number]) => {
    const sql =
      t.kind === 'prefix'
        ? // letters and digits only (the parser keeps nothing else), so safe in to_tsquery's syntax
          `to_tsquery('verbatim_simple', ${param(t.text.split(' ').join(' & ') + ':*')})`
        : `${t.kind === 'phrase' ? 'phraseto_tsquery' : 'plainto_tsquery'}('verbatim_simple', ${param(t.text)})`;
    return t.negated ? `(!! ${sql})` : sql;
  };
  return query.map((group) => `(${group.map(term).join(' || ')})`).join(' && ');
}
